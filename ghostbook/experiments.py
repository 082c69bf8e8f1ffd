"""One function per figure, its settings in one table.

The chapters and the command line call these functions; nothing here plots.
The toy model's figures are cheap, so they run at the paper's scale everywhere;
the RNN figures have a ``quick`` and a ``paper`` scale (see :data:`SCALES`).
"""
import time
from dataclasses import dataclass

import numpy as np

from . import results, rnn, toy
from .checks import positive_int, progress_bar
from .flipflop import Task as FlipFlopTask


@dataclass(frozen=True)
class ToySettings:
    """Settings of the ghost paper's Figs. 1-2 (see ``shared/reproduction-notes.md``)."""

    T: float = 100.0                    # delay: target is 0 for t <= T, 1 for T < t <= 2T
    r0_factor: float = 10.0             # training starts at r0 = r0_factor * r*
    c_values: tuple = (0.1, 1.0)        # Fig. 2A: finite confidences
    x_star: float = 10.0                # Fig. 2A: activation threshold
    dt: float = 0.1                     # Fig. 2A: forward-Euler step
    lrs_bc: tuple = (1e-10, 1e-9)       # Fig. 2B-C: one rate below alpha*, one above
    epochs_bc: int = 3000               # Fig. 2B-C
    lr_decades: tuple = (-11.0, -8.0)   # Fig. 2D: rates logspace(*lr_decades, n_lrs)
    n_lrs: int = 100                    # Fig. 2D
    repeats: int = 10                   # Fig. 2D: instances, repeat i seeded with i
    r0_noise: float = 0.1               # Fig. 2D: r0 = 10 r* + N(0, (r0_noise r*)^2)
    epochs_sweep: int = 10_000          # Fig. 2D
    scaling_T: tuple = (30.0, 300.0)    # alpha* ~ T^-5: delays spanning a decade
    n_scaling: int = 7                  # number of delays in that range

    @property
    def r_star(self):
        return toy.optimal_r(self.T)

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)


TOY = ToySettings()


def fig2bc(s=TOY):
    """Fig. 2B-C: gradient descent from ``10 r*`` at the two learning rates."""
    return toy.train(s.r0_factor * s.r_star, np.array(s.lrs_bc), s.epochs_bc, s.T)


def fig2d_initial_r(s=TOY):
    """Fig. 2D's initial conditions, shape ``(repeats, 1)``: repeat ``i`` uses seed ``i``."""
    noise = [np.random.default_rng(i).normal(0.0, s.r0_noise * s.r_star) for i in range(s.repeats)]
    return (s.r0_factor * s.r_star + np.array(noise))[:, None]


def fig2d(s=TOY, record_every=100):
    """Fig. 2D: every learning rate and instance in one broadcast ``train`` call.

    Returns a :class:`ghostbook.toy.ToyRun` with batch shape ``(repeats, n_lrs)``.
    """
    return toy.train(fig2d_initial_r(s), s.lrs[None, :], s.epochs_sweep, s.T, record_every)


def critical_rate_scaling(s=TOY):
    """Empirical critical learning rate over a decade of ``T`` and its log-log slope."""
    T = np.geomspace(*s.scaling_T, s.n_scaling)
    alpha = np.asarray(toy.empirical_critical_learning_rate(T))
    slope, _ = np.polyfit(np.log(T), np.log(alpha), 1)
    return T, alpha, float(slope)


# --- Rank-one RNNs: Figs. 3, S1 and 4 -----------------------------------------------------
# Each figure has settings at two scales, ``quick`` (what a chapter computes in CI or on
# Binder) and ``paper`` (what the paper ran, cached under results/ by the CLI), and one
# function computing a dict of arrays from them. Histories are thinned (every
# ``record_every`` epochs) so that cached paper-scale results stay small.


