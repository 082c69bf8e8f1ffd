"""Result caching: round trip, staleness, atomic writes."""
import dataclasses

import numpy as np
import pytest

from ghostbook import results


@dataclasses.dataclass(frozen=True)
class Settings:
    lr: float = 0.02
    seeds: tuple = (0, 1, 2)


def test_round_trip_keeps_arrays_and_provenance(tmp_path):
    arrays = {"loss": np.random.default_rng(0).random((5, 3)).astype(np.float32)}
    results.save("demo", arrays, Settings(), wall_time=1.25, directory=tmp_path)
    loaded, meta = results.load("demo", Settings(), directory=tmp_path)
    assert np.array_equal(loaded["loss"], arrays["loss"]) and loaded["loss"].dtype == np.float32
    assert meta["settings"] == {"lr": 0.02, "seeds": [0, 1, 2]}
    assert meta["wall_time_s"] == 1.25 and meta["ghostbook_version"]


def test_changed_settings_make_a_result_stale(tmp_path):
    results.save("demo", {"x": np.zeros(2)}, Settings(), wall_time=0, directory=tmp_path)
    assert results.is_fresh("demo", Settings(), directory=tmp_path)
    assert results.load("demo", Settings(lr=0.03), directory=tmp_path) is None
    assert results.load("absent", Settings(), directory=tmp_path) is None


def test_failed_write_leaves_previous_result_intact(tmp_path):
    results.save("demo", {"x": np.ones(3)}, Settings(), wall_time=0, directory=tmp_path)

    class Boom:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        results.save("demo", {"x": Boom()}, Settings(), wall_time=0, directory=tmp_path)
    loaded, _ = results.load("demo", Settings(), directory=tmp_path)
    assert np.array_equal(loaded["x"], np.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.json", "demo.npz"]
