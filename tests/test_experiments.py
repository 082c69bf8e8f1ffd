"""The figure experiments, the CLI and the cached paper-scale results."""
import dataclasses
import json

import numpy as np
import pytest

from ghostbook import __main__ as cli
from ghostbook import experiments, results

PAPER_FIGURES = ("fig3", "figS1", "fig4", "figS2", "linear", "flipflop")


@pytest.mark.parametrize("name", PAPER_FIGURES)
def test_committed_paper_results_are_fresh(name):
    """A result is committed for every RNN figure and matches today's settings table."""
    meta = results.metadata(f"{name}-paper", results.DEFAULT_DIR)
    assert meta is not None, f"results/{name}-paper.json is missing: run python -m ghostbook reproduce {name} --scale paper"
    assert meta["settings"] == results.canonical(experiments.SCALES[name]["paper"]), \
        f"results/{name}-paper is stale: its settings differ from experiments.SCALES"
    with np.load(results.DEFAULT_DIR / f"{name}-paper.npz") as data:
        assert sorted(data.files) == meta["arrays"]


def test_every_cached_file_names_a_known_figure_and_scale():
    for path in results.DEFAULT_DIR.glob("*.json"):
        name, scale = path.stem.rsplit("-", 1)
        assert scale in experiments.SCALES[name], path.name
        assert json.loads(path.read_text())["name"] == path.stem


def test_paper_scale_matches_the_reproduction_notes():
    fig3, s1, fig4 = (experiments.SCALES[n]["paper"] for n in ("fig3", "figS1", "fig4"))
    assert (fig3.seed, fig3.lr_a, fig3.epochs_a, fig3.lr_b, fig3.epochs_b) == (40, 0.003, 500_000, 0.02, 6000)
    np.testing.assert_allclose(s1.lrs, np.logspace(-4, -1, 30))
    assert (s1.seeds, s1.epochs) == (10, 200_001)
    assert (fig4.seeds, fig4.lr, fig4.epochs, fig4.c) == (100, 0.02, 6000, 10.0)
    np.testing.assert_allclose(fig4.recovery_c, np.logspace(-3, 1, 30))


def test_fig4_on_a_tiny_ensemble_has_consistent_shapes():
    s = dataclasses.replace(experiments.SCALES["fig4"]["quick"], seeds=4, epochs=60, last=5,
                            n_recovery_c=2, recovery_epochs=3)
    out = experiments.fig4(s, progress=False)
    assert out["accuracy"].shape == (60, 4) and out["loss"].shape == (6, 4)
    assert out["recovery_loss"].shape == (2, 3, out["stuck"].sum())
    assert np.all(out["stuck"] <= out["learned"])


def test_stuck_networks_follows_the_papers_definition():
    acc = np.full((10, 3), 0.5)
    acc[3, 0] = 0.9            # learned, then lost it: stuck
    acc[3:, 1] = 0.9           # learned and kept it
    learned, stuck = experiments.stuck_networks(acc, last=4)
    assert learned.tolist() == [True, True, False] and stuck.tolist() == [True, False, False]


def test_bad_figure_and_scale_are_rejected():
    with pytest.raises(ValueError, match="name"):
        experiments.reproduce("fig9")
    with pytest.raises(ValueError, match="scale"):
        experiments.reproduce("fig4", scale="huge")
    with pytest.raises(SystemExit):
        cli.main(["reproduce", "fig9"])


@pytest.mark.parametrize("name", ["linear", "flipflop"])
def test_companion_experiments_reject_a_bad_progress_option(name):
    settings = experiments.SCALES[name]["quick"]
    with pytest.raises(ValueError, match="^progress must"):
        experiments.COMPUTE[name](settings, progress="yes")


def test_nudged_copies_move_one_parameter_by_one_ulp():
    from ghostbook import rnn
    init = rnn.init_rank_one([40])
    copies = experiments.nudged_copies(init, 50, seed=3)
    theta, base = copies.flat(), init.flat()[0]
    assert theta.shape == (50, 300) and theta.dtype == np.float32
    assert np.array_equal(theta[0], base)
    moved = theta != base
    assert np.all(moved[1:].sum(axis=1) == 1) and np.all(base[moved.any(axis=0)] != 0)
    ulps = np.abs(theta[moved] - base[np.nonzero(moved)[1]]) / np.spacing(np.abs(base[np.nonzero(moved)[1]]))
    assert np.all((ulps == 1) | (ulps == 0.5))        # one step: spacing halves below a power of 2
    assert (theta[moved] > base[np.nonzero(moved)[1]]).any() and (theta[moved] < base[np.nonzero(moved)[1]]).any()
    assert np.array_equal(experiments.nudged_copies(init, 50, seed=3).flat(), theta)
    with pytest.raises(ValueError, match="params"):
        experiments.nudged_copies(rnn.init_rank_one([1, 2]), 5)
    with pytest.raises(ValueError, match="copies"):
        experiments.nudged_copies(init, 0)