@dataclass(frozen=True)
class Fig3Settings:
    """Fig. 3: one network (seed 40) at a low (A) and a high (B) learning rate."""

    seed: int = 40
    lr_a: float = 0.003            # Fig. 3A: abrupt learning through a ghost
    epochs_a: int = 500_000
    record_every_a: int = 10       # loss and gradient norm kept every this many epochs
    snapshot_every_a: int = 1000   # parameters kept for the latent analysis
    lr_b: float = 0.02             # Fig. 3B: the saddle-node bifurcation
    epochs_b: int = 6000
    snapshot_every_b: int = 10
    nudged_copies: int = 64        # Fig. 3B's network, one parameter moved by one ulp per copy
    nudge_seed: int = 0            # picks which parameter each copy moves, and which way
    c: float = 10.0
    dtype: str = "float32"


@dataclass(frozen=True)
class FigS1Settings:
    """Fig. S1: final loss against learning rate, seeds 0..seeds-1."""

    lr_decades: tuple = (-4.0, -1.0)
    n_lrs: int = 30
    seeds: int = 10
    epochs: int = 200_001
    record_every: int = 1000
    c: float = 10.0
    dtype: str = "float32"

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)


@dataclass(frozen=True)
class Fig4Settings:
    """Fig. 4: 100 networks at lr 0.02, then recovery at lower confidence."""

    seeds: int = 100
    lr: float = 0.02
    epochs: int = 6000
    c: float = 10.0
    last: int = 50                        # "stuck": max accuracy over the last 50 epochs <= 0.5
    recovery_c_decades: tuple = (-3.0, 1.0)
    n_recovery_c: int = 30
    recovery_epochs: int = 100
    record_every: int = 10
    autograd_seeds: int = 100             # rounding study: seeds also trained by PyTorch autograd
    dtype: str = "float32"

    @property
    def recovery_c(self):
        return np.logspace(*self.recovery_c_decades, self.n_recovery_c)


@dataclass(frozen=True)
class FigS2Settings:
    """Fig. S2: rank-K networks (``W = M N``, readout Eq. 18) and full-rank ones (``W`` trained
    directly), every (learning rate, seed) pair of a rank in one ensemble. Full-rank networks
    also get the low-rank analysis of their change ``Delta W`` at log-spaced snapshots."""

    ranks: tuple = (1, 2, 3, 4, 5, 10, 30, 50, 100)
    lr_decades: tuple = (-3.0, 0.0)      # the authors' grid: logspace(-3, 0, 10) ...
    n_lrs: int = 10
    lr_subset: tuple = tuple(range(10))  # ... of which these are trained (Fig. S2 shows 1, 4, 7)
    seeds: int = 10
    epochs: int = 30_000                 # the paper: 500,000 (see the chapter for the cost)
    n_records: int = 120                 # loss kept at this many log-spaced epochs
    n_snapshots: int = 16                # full rank: Delta W at this many log-spaced epochs
    max_rank: int = 10                   # full rank: truncations of Delta W at R = 0 .. max_rank
    learned_below: float = 1e-2          # "learned": final loss / first loss below this
    dtype: str = "float32"

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)[list(self.lr_subset)]

    @property
    def arms(self):
        return tuple(str(k) for k in self.ranks) + ("full",)


SCALES = {
    "fig3": {"paper": Fig3Settings(), "quick": Fig3Settings(epochs_a=60_000, snapshot_every_a=500)},
    "figS1": {"paper": FigS1Settings(),
              "quick": FigS1Settings(n_lrs=10, seeds=4, epochs=20_001, record_every=500)},
    "fig4": {"paper": Fig4Settings(), "quick": Fig4Settings(autograd_seeds=20)},
    "figS2": {"paper": FigS2Settings(),
              "quick": FigS2Settings(lr_subset=(1, 4, 7), seeds=2, epochs=5000, n_records=60,
                                     n_snapshots=8)},
}
"""Every RNN figure's settings, at both scales, in one table."""


