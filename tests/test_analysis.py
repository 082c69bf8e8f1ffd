"""The analysis layer: each definition on hand-made histories whose answer is known."""
import dataclasses

import numpy as np
import pytest

from ghostbook import analysis, latent, rnn, toy
from ghostbook.settings import SCALES, TOY


def test_fig4_fates_follow_the_papers_definition():
    acc = np.full((10, 4), 0.5)
    acc[3, 0] = 0.9            # learned, then lost it: stuck
    acc[3:, 1] = 0.9           # learned and kept it
    acc[:, 3] = 0.25           # worse than chance throughout: never learned
    assert analysis.ever_learned(acc).tolist() == [True, True, False, False]
    assert analysis.ended_stuck(acc, last=4).tolist() == [True, False, False, False]
    fates = analysis.fates(analysis.ever_learned(acc), analysis.ended_stuck(acc, 4))
    assert fates.tolist() == [analysis.STUCK, analysis.KEPT, analysis.NEVER, analysis.NEVER]


def test_fate_epochs_on_hand_made_histories():
    acc = np.full((10, 3), 0.5)
    acc[3:6, 0] = 0.9          # above chance at epochs 3..5, then stuck from epoch 6
    acc[2:, 1] = 0.75          # learned at epoch 2 and kept it
    learn, stuck = analysis.fate_epochs(acc, last=4)
    assert learn.tolist() == [3, 2, -1] and stuck.tolist() == [6, -1, -1]


def test_binomial_z():
    z, se = analysis.binomial_z(60, 100, 0.5)
    assert se == pytest.approx(5.0) and z == pytest.approx(2.0)


def test_first_below_returns_epochs_or_nan():
    values = np.array([[3.0, 3.0], [2.0, 3.0], [0.5, 3.0]])
    out = analysis.first_below(values, 1.0, epochs=[0, 10, 100])
    assert out[0] == 100 and np.isnan(out[1])


def test_lr_window_on_a_hand_made_sweep():
    lrs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    learned = np.array([[0, 1, 1, 1, 0, 0], [0, 1, 1, 0, 1, 0], [1, 1, 1, 0, 0, 0]], bool)
    w = analysis.lr_window(lrs, learned)
    assert (w.all_up_to, w.none_from, w.any_from) == (3.0, 6.0, 1.0)
    assert w.mixed.tolist() == [4.0, 5.0] and w.width == 2.0 and w.n_learned.tolist() == [1, 3, 3, 1, 1, 0]
    assert w.fails_from == 4.0                          # 1, 1, 0 of 3 learn from there on
    # a single run that learns at the largest rates does not move the edge, a majority does
    late = np.array([[1, 1, 1, 0, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 0, 0]], bool)
    assert analysis.lr_window(lrs, late).fails_from == 4.0
    assert np.isnan(analysis.lr_window(lrs, late).none_from)
    late[1, -1] = True                                  # 2 of 3 at the largest rate
    assert np.isnan(analysis.lr_window(lrs, late).fails_from)
    with pytest.raises(ValueError, match="every run"):
        analysis.lr_window(lrs, np.zeros((2, 6), bool))


def test_slow_edge_moves_to_smaller_rates_with_more_epochs():
    lrs = np.array([1.0, 2.0, 3.0, 4.0])
    learned = {10: np.array([[0, 0, 1, 1], [0, 0, 0, 1]], bool),
               100: np.array([[0, 1, 1, 0], [0, 1, 1, 1]], bool),
               5: np.zeros((2, 4), bool)}
    assert analysis.slow_edge(lrs, learned) == {5: pytest.approx(np.nan, nan_ok=True),
                                                10: 3.0, 100: 2.0}
    assert np.isnan(analysis.slow_edge(lrs, {10: learned[10]}, upto=2.5)[10])


def test_mean_sem_uses_the_authors_ddof():
    mean, sem = analysis.mean_sem(np.array([[1.0], [3.0]]))
    assert mean[0] == 2.0 and sem[0] == pytest.approx(1.0 / np.sqrt(2))