def test_fate_epochs_on_hand_made_histories():
    acc = np.full((10, 3), 0.5)
    acc[3:6, 0] = 0.9          # above chance at epochs 3..5, then stuck from epoch 6
    acc[2:, 1] = 0.75          # learned at epoch 2 and kept it
    learn, stuck = experiments.fate_epochs(acc, last=4)
    assert learn.tolist() == [3, 2, -1] and stuck.tolist() == [6, -1, -1]


def test_figS2_on_a_tiny_scale_is_consistent():
    from ghostbook import rnn, train
    s = dataclasses.replace(experiments.SCALES["figS2"]["quick"], ranks=(2,), lr_subset=(4, 7),
                            seeds=2, epochs=40, n_records=10, n_snapshots=4, max_rank=3)
    out = experiments.figS2(s, progress=False)
    R = out["record_epochs"].size
    assert out["loss_2"].shape == out["loss_full"].shape == (R, 2, 2)
    assert out["record_epochs"][0] == 0 and out["record_epochs"][-1] == 39
    assert out["snapshot_epochs"].tolist()[0] == 0 and out["snapshot_epochs"][-1] == 40
    first = train.evaluate(rnn.init_full_rank([0, 1, 0, 1]))[0].reshape(2, 2)
    np.testing.assert_allclose(out["loss_full"][0], first, rtol=1e-6)
    cut = out["truncated_loss"]                                   # (S, 2, 2, max_rank + 2)
    assert cut.shape == (4, 2, 2, 5) and out["delta_sv"].shape == (4, 2, 2, 100)
    assert np.all(cut[0] == cut[0, ..., :1])                      # no change yet: every R alike
    np.testing.assert_allclose(out["delta_sv"][0], 0)
    both = np.intersect1d(out["snapshot_epochs"], out["record_epochs"])[1:]   # after updates
    assert both.size
    for e in both:                      # untruncated network at a snapshot = the trainer's loss
        np.testing.assert_allclose(cut[out["snapshot_epochs"] == e][0, ..., -1],
                                   out["loss_full"][out["record_epochs"] == e][0], rtol=1e-4)


def test_figS2_summary_on_hand_made_histories():
    s = dataclasses.replace(experiments.SCALES["figS2"]["quick"], ranks=(1,), lr_subset=(0,), seeds=2)
    epochs = np.array([0, 1, 10, 100])
    loss = np.array([[2.0, 2.0], [1.0, 2.0], [0.1, 1.9], [0.01, 1.9]])[:, None, :]   # (E, lr, seed)
    grad = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1e-4]])[:, None, :]
    sv = np.zeros((1, 1, 2, 4))
    sv[..., 0], sv[..., 1] = [3.0, 1.0], [1.0, 1.0]
    cut = np.array([[1.0, 0.5, 0.05, 0.01], [1.0, 0.9, 0.8, 0.7]])[None, None]       # (S, lr, seed, R + 2)
    run = {"record_epochs": epochs, "loss_1": loss, "grad_norm_1": grad, "loss_full": loss,
           "grad_norm_full": grad, "delta_sv": sv, "truncated_loss": cut}
    out = experiments.figS2_summary(run, s)
    assert out["learned"]["1"].tolist() == [[True, False]]
    assert out["reach"]["1"][0, 0] == 10 and np.isnan(out["reach"]["1"][0, 1])
    assert out["leave"]["1"][0, 0] == 1 and np.isnan(out["leave"]["1"][0, 1])
    assert out["stuck"]["1"].tolist() == [[False, True]]
    np.testing.assert_allclose(out["share1"], [[0.9, 0.5]])
    assert out["functional"].tolist() == [[2, -1]]


def test_figS2_paper_scale_uses_the_authors_grid():
    s = experiments.SCALES["figS2"]["paper"]
    assert s.ranks == (1, 2, 3, 4, 5, 10, 30, 50, 100) and s.seeds == 10
    np.testing.assert_allclose(s.lrs, np.logspace(-3, 0, 10))
    np.testing.assert_allclose(s.lrs[[1, 4, 7]], [2.154e-3, 2.154e-2, 0.2154], rtol=1e-3)