def _snapshots(every, epochs):
    return np.arange(0, epochs + 1, every)


def _record(history, every):
    """Thin an ``(E, B)`` history to epochs ``0, every, 2 every, ...``."""
    return np.ascontiguousarray(history[::every])


def nudged_copies(params, copies, seed=0):
    """``copies`` copies of one network (``params`` with a network axis of length 1): copy 0
    unchanged, every other with one non-zero parameter, chosen at random, moved to the next
    representable number up or down. Rounding differs between implementations by that
    much; how far the copies' training histories part shows how much it matters. (A zero
    bias would move to a subnormal number that rounds away in ``m kappa + b``.)"""
    if params.batch_shape != (1,):
        raise ValueError(f"params must hold one network, got batch shape {params.batch_shape}")
    copies = positive_int("copies", copies)
    theta = np.repeat(params.flat(), copies, axis=0)                 # (copies, P)
    rng = np.random.default_rng(seed)
    which = rng.choice(np.flatnonzero(theta[0]), copies)
    up = rng.random(copies) < 0.5
    rows = np.arange(1, copies)
    theta[rows, which[1:]] = np.nextafter(theta[rows, which[1:]],
                                          np.where(up[1:], np.inf, -np.inf).astype(theta.dtype))
    return params.with_flat(theta)


def fig3_rounding(s):
    """How rounding decides Fig. 3B's fate: seed ``s.seed`` at ``s.lr_b`` in float64, with
    PyTorch autograd in float32 (another summation order), and as ``s.nudged_copies``
    one-ulp copies. Accuracy histories ``(epochs_b, runs)``."""
    from . import train

    init = rnn.init_rank_one([s.seed], dtype=np.dtype(s.dtype))
    wide = train.train_rank_one([s.seed], s.lr_b, s.epochs_b, c=s.c, dtype=np.float64, progress=False)
    autograd = train.train_reference(init, s.lr_b, s.epochs_b, c=s.c)
    nudged = train.train_rank_one(None, s.lr_b, s.epochs_b, c=s.c, progress=False,
                                  init=nudged_copies(init, s.nudged_copies, s.nudge_seed))
    return {"accuracy_b_float64": wide.accuracy[:, 0], "accuracy_b_autograd": autograd.accuracy[:, 0],
            "accuracy_b_nudged": nudged.accuracy}


def fig3(s, progress=None):
    """Fig. 3A and 3B: histories and parameter snapshots of seed ``s.seed``, and the rounding
    study of 3B (:func:`fig3_rounding`)."""
    from . import train  # compiled kernels load on first use, not on import of this module

    out = fig3_rounding(s)
    for tag, lr, epochs, every, snap in (("a", s.lr_a, s.epochs_a, s.record_every_a, s.snapshot_every_a),
                                         ("b", s.lr_b, s.epochs_b, 1, s.snapshot_every_b)):
        run = train.train_rank_one([s.seed], lr, epochs, c=s.c, dtype=np.dtype(s.dtype),
                                   snapshot_epochs=_snapshots(snap, epochs), progress=progress)
        out[f"loss_{tag}"] = _record(run.loss[:, 0], every)
        out[f"grad_norm_{tag}"] = _record(run.grad_norm[:, 0], every)
        out[f"accuracy_{tag}"] = _record(run.accuracy[:, 0], every)
        out[f"snapshot_epochs_{tag}"] = run.snapshot_epochs
        for name in ("m", "n", "b"):
            out[f"{name}_{tag}"] = getattr(run.snapshots, name)[:, 0]     # (S, N)
    return out


def figS1(s, progress=None):
    """Fig. S1: every (learning rate, seed) pair trained together; axes (lr, seed)."""
    from . import train

    lrs, seeds = np.repeat(s.lrs, s.seeds), np.tile(np.arange(s.seeds), s.n_lrs)
    run = train.train_rank_one(seeds.tolist(), lrs, s.epochs, c=s.c, dtype=np.dtype(s.dtype),
                               progress=progress)
    shape = (s.n_lrs, s.seeds)
    return {"lrs": s.lrs, "final_loss": run.loss[-1].reshape(shape),
            "loss": _record(run.loss, s.record_every).reshape((-1,) + shape)}


