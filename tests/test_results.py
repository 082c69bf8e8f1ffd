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


def test_a_resumed_result_counts_its_runs_and_their_kept_time(tmp_path, monkeypatch):
    """A long run's pieces carry the compute time behind them: a run resuming them adds
    its own to the earlier runs' (up to their last save) and counts itself."""
    clock = iter([100.0, 130.0, 500.0, 560.0, 570.0, 600.0])   # perf_counter, call by call
    monkeypatch.setattr(results.time, "perf_counter", lambda: next(clock))
    first = results.Partial("long", Settings(), tmp_path)            # starts at 100
    first.put("training", {"x": np.zeros(2)})                        # saved at 130: 30 s
    # ...the run is killed here; a later one resumes
    again = results.Partial("long", Settings(), tmp_path)            # starts at 500
    assert again.segments == 2 and again.get("training") is not None
    assert again.elapsed() == 30.0 + 60.0                            # at 560
    again.put("training", {"x": np.ones(2)})                         # at 570
    assert results.Partial("long", Settings(lr=0.5), tmp_path).segments == 1   # other settings
    meta = results.save("long", {"x": np.ones(2)}, Settings(), 100.0, directory=tmp_path,
                        segments=2)
    assert meta["segments"] == 2
    assert results.compute_time(meta) == "1.7 min in 2 runs, each resuming the last"


def test_pieces_saved_before_runs_were_timed_are_said_to_be(tmp_path):
    piece = tmp_path / ".partial" / "old"
    results.Partial("old", Settings(), tmp_path)
    np.savez(piece / "training.npz", x=np.zeros(2))                  # no time.json beside it
    resumed = results.Partial("old", Settings(), tmp_path)
    assert resumed.segments is None
    meta = results.save("old", {"x": np.zeros(2)}, Settings(), 60.0, directory=tmp_path,
                        segments=resumed.segments)
    assert meta["segments"] is None
    assert results.compute_time(meta).startswith("1.0 min (the last runs only")
    assert results.compute_time({"wall_time_s": 90.0}) == "1.5 min"    # saved before counting
    with pytest.raises(ValueError, match="segments"):
        results.save("old", {"x": np.zeros(2)}, Settings(), 1.0, directory=tmp_path, segments=0)