def test_toy_drop_of_fig2b():
    run = toy.train(TOY.r0_factor * TOY.r_star, TOY.lrs_bc[0], TOY.epochs_bc, TOY.T)
    drop = analysis.toy_drop(run.loss, TOY.T)
    loss = run.loss
    assert loss[drop.half] < TOY.T / 2 <= loss[drop.half - 1]
    assert loss[drop.tenth] < TOY.T / 10 <= loss[drop.tenth - 1]
    assert drop.half <= drop.steepest
    falls = -np.diff(loss)
    first_rise = np.flatnonzero(falls < 0)[0]
    assert drop.steepest < first_rise and falls[drop.steepest] == falls[:first_rise].max()


def test_ghost_geometry_matches_classify():
    params = rnn.init_rank_one([40], dtype=np.float64)
    m, n = 3 * params.m[0], 3 * params.n[0]
    stack = rnn.RankOne(m=np.stack([m, params.m[0]]), n=np.stack([n, params.n[0]]),
                        b=np.stack([np.full(100, 0.1), params.b[0]]))
    geo = analysis.ghost_geometry(stack)
    for i in range(2):
        ghost = latent.classify(stack[i]).slowest_ghost
        assert geo.f_star[i] == pytest.approx(latent.flow(1.0, stack[i]))
        if ghost is None:
            assert np.isnan(geo.kappa[i])
        else:
            assert (geo.kappa[i], geo.speed[i]) == (ghost.kappa, ghost.speed)
            assert geo.curvature[i] == pytest.approx(ghost.curvature)


def test_pin_bifurcation_finds_the_epoch_and_refuses_a_bracket_without_one():
    """Seed 40 at lr 0.02 (Fig. 3B) changes its count of fixed points; the pinned epoch is
    the first whose count differs, so the epoch before still has the old count."""
    s = SCALES["fig3"]["quick"]
    from ghostbook import train
    run = train.train_rank_one([s.seed], s.lr_b, s.epochs_b, snapshot_epochs=np.arange(0, 6001, 100),
                               progress=False)
    hist = latent.history(run.snapshots[:, 0], epochs=run.snapshot_epochs)
    if not hist.bifurcation_epochs:
        pytest.skip("this network does not bifurcate on this machine's rounding")  # pragma: no cover
    hi = hist.bifurcation_epochs[0]
    lo = hi - 100
    bif = analysis.pin_bifurcation(run.at(lo), lo, hi, s.lr_b)
    assert lo < bif.epoch <= hi
    counts = [latent.count_fixed_points(p[0]) for p in (bif.before, bif.after)]
    assert counts[0] == latent.count_fixed_points(run.at(lo)[0]) != counts[1]
    np.testing.assert_array_equal(bif.loss, run.loss[lo:hi, 0])
    with pytest.raises(ValueError, match="does not change"):
        analysis.pin_bifurcation(run.at(0), 0, 50, s.lr_b)


def test_figS2_summary_on_hand_made_histories():
    s = dataclasses.replace(SCALES["figS2"]["quick"], ranks=(1,), lr_subset=(0,), seeds=2)
    epochs = np.array([0, 1, 10, 100])
    loss = np.array([[2.0, 2.0], [1.0, 2.0], [0.1, 1.9], [0.01, 1.9]])[:, None, :]   # (E, lr, seed)
    grad = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1e-4]])[:, None, :]
    sv = np.zeros((1, 1, 2, 4))
    sv[..., 0], sv[..., 1] = [3.0, 1.0], [1.0, 1.0]
    cut = np.array([[1.0, 0.5, 0.05, 0.01], [1.0, 0.9, 0.8, 0.7]])[None, None]       # (S, lr, seed, R + 2)
    run = {"record_epochs": epochs, "lrs": s.lrs, "loss_1": loss, "grad_norm_1": grad,
           "loss_full": loss, "grad_norm_full": grad, "delta_sv": sv, "truncated_loss": cut}
    out = analysis.figS2_summary(run, s)
    one = out.arms["1"]
    assert one.learned.tolist() == [[True, False]]
    assert one.reach[0, 0] == 10 and np.isnan(one.reach[0, 1])
    assert one.leave[0, 0] == 1 and np.isnan(one.leave[0, 1])
    assert one.stalled.tolist() == [[False, True]]
    assert one.median("reach").tolist() == [10.0]
    np.testing.assert_allclose(out.share1, [[0.9, 0.5]])
    assert out.functional.tolist() == [[2, -1]]
    assert out.speedup(0, slow="1", fast="full") == 1.0