def stuck_networks(accuracy, last):
    """Fig. 4's definitions on an ``(E, B)`` accuracy history: which networks learned at
    some point (max accuracy > 0.5) and which of those ended stuck (max accuracy over the
    last ``last`` epochs <= 0.5)."""
    learned = accuracy.max(axis=0) > 0.5
    return learned, learned & (accuracy[-last:].max(axis=0) <= 0.5)


def fate_epochs(accuracy, last):
    """Epochs of the fates on an ``(E, B)`` accuracy history: ``learn (B,)``, the first epoch
    with accuracy above chance (-1 if none), and ``stuck (B,)``, for networks that ended
    stuck (:func:`stuck_networks`) the epoch from which accuracy stayed at chance (-1 for
    the others)."""
    above = accuracy > 0.5
    learned, stuck = stuck_networks(accuracy, last)
    learn = np.where(learned, above.argmax(axis=0), -1)
    from_ = accuracy.shape[0] - above[::-1].argmax(axis=0)
    return learn, np.where(stuck, from_, -1)


def fig4(s, progress=None):
    """Fig. 4: 100 networks at lr 0.02; the stuck ones retrained at 30 lower confidences
    (:func:`recovery`)."""
    from . import train

    seeds = list(range(s.seeds))
    run = train.train_rank_one(seeds, s.lr, s.epochs, c=s.c, dtype=np.dtype(s.dtype),
                               progress=progress)
    learned, stuck = stuck_networks(run.accuracy, s.last)
    return {"accuracy": run.accuracy, "loss": _record(run.loss, s.record_every),
            "grad_norm": _record(run.grad_norm, s.record_every), "learned": learned,
            "stuck": stuck, "recovery_c": s.recovery_c,
            **recovery(run.params[np.flatnonzero(stuck)], s.recovery_c, s),
            **{f"final_{k}": v for k, v in run.params.arrays().items()},
            **fig4_rounding(s)}


def recovery(params, confidences, s):
    """Copies of ``params`` (``B`` networks) at every confidence ``c``, trained
    ``s.recovery_epochs`` more epochs at ``s.lr`` in one ensemble (the loss uses the new ``c``).
    Returns the loss and accuracy histories ``(c, epoch, B)`` and, after the last epoch,
    the accuracy (which does not depend on ``c``) and the loss back at ``s.c``, ``(c, B)``."""
    from . import train

    k, B = len(confidences), params.batch_shape[0]
    if not B:
        empty = np.empty((k, s.recovery_epochs, 0), np.dtype(s.dtype))
        return {"recovery_loss": empty, "recovery_accuracy": empty.astype(float),
                "recovery_final_accuracy": empty[:, 0].astype(float), "recovery_final_loss": empty[:, 0]}
    tiled = type(params)(**{f: np.tile(v, (k,) + (1,) * (v.ndim - 1)) for f, v in params.arrays().items()})
    again = train.train_rank_one(None, s.lr, s.recovery_epochs, c=np.repeat(confidences, B),
                                 init=tiled, progress=False)
    final_loss, final_acc = train.evaluate(again.params, c=s.c)
    return {"recovery_loss": again.loss.reshape(-1, k, B).transpose(1, 0, 2),
            "recovery_accuracy": again.accuracy.reshape(-1, k, B).transpose(1, 0, 2),
            "recovery_final_accuracy": final_acc.reshape(k, B),
            "recovery_final_loss": final_loss.reshape(k, B)}