def test_memory_summary_reads_the_drop_ghost_and_bifurcation():
    from ghostbook.settings import SCALES
    s = SCALES["rank2_dcdt"]["quick"]
    loss = np.concatenate([np.full(100, 1.0), np.linspace(1.0, 0.1, 50), np.full(50, 0.1)])
    run = {"loss": loss, "accuracy": np.linspace(0.5, 1.0, 200)}
    nan = np.nan
    hist = analysis.PortraitHistory(epochs=np.array([0, 90, 110, 130, 199]),
                                    n_fixed=np.array([1, 1, 1, 3, 3]),
                                    n_stable=np.array([1, 1, 1, 2, 2]),
                                    n_ghosts=np.array([0, 0, 1, 0, 2]),
                                    ghost_speed=np.array([nan, nan, 1e-3, nan, 0.1]))
    v = analysis.memory_summary(run, s, hist)
    first = np.argmax(loss / loss.max() < s.drop_below)
    assert v.drop_epoch == first and 100 < first < 130
    assert (v.first_ghost_epoch, v.first_ghost_speed, v.rise_epoch) == (110, 1e-3, 130)
    assert (v.fixed_end, v.stable_end, v.ghosts_end, v.ghost_speed_end) == (3, 2, 2, 0.1)
    assert v.loss0 == 1.0 and v.acc_end == 1.0
    assert v.stable_lost is None and v.before_lost is None and np.isnan(v.lost_speedup)


def test_memory_summary_reads_where_the_attractor_is_lost():
    from ghostbook.settings import SCALES
    s = SCALES["rank2_dmts"]["quick"]
    # a slow plateau (0.002 over 100 epochs), then 0.05 between the snapshots at 300 and 400
    loss = np.concatenate([np.linspace(0.3, 0.2, 200), np.linspace(0.2, 0.198, 101)[:-1],
                           np.linspace(0.198, 0.148, 101)[:-1], np.full(100, 0.148)])
    run = {"loss": loss, "accuracy": np.linspace(0.3, 0.9, 500)}
    nan = np.nan
    hist = analysis.PortraitHistory(epochs=np.array([0, 299, 399, 499]),
                                    n_fixed=np.array([1, 1, 1, 1]),
                                    n_stable=np.array([1, 1, 0, 0]),
                                    n_ghosts=np.array([0, 1, 2, 2]),
                                    ghost_speed=np.array([nan, 0.5, 0.07, 0.07]))
    v = analysis.memory_summary(run, s, hist)
    assert (v.before_lost, v.stable_lost, v.ghosts_lost) == (299, 399, 2)
    # loss[e + 1] is the loss after epoch e's update: 0.05 in 100 epochs against 0.002
    assert v.lost_speedup == pytest.approx(0.05 / 0.002, rel=0.02)


def _histories():
    """One synthetic run of each fate, 1000 epochs: (loss, grad_norm) columns."""
    e = np.arange(1000.0)
    drop = 1 / (1 + np.exp((e - 300) / 10))                 # an abrupt drop at epoch 300
    learned = (0.01 + 0.99 * drop, 0.5 * np.exp(-((e - 300) / 30) ** 2) + 1e-3)
    # learned, then at 600 the units saturate: the loss jumps back up and the gradient dies
    back = 1 / (1 + np.exp(-(e - 600) / 5))
    vanishing = (0.01 + 0.99 * drop + 0.8 * back, np.where(e < 600, 0.3, 1e-7))
    # learned, then swings: loss between 0.02 and 0.9 every few epochs, large gradients
    swing = np.where(e < 500, 0.01 + 0.99 * drop, 0.46 + 0.44 * np.sin(e * 2.1))
    oscillating = (swing, np.where(e < 500, 0.2, 1.0 + 0.9 * np.cos(e * 2.1)))
    never = (1.0 - 0.2 * e / 1000, np.full(1000, 1e-2))
    # learned, then drifts back up slowly with a living gradient: neither kind
    unsettled = (np.where(e < 500, 0.01 + 0.99 * drop, 0.01 + 0.5 * (e - 500) / 500),
                 np.full(1000, 0.1))
    runs = [learned, vanishing, oscillating, never, unsettled]
    return (np.stack([r[0] for r in runs], axis=1), np.stack([r[1] for r in runs], axis=1))