def fig4_rounding(s):
    """How rounding changes Fig. 4's fates: the same networks trained in float64, and the
    first ``s.autograd_seeds`` of them in float32 by PyTorch autograd (the reference path:
    same arithmetic, another summation order). Running a network alone or in the ensemble
    changes nothing (the compiled trainer does the same operations either way; tested), so it
    is not a third arm."""
    from . import train

    seeds = list(range(s.seeds))
    wide = train.train_rank_one(seeds, s.lr, s.epochs, c=s.c, dtype=np.float64, progress=False)
    autograd = train.train_reference(rnn.init_rank_one(seeds[:s.autograd_seeds],
                                                       dtype=np.dtype(s.dtype)), s.lr, s.epochs, c=s.c)
    learned64, stuck64 = stuck_networks(wide.accuracy, s.last)
    learned_ag, stuck_ag = stuck_networks(autograd.accuracy, s.last)
    return {"learned_float64": learned64, "stuck_float64": stuck64,
            "learned_autograd": learned_ag, "stuck_autograd": stuck_ag}


def log_epochs(epochs, n):
    """About ``n`` distinct epochs from 0 to ``epochs`` (inclusive), log-spaced after 0."""
    return np.unique(np.concatenate([[0], np.geomspace(1, epochs, n - 1).astype(np.int64)]))


def figS2(s, progress=None):
    """Fig. S2: for each arm (rank ``K``, or ``"full"``) the recorded losses, axes
    ``(record, lr, seed)``, and the wall time; for the full-rank arm, the singular values of
    ``Delta W`` and the losses of its rank-R truncations at the snapshots."""
    from . import train

    lrs, seeds = np.repeat(s.lrs, s.seeds), np.tile(np.arange(s.seeds), len(s.lrs))
    shape = (len(s.lrs), s.seeds)
    records, snaps = log_epochs(s.epochs - 1, s.n_records), log_epochs(s.epochs, s.n_snapshots)
    out = {"lrs": s.lrs, "record_epochs": records, "snapshot_epochs": snaps}
    for arm in s.arms:
        rank = "full" if arm == "full" else int(arm)
        tic = time.perf_counter()
        run = train.train_rank_k(seeds.tolist(), rank, lrs, s.epochs, record_epochs=records,
                                 snapshot_epochs=snaps if arm == "full" else None,
                                 dtype=np.dtype(s.dtype), progress=progress)
        out[f"seconds_{arm}"] = np.float64(time.perf_counter() - tic)
        out[f"loss_{arm}"] = run.loss.reshape((-1,) + shape)
        out[f"grad_norm_{arm}"] = run.grad_norm.reshape((-1,) + shape)
        if arm == "full":
            out.update(delta_w_analysis(run.snapshots, s.max_rank, shape))
    return out


def figS2_summary(run, s, leave_below=0.9, reach_below=0.1, functional_below=0.05):
    """What Fig. S2's chapter and the report read off a :func:`figS2` result: per arm, the
    loss divided by its first value ``norm (E, lr, seed)``, which runs ``learned`` (final
    normalised loss below ``s.learned_below``), the first recorded epochs ``leave`` and
    ``reach`` at which the normalised loss is below ``leave_below`` (the end of the
    plateau) and ``reach_below`` (NaN if never), which ended ``stuck``
    (normalised loss above 0.5 and gradient norm below 1e-3 of its first value); and for
    the full-rank arm at the end, the share of ``|Delta W|_F^2`` in the first and the first
    three singular values and the ``functional`` rank (Schuessler et al.: the smallest
    truncation rank with loss below ``functional_below`` of the initial loss, -1 if none)."""
    from . import lowrank

    out = {key: {} for key in ("norm", "learned", "leave", "reach", "stuck")}
    epochs = run["record_epochs"]

    def first_below(norm, level):
        below = norm < level
        return np.where(below.any(axis=0), epochs[below.argmax(axis=0)], np.nan)

    for arm in s.arms:
        norm = run[f"loss_{arm}"] / run[f"loss_{arm}"][:1]
        grad = run[f"grad_norm_{arm}"]
        out["norm"][arm] = norm
        out["learned"][arm] = norm[-1] < s.learned_below
        out["leave"][arm] = first_below(norm, leave_below)
        out["reach"][arm] = first_below(norm, reach_below)
        out["stuck"][arm] = (norm[-1] > 0.5) & (grad[-1] < 1e-3 * grad[0])
    sv, cut = run["delta_sv"][-1], run["truncated_loss"][-1]          # (lr, seed, N), (lr, seed, R + 2)
    power = (sv**2).sum(-1)
    out["share1"], out["share3"] = sv[..., 0] ** 2 / power, (sv[..., :3] ** 2).sum(-1) / power
    out["functional"] = lowrank.functional_rank(cut[..., :-1], np.arange(cut.shape[-1] - 1),
                                                functional_below * run["loss_full"][0])
    return out


def delta_w_analysis(snapshots, max_rank, shape):
    """Low-rank analysis of full-rank snapshots with batch axes ``(S, B)``, ``B`` networks
    laid out as ``shape``: singular values of ``Delta W = W - W0``, ``(S, *shape, N)``, and the
    loss (float64) with ``Delta W`` replaced by its rank-R truncation, ``R = 0 .. max_rank``,
    then untruncated: ``(S, *shape, max_rank + 2)``."""
    from . import lowrank, rnn, train

    (S, B), N = snapshots.batch_shape, snapshots.neurons
    W = snapshots.W.astype(float)                                  # (S, B, N, N)
    delta = W - W[0]
    variants = np.concatenate([W[0] + lowrank.truncations(delta, np.arange(max_rank + 1)),
                               W[None]])                           # (R + 2, S, B, N, N)
    copies = len(variants)
    nets = rnn.FullRank(W=variants.reshape(-1, N, N),
                        b=np.tile(snapshots.b.reshape(-1, N), (copies, 1)).astype(float),
                        w_out=np.tile(snapshots.w_out.reshape(-1, N), (copies, 1)).astype(float),
                        b_out=np.tile(snapshots.b_out.reshape(-1), copies).astype(float))
    loss = train.evaluate(nets)[0].reshape((copies, S) + shape)
    return {"delta_sv": lowrank.singular_values(delta).reshape((S,) + shape + (N,)),
            "truncated_loss": np.moveaxis(loss, 0, -1)}


COMPUTE = {"fig3": fig3, "figS1": figS1, "fig4": fig4, "figS2": figS2}


def reproduce(name, scale="quick", progress=None, save=True):
    """Compute figure ``name`` at ``scale``; with ``save``, cache it as ``results/NAME-SCALE``."""
    if name not in COMPUTE:
        raise ValueError(f"name must be one of {sorted(COMPUTE)}, got {name!r}")
    if scale not in SCALES[name]:
        raise ValueError(f"scale must be one of {sorted(SCALES[name])}, got {scale!r}")
    settings = SCALES[name][scale]
    tic = time.perf_counter()
    arrays = COMPUTE[name](settings, progress=progress)
    meta = {"settings": results.canonical(settings), "wall_time_s": time.perf_counter() - tic}
    if save:
        meta = results.save(f"{name}-{scale}", arrays, settings, meta["wall_time_s"])
    return arrays, meta


def load_or_compute(name, progress=None):
    """A chapter's entry point: the cached paper-scale result if it is fresh, else the quick
    scale computed now (and not saved). Returns ``(arrays, scale, metadata)``."""
    cached = results.load(f"{name}-paper", SCALES[name]["paper"])
    if cached is not None:
        return cached[0], "paper", cached[1]
    arrays, meta = reproduce(name, "quick", progress=progress, save=False)
    return arrays, "quick", meta