def test_fates_tell_each_synthetic_history_apart():
    loss, grad = _histories()
    codes = analysis.collapse_fates(loss, grad)
    assert [analysis.COLLAPSE_FATES[c] for c in codes] == list(analysis.COLLAPSE_FATES)
    # runs are columns of any trailing shape
    codes2 = analysis.collapse_fates(loss.reshape(1000, 5, 1), grad.reshape(1000, 5, 1))
    assert codes2.shape == (5, 1) and codes2[:, 0].tolist() == codes.tolist()
    # a slow learner that crosses the bar only in the last epochs, still improving: learned
    e = np.arange(1000.0)
    slow = 1.0 - 0.91 * e / 999
    assert analysis.COLLAPSE_FATES[analysis.collapse_fates(slow[:, None], np.full((1000, 1), 0.1))[0]] == "learned"
    # a run that settles far above its best without swinging, gradient alive: unsettled
    back = np.where(e < 500, 1.0 - 0.99 * e / 500, 0.3)
    assert analysis.COLLAPSE_FATES[analysis.collapse_fates(back[:, None], np.full((1000, 1), 0.1))[0]] == "unsettled"


def test_fates_thresholds_move_the_boundaries_and_bad_input_is_refused():
    loss, grad = _histories()
    # a stricter bar for "learned" (the learned run ends at 1% of its start): never
    assert analysis.COLLAPSE_FATES[analysis.collapse_fates(loss, grad, learned_below=0.005)[0]] == "never"
    # if swings of 200% count as flat, the oscillating run is unsettled (its gradient lives)
    assert analysis.COLLAPSE_FATES[analysis.collapse_fates(loss, grad, oscillate_above=2.0)[2]] == "unsettled"
    nan_loss = loss.copy()
    nan_loss[-50:, 1] = np.nan                               # NaN at the end swings
    assert analysis.COLLAPSE_FATES[analysis.collapse_fates(nan_loss, grad)[1]] == "oscillating"
    for kwargs, name in [(dict(window=0.0), "window"), (dict(window=1.5), "window"),
                         (dict(vanish_below=-1.0), "vanish_below"),
                         (dict(learned_below=np.nan), "learned_below"),
                         (dict(worse_than=0.0), "worse_than")]:
        with pytest.raises(ValueError, match=name):
            analysis.collapse_fates(loss, grad, **kwargs)
    with pytest.raises(ValueError, match="grad_norm"):
        analysis.collapse_fates(loss, grad[:, :3])


def test_collapse_summary_reads_the_window_and_the_edges_of_a_sweep():
    F = {k: i for i, k in enumerate(analysis.COLLAPSE_FATES)}
    fates = np.array([[F["never"], F["learned"]],          # too slow: not all finished
                      [F["learned"], F["learned"]],
                      [F["learned"], F["learned"]],
                      [F["learned"], F["oscillating"]],
                      [F["vanishing"], F["never"]],
                      [F["never"], F["never"]]])
    lrs = np.logspace(-3, 0, 6)
    grad = np.ones((10, 6, 2))
    grad[-2:, 5, 0] = 1e-9                                  # one never-run's gradient is gone
    run = {"lrs": lrs, "fates": fates, "grad_norm": grad}
    s = analysis.collapse_summary(run, vanish_below=1e-3, window=0.2)
    assert s.all_learned_up_to == lrs[2]                   # the slow first rate is skipped
    assert s.first_collapse == lrs[3] and s.none_learned_from == lrs[5]
    assert s.count("learned") == 6 and s.count("never") == 4
    assert s.never_vanished.tolist() == [0, 0, 0, 0, 0, 1]
    assert s.gradient_gone[4, 0] and s.gradient_gone[5, 0] and not s.gradient_gone[5, 1]