# --- Schuessler et al. 2020: linear networks (Figs. 3-4) and the flip-flop task (Fig. 1) ---
# The companion paper's experiments, at the same two scales. ``linear`` trains every
# (g, z_hat, seed) linear network of Figs. 3-4 on Eq. 5's readout; ``flipflop`` trains the
# nonlinear networks of Fig. 1 (a, d, g, j) and truncates their connectivity changes.


@dataclass(frozen=True)
class LinearSettings:
    """Schuessler et al. Figs. 3-4: seed ``s`` is ``linear.init(N, g, s)`` for every g."""

    N: int = 1024
    gs: tuple = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    z_hats: tuple = (0.5, 1.0, 2.0)
    base_lrs: tuple = (0.015, 0.009, 0.003)   # one per target; lr = base * (1 - g^2)^2
    epochs: int = 200
    seeds: int = 5
    n_sv: int = 3                # leading singular values of Delta W recorded ...
    record_every: int = 2        # ... every this many epochs
    T: float = 101.0             # the finite trial that Eq. 5 stands for (Fig. 3a)
    dt: float = 0.5
    t_on: float = 1.0            # input switched on after one time unit
    shuffle_seed: int = 1000     # W0 of seed s is shuffled with seed shuffle_seed + s

    def lr(self, g, base):
        return base * (1 - g**2) ** 2


@dataclass(frozen=True)
class FlipFlopSettings:
    """Schuessler et al. Fig. 1 (a, d, g, j) on our flip-flop task (``flipflop.Task``)."""

    N: int = 256
    gs: tuple = (0.0, 0.3, 0.6, 0.9)
    seeds: int = 3
    epochs: int = 1000
    batch: int = 32
    lr_N: float = 0.05           # Adam learning rate lr_N / N
    task: FlipFlopTask = FlipFlopTask()   # pulses, trial length, dt (our choices)
    test_trials: int = 256       # fixed trials for the truncation losses
    test_seed: int = 12345
    max_rank: int = 20           # truncations at R = 0 .. max_rank; that many SVs kept


def linear_figs(s, progress=None):
    """Figs. 3-4 of Schuessler et al.: histories and end-of-training measures of every
    network, axes ``(g, z_hat, seed)``; ``z_trial`` is the finite trial after training."""
    from . import linear

    shape = (len(s.gs), len(s.z_hats), s.seeds)
    steps = int(round(s.T / s.dt))
    out = {"loss": np.empty(shape + (s.epochs + 1,)), "grad_norm": np.empty(shape + (s.epochs + 1,)),
           "sv": np.empty(shape + (s.epochs // s.record_every + 1, s.n_sv)),
           "delta_norm": np.empty(shape), "shuffled_loss": np.empty(shape),
           "z_inf": np.empty(shape), "z_trial": np.empty(shape + (steps + 1,)),
           "lr": np.array([[s.lr(g, b) for b in s.base_lrs] for g in s.gs])}
    with progress_bar(progress, int(np.prod(shape)), "net") as bar:
        for index in np.ndindex(*shape):
            i, j, seed = index
            net = linear.init(s.N, s.gs[i], seed)
            z_hat = s.z_hats[j]
            run = linear.train(net, z_hat, out["lr"][i, j], s.epochs, s.n_sv, s.record_every)
            shuffled = linear.shuffle(net.W0, s.shuffle_seed + seed) + run.delta_W
            out["loss"][index], out["grad_norm"][index], out["sv"][index] = run.loss, run.grad_norm, run.sv
            out["delta_norm"][index] = np.linalg.norm(run.delta_W)
            out["shuffled_loss"][index] = linear.loss(shuffled, net.m, net.w, z_hat)
            out["z_inf"][index] = linear.readout(run.W, net.m, net.w)
            out["z_trial"][index] = linear.simulate(run.W, net.m, net.w, s.T, s.dt, s.t_on)[1]
            bar.update()
    out["sv_epochs"] = np.arange(0, s.epochs + 1, s.record_every)
    return out


def flipflop_fig(s, progress=None):
    """Fig. 1 (a, d, g, j) of Schuessler et al.: training losses ``(g, seed, epoch)``, the
    leading singular values of Delta W, losses of the rank-R truncations (Eq. 4) on fixed
    test trials, and one test trial's outputs per g (seed 0)."""
    from . import flipflop

    task = s.task
    u, z_hat = flipflop.trials(task, s.test_trials, np.random.default_rng(s.test_seed))
    shape = (len(s.gs), s.seeds)
    out = {"loss": np.empty(shape + (s.epochs,)), "sv": np.empty(shape + (s.max_rank,)),
           "test_loss_initial": np.empty(shape), "truncated_loss": np.empty(shape + (s.max_rank + 1,)),
           "test_loss_final": np.empty(shape), "example_z": np.empty((len(s.gs),) + u[:, 0].shape),
           "example_u": u[:, 0], "example_z_hat": z_hat[:, 0]}
    with progress_bar(progress, int(np.prod(shape)), "net") as bar:
        for i, seed in np.ndindex(*shape):
            params = flipflop.init(s.N, s.gs[i], task.channels, seed)
            out["test_loss_initial"][i, seed] = flipflop.test_loss(params, task, u, z_hat)
            out["loss"][i, seed] = flipflop.train(params, task, s.lr_N / s.N, s.epochs, s.batch, seed)
            out["test_loss_final"][i, seed] = flipflop.test_loss(params, task, u, z_hat)
            out["sv"][i, seed] = np.linalg.svd(params.delta_W.double().numpy(), compute_uv=False)[:s.max_rank]
            out["truncated_loss"][i, seed] = flipflop.truncated_losses(params, task, u, z_hat,
                                                                      range(s.max_rank + 1))
            if seed == 0:
                out["example_z"][i] = flipflop.evaluate(params, task, u[:, :1])[:, 0]
            bar.update()
    return out


def linear_scalings(run, s):
    """Fig. 4 of Schuessler et al. from a :func:`linear_figs` result: per ``(g, z_hat, seed)``
    the convergence time to 5% of the initial loss, the norm of the final Delta W and the
    mean gradient norm over ``[0, tau*]``, each divided by its mean at ``g = 0``, and the
    loss after shuffling W0 over the initial loss; ``first_order`` gives each as a function
    of ``g`` (the paper's dashed lines)."""
    from . import linear

    epochs = np.arange(s.epochs + 1)
    shape = run["delta_norm"].shape
    tau_star, grad_mean = np.empty(shape), np.empty(shape)
    for i, j, k in np.ndindex(*shape):
        tau = run["lr"][i, j] * epochs
        tau_star[i, j, k] = linear.convergence_tau(tau, run["loss"][i, j, k])
        grad_mean[i, j, k] = run["grad_norm"][i, j, k][tau <= tau_star[i, j, k]].mean()

    def relative(x):
        return x / x[0].mean(axis=-1)[None, :, None]

    measures = {"tau_star": relative(tau_star), "delta_norm": relative(run["delta_norm"]),
                "grad_mean": relative(grad_mean), "shuffled": run["shuffled_loss"] / run["loss"][..., 0]}
    first_order = {"tau_star": linear.first_order_time, "delta_norm": lambda g: 1 / linear.beta(g),
                   "grad_mean": linear.beta,
                   "shuffled": lambda g: linear.shuffled_loss_theory(1.0, g) / 0.5}   # over L0 = 1/2
    return measures, first_order


SCALES.update({
    "linear": {"paper": LinearSettings(),
               "quick": LinearSettings(N=256, gs=(0.0, 0.3, 0.6, 0.9), seeds=2, record_every=4)},
    "flipflop": {"paper": FlipFlopSettings(),
                 "quick": FlipFlopSettings(N=64, gs=(0.0, 0.9), seeds=1, epochs=300, test_trials=64)},
})
COMPUTE.update({"linear": linear_figs, "flipflop": flipflop_fig})
