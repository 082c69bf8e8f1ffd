"""Every definition that turns runs into claims, each in one place.

The chapters and the reproduction report call these; neither computes a claim itself.
Thresholds come from :mod:`ghostbook.settings` (passed in by the caller from a figure's
settings), so a definition and its number never drift apart.

Fates, one name each:

* ``learned``: a run's final loss is below a threshold (toy model: ``L/T < 0.5``; Fig. S1:
  loss < 0.5; Fig. S2: loss / first loss < 1e-2).
* ``ever_learned`` / ``ended_stuck`` (Fig. 4): accuracy above chance at some epoch; and of
  those, accuracy at chance over the last epochs. "Stuck" means only this.
* ``ToyRun.ended_in_zone`` (toy model): ``r`` ended below ``r*/4``, the no-learning zone.
* ``stalled`` (Fig. S2): loss back near its first value with a vanished gradient, the RNN's
  no-learning zone read off the loss alone.
"""
from dataclasses import dataclass

import numpy as np

from . import latent, lowrank, rnn
from .settings import RNN

# --- Fates ------------------------------------------------------------------------------------


def learned(final_loss, below):
    """Runs whose final loss is below ``below``."""
    return np.asarray(final_loss) < below


def ever_learned(accuracy):
    """Fig. 4: networks whose accuracy ``(E, B)`` exceeded chance (0.5) at some epoch."""
    return np.asarray(accuracy).max(axis=0) > 0.5


def ended_stuck(accuracy, last):
    """Fig. 4: networks that learned at some point and whose accuracy stayed at or below
    0.5 over the last ``last`` epochs of ``accuracy (E, B)``."""
    accuracy = np.asarray(accuracy)
    return ever_learned(accuracy) & (accuracy[-last:].max(axis=0) <= 0.5)


NEVER, KEPT, STUCK = 0, 1, 2
"""The three fates of a Fig. 4 network."""


def fates(ever, stuck):
    """``NEVER`` (never learned), ``KEPT`` (learned and kept it) or ``STUCK`` per network."""
    return np.where(stuck, STUCK, np.where(ever, KEPT, NEVER))


def fate_epochs(accuracy, last):
    """On an ``(E, B)`` accuracy history: ``learn (B,)``, the first epoch above chance (-1 if
    none), and ``stuck (B,)``, for networks that :func:`ended_stuck`, the epoch from which
    accuracy stayed at chance (-1 for the others)."""
    above = np.asarray(accuracy) > 0.5
    learn = np.where(above.any(axis=0), above.argmax(axis=0), -1)
    from_ = above.shape[0] - above[::-1].argmax(axis=0)
    return learn, np.where(ended_stuck(accuracy, last), from_, -1)


def stalled(norm_loss, grad_norm, loss_above, grad_below):
    """Fig. S2: runs whose loss / first loss ended above ``loss_above`` with a gradient norm
    below ``grad_below`` times its first value. Histories ``(E, ...)``."""
    return (norm_loss[-1] > loss_above) & (grad_norm[-1] < grad_below * grad_norm[0])


def binomial_z(count, n, p):
    """How many binomial standard errors ``count`` lies from ``p n``: ``(z, se)``."""
    se = np.sqrt(n * p * (1 - p))
    return (count - p * n) / se, se


def first_below(values, level, epochs=None):
    """First epoch (index, or entry of ``epochs``) at which ``values (E, ...)`` is below
    ``level``; NaN where it never is."""
    values = np.asarray(values)
    below = values < level
    index = below.argmax(axis=0)
    at = index if epochs is None else np.asarray(epochs)[index]
    return np.where(below.any(axis=0), at, np.nan)


# --- The learning-rate window (Figs. 2D, S1) ----------------------------------------------------


@dataclass(frozen=True)
class LRWindow:
    """Which learning rates learn: every run, some, or none."""

    lrs: np.ndarray        # (n_lrs,) the grid
    n_learned: np.ndarray  # (n_lrs,) runs that learned at each rate
    runs: int              # runs per rate
    all_up_to: float       # largest rate at which every run learned
    none_from: float       # smallest rate above that at which none did (NaN if none)
    any_from: float        # smallest rate at which any run learned (NaN if none)

    @property
    def mixed(self):
        """Rates strictly between ``all_up_to`` and ``none_from``: mixed fates."""
        upper = np.inf if np.isnan(self.none_from) else self.none_from
        return self.lrs[(self.lrs > self.all_up_to) & (self.lrs < upper)]

    @property
    def fails_from(self):
        """The smallest rate above ``all_up_to`` from which, at it and at every larger
        rate, at most half the runs learned (NaN if the largest rate has more): where
        most runs fail for good, though single runs may still learn above it."""
        above = self.lrs > self.all_up_to
        most_fail = above & (self.n_learned * 2 <= self.runs)
        # the suffix of the grid where every rate has most runs failing
        tail = np.flip(np.cumprod(np.flip(most_fail)).astype(bool))
        return float(self.lrs[tail].min()) if tail.any() else np.nan

    @property
    def width(self):
        """``none_from / all_up_to``: how narrow the edge is."""
        return self.none_from / self.all_up_to


def lr_window(lrs, learned_runs):
    """The window of a sweep: ``learned_runs (runs, n_lrs)`` says which run learned."""
    lrs, learned_runs = np.asarray(lrs), np.asarray(learned_runs, dtype=bool)
    n = learned_runs.sum(axis=0)
    runs = learned_runs.shape[0]
    every = lrs[n == runs]
    if not every.size:
        raise ValueError("no learning rate at which every run learned")
    all_up_to = float(every.max())
    none = lrs[(lrs > all_up_to) & (n == 0)]
    some = lrs[n > 0]
    return LRWindow(lrs=lrs, n_learned=n, runs=runs, all_up_to=all_up_to,
                    none_from=float(none.min()) if none.size else np.nan,
                    any_from=float(some.min()) if some.size else np.nan)


def slow_edge(lrs, learned_by_epoch, upto=np.inf):
    """The slow end of the window as training goes on: for each epoch of
    ``learned_by_epoch`` (``{epoch: (runs, n_lrs) bool}``), the smallest rate up to ``upto``
    at which some run has learned by then; NaN where none has."""
    lrs = np.asarray(lrs)
    out = {}
    for epoch, learned_runs in sorted(learned_by_epoch.items()):
        some = np.asarray(learned_runs, dtype=bool).any(axis=0) & (lrs <= upto)
        out[epoch] = float(lrs[some].min()) if some.any() else np.nan
    return out


def mean_sem(values, axis=0):
    """Mean and standard error of the mean (``std / sqrt(n)``, ``ddof = 0``, the authors')."""
    values = np.asarray(values)
    return values.mean(axis=axis), values.std(axis=axis) / np.sqrt(values.shape[axis])


# --- The toy model's drop (Fig. 2B) -------------------------------------------------------------


@dataclass(frozen=True)
class Drop:
    """Where a descending loss history leaves its plateau."""

    half: int       # first epoch with loss below half the maximum (T/2 for the toy model)
    tenth: int      # first epoch below a tenth of it
    steepest: int   # epoch of the largest one-epoch fall before the first rise


def toy_drop(loss, T):
    """The drop of a toy-model loss history ``(E,)`` (unnormalised, maximum ``T``)."""
    loss = np.asarray(loss)
    fall = -np.diff(loss)
    first_rise = int(np.argmax(fall < 0)) if (fall < 0).any() else fall.size
    return Drop(half=int(first_below(loss, T / 2)), tenth=int(first_below(loss, T / 10)),
                steepest=int(np.argmax(fall[:first_rise])))


# --- Latent circuits of rank-one networks (Fig. 3) ------------------------------------------------


@dataclass(frozen=True)
class GhostGeometry:
    """The slowest ghost of each network (NaN where there is none) and the flow at the
    threshold, arrays over the leading axis of the parameters."""

    kappa: np.ndarray       # location of the slowest ghost
    speed: np.ndarray       # |f| there
    curvature: np.ndarray   # f'' there
    f_star: np.ndarray      # f(kappa*): the step, over Delta, with which kappa crosses kappa*


def ghost_geometry(params):
    """:class:`GhostGeometry` of every network in a :class:`~ghostbook.rnn.RankOne` with one
    leading axis (e.g. snapshots), in float64."""
    m, n, b = (np.asarray(a, dtype=float) for a in (params.m, params.n, params.b))
    out = np.full((4, m.shape[0]), np.nan)
    for i in range(m.shape[0]):
        g = latent.classify(m[i], n[i], b[i]).slowest_ghost
        out[3, i] = latent.flow(RNN.kappa_star, m[i], n[i], b[i])
        if g is not None:
            out[:3, i] = g.kappa, g.speed, latent.flow_derivatives(g.kappa, m[i], n[i], b[i])[1]
    return GhostGeometry(*out)


@dataclass(frozen=True)
class Bifurcation:
    """A change of the number of fixed points, pinned to the epoch by a rerun."""

    epoch: int                     # first epoch whose count differs from the count at ``lo``
    before: rnn.RankOne            # parameters one epoch before (one network, axis of length 1)
    after: rnn.RankOne             # parameters at ``epoch``
    history: latent.LatentHistory  # latent history of every epoch lo .. hi
    loss: np.ndarray               # (hi - lo,) the rerun's losses, for comparison with a record


def pin_bifurcation(params, lo, hi, lr, c=RNN.c):
    """Continue one rank-one network (``params`` after ``lo`` updates, a network axis of
    length 1) to epoch ``hi`` with a snapshot at every epoch, and find where its count of
    fixed points first changes. Raises ``ValueError`` if it does not change in ``lo .. hi``."""
    from . import train

    run = train.train_rank_one(None, lr, hi - lo, c=c, init=params,
                               snapshot_epochs=np.arange(hi - lo + 1), progress=False)
    p = run.snapshots
    every = latent.history(p[:, 0], epochs=lo + run.snapshot_epochs)
    counts = every.n_fixed_points
    if counts[-1] == counts[0]:
        raise ValueError(f"the count of fixed points does not change between epochs {lo} and {hi}")
    k = int(np.argmax(counts != counts[0]))
    return Bifurcation(epoch=lo + k, before=p[k - 1], after=p[k], history=every,
                       loss=run.loss[:, 0])


# --- Fig. S2 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArmSummary:
    """One arm of Fig. S2 (a rank, or the directly trained ``W``); arrays ``(n_lrs, seeds)``
    unless said otherwise."""

    norm: np.ndarray      # (records, n_lrs, seeds) loss / first loss
    learned: np.ndarray   # final normalised loss below the paper's 1e-2
    leave: np.ndarray     # first recorded epoch below `leave_below` (end of the plateau), NaN never
    reach: np.ndarray     # first recorded epoch below `reach_below`, NaN never
    stalled: np.ndarray   # see :func:`stalled`

    def median(self, name):
        """Median over the seeds that got there, NaN if none did: ``(n_lrs,)``."""
        values = getattr(self, name)
        return np.array([np.nanmedian(v) if np.isfinite(v).any() else np.nan for v in values])


@dataclass(frozen=True)
class FigS2Summary:
    """What the sloppy-ranks chapter and the report read off a Fig. S2 run."""

    arms: dict                # arm name -> ArmSummary
    lrs: np.ndarray           # (n_lrs,)
    record_epochs: np.ndarray
    share1: np.ndarray        # full W at the end: share of |Delta W|_F^2 in s_1, (n_lrs, seeds)
    share3: np.ndarray        # ... in s_1..s_3
    functional: np.ndarray    # smallest truncation rank with loss below 5% of the initial, -1 none

    def speedup(self, lr_index, slow="1", fast="100"):
        """Median epochs to ``reach_below`` of arm ``slow`` over those of arm ``fast``."""
        reach = {a: self.arms[a].median("reach")[lr_index] for a in (slow, fast)}
        return reach[slow] / reach[fast]

    def rank_trend(self, lr_index, ranks):
        """Correlation of log rank with log median epochs to ``reach_below``."""
        epochs = [self.arms[str(k)].median("reach")[lr_index] for k in ranks]
        return float(np.corrcoef(np.log(ranks), np.log(epochs))[0, 1])


def figS2_summary(run, s):
    """A :func:`ghostbook.experiments.figS2` result read with the thresholds of ``s``."""
    epochs = run["record_epochs"]
    arms = {}
    for arm in s.arms:
        norm = run[f"loss_{arm}"] / run[f"loss_{arm}"][:1]
        arms[arm] = ArmSummary(norm=norm, learned=learned(norm[-1], s.learned_below),
                               leave=first_below(norm, s.leave_below, epochs),
                               reach=first_below(norm, s.reach_below, epochs),
                               stalled=stalled(norm, run[f"grad_norm_{arm}"], s.stalled_loss,
                                               s.stalled_grad))
    sv, cut = run["delta_sv"][-1], run["truncated_loss"][-1]     # (lr, seed, N), (lr, seed, R + 2)
    power = (sv**2).sum(-1)
    functional = lowrank.functional_rank(cut[..., :-1], np.arange(cut.shape[-1] - 1),
                                         s.functional_below * run["loss_full"][0])
    return FigS2Summary(arms=arms, lrs=run["lrs"], record_epochs=epochs,
                        share1=sv[..., 0] ** 2 / power,
                        share3=(sv[..., :3] ** 2).sum(-1) / power, functional=functional)


def delta_w_analysis(snapshots, max_rank, shape):
    """Low-rank analysis of full-rank snapshots with batch axes ``(S, B)``, ``B`` networks
    laid out as ``shape``: singular values of ``Delta W = W - W0``, ``(S, *shape, N)``, and the
    loss (float64) with ``Delta W`` replaced by its rank-R truncation (Schuessler Eq. 4),
    ``R = 0 .. max_rank``, then untruncated: ``(S, *shape, max_rank + 2)``."""
    from . import train

    (S, B), N = snapshots.batch_shape, snapshots.neurons
    W = snapshots.W.astype(float)                                  # (S, B, N, N)
    delta = W - W[0]
    variants = np.concatenate([W[0] + lowrank.truncations(delta, np.arange(max_rank + 1)),
                               W[None]])                           # (R + 2, S, B, N, N)
    copies = len(variants)

    def tiled(a):
        return np.tile(a.reshape((S * B,) + a.shape[2:]), (copies,) + (1,) * (a.ndim - 2))

    nets = rnn.FullRank(W=variants.reshape(-1, N, N), b=tiled(snapshots.b).astype(float),
                        w_out=tiled(snapshots.w_out).astype(float),
                        b_out=tiled(snapshots.b_out).astype(float))
    loss = train.evaluate(nets)[0].reshape((copies, S) + shape)
    return {"delta_sv": lowrank.singular_values(delta).reshape((S,) + shape + (N,)),
            "truncated_loss": np.moveaxis(loss, 0, -1)}


# --- Schuessler et al.: the linear networks' scalings (their Fig. 4) -----------------------------


def beta_scaling(s):
    """Schuessler Eq. 12 at finite N, at the sizes, seeds and g of ``s`` (LinearSettings):
    ``(Ns, deviation, slope, intercept)`` of :func:`ghostbook.linear.beta_scaling`."""
    from . import linear

    Ns = np.array(s.beta_Ns)
    return (Ns, *linear.beta_scaling(Ns, s.beta_seeds, s.beta_g))


def linear_scalings(run, s):
    """Schuessler Fig. 4 from a :func:`ghostbook.experiments.linear_figs` result: per
    ``(g, z_hat, seed)`` the convergence time to ``s.converged_below`` of the initial loss,
    the norm of the final Delta W and the mean gradient norm over ``[0, tau*]``, each divided
    by its mean at ``g = 0``, and the loss after shuffling W0 over the initial loss;
    ``first_order`` gives each as a function of ``g`` (the paper's dashed lines)."""
    from . import linear

    epochs = np.arange(s.epochs + 1)
    shape = run["delta_norm"].shape
    tau_star, grad_mean = np.empty(shape), np.empty(shape)
    for i, j, k in np.ndindex(*shape):
        tau = run["lr"][i, j] * epochs
        tau_star[i, j, k] = linear.convergence_tau(tau, run["loss"][i, j, k], s.converged_below)
        grad_mean[i, j, k] = run["grad_norm"][i, j, k][tau <= tau_star[i, j, k]].mean()

    def relative(x):
        return x / x[0].mean(axis=-1)[None, :, None]

    measures = {"tau_star": relative(tau_star), "delta_norm": relative(run["delta_norm"]),
                "grad_mean": relative(grad_mean),
                "shuffled": run["shuffled_loss"] / run["loss"][..., 0]}
    first_order = {"tau_star": linear.first_order_time, "delta_norm": lambda g: 1 / linear.beta(g),
                   "grad_mean": linear.beta,
                   "shuffled": lambda g: linear.shuffled_loss_theory(1.0, g) / 0.5}  # L0 = 1/2
    return measures, first_order


# --- Schuessler Figs. 1-2: nonlinear tasks -------------------------------------------------


@dataclass(frozen=True)
class NonlinearSummary:
    """Schuessler Fig. 2 on one task, as the authors compute it. Per ``(g, sample)``:
    ``epochs`` (first epoch with raw loss below ``converged_below x loss[0]``, NaN if
    never), ``delta_norm`` (Frobenius norm of the final Delta W), ``shuffled`` (loss with
    ``W0`` shuffled over ``loss[0]``), ``rank`` (functional rank: first ``R`` whose
    truncated loss is below ``functional_below`` x the loss at ``R = 0``, NaN if none) and
    ``relative`` (truncated losses over the loss at ``R = 0``, last axis ``R``). A sample
    is ``valid`` when it has both an epoch and a rank above 0; :meth:`by_g` averages the
    valid ones at each ``g`` with at least ``min_valid`` of them (mean, s.d.; NaN elsewhere),
    as the authors plot Fig. 2."""

    gs: np.ndarray
    epochs: np.ndarray
    delta_norm: np.ndarray
    shuffled: np.ndarray
    rank: np.ndarray
    relative: np.ndarray
    min_valid: int

    @property
    def valid(self):
        return (self.epochs > 0) & (self.rank > 0)

    def by_g(self, name):
        values = getattr(self, name)
        mean, sd = np.full(len(self.gs), np.nan), np.full(len(self.gs), np.nan)
        for i in range(len(self.gs)):
            ok = self.valid[i]
            if ok.sum() >= self.min_valid:
                mean[i], sd[i] = values[i][ok].mean(), values[i][ok].std()
        return mean, sd


def nonlinear_summary(run, s):
    """A :class:`NonlinearSummary` of a :func:`ghostbook.experiments.nonlinear_fig` result
    ``run`` computed with settings ``s``."""
    loss = np.moveaxis(run["loss"], -1, 0)                          # (epochs, g, sample)
    relative = run["truncated_loss"] / run["truncated_loss"][..., :1]
    rank = lowrank.functional_rank(relative, run["ranks"], np.full(relative.shape[:-1],
                                                                   s.functional_below))
    return NonlinearSummary(np.asarray(s.gs), first_below(loss, s.converged_below * loss[0]),
                            run["delta_norm"], run["shuffled_loss"] / run["loss"][..., 0],
                            np.where(rank < 0, np.nan, rank).astype(float), relative,
                            s.min_valid)


@dataclass(frozen=True)
class LSTMSummary:
    """Schuessler Fig. 5 on the stand-in: ``final`` validation accuracy; ``above_W0``, how
    many singular values of Delta W exceed the largest of ``W0``; ``energy[k]``, the share
    of ``||Delta W||^2`` in its ``k`` largest singular values (``k = 1, 2, ...``); and
    ``rank_within[t]``, the smallest truncation rank of each kind ``t`` (``"dW"``, ``"W"``)
    whose accuracy is within ``within`` of ``final`` (NaN if none)."""

    final: float
    above_W0: int
    energy: np.ndarray
    rank_within: dict
    within: float


def lstm_summary(run, within):
    """An :class:`LSTMSummary` of a :func:`ghostbook.lstm.lstm_fig` result."""
    sv = np.asarray(run["sv_dW"], dtype=float)
    final = float(run["valid_acc"][-1])
    ranks = np.asarray(run["ranks"], dtype=float)
    rank_within = {}
    for kind in ("dW", "W"):
        close = np.abs(run[f"trunc_{kind}_acc"] - final) <= within
        rank_within[kind] = float(ranks[close.argmax()]) if close.any() else np.nan
    return LSTMSummary(final, int((sv > run["sv_W0"].max()).sum()),
                       np.cumsum(sv**2) / (sv**2).sum(), rank_within, within)


# --- Working memory (later version, Figs. 4-5) and the canonical form -------------------------


@dataclass(frozen=True)
class Passages:
    """The canonical form against the network's own passage past a ghost, per snapshot (and
    trial type): NaN where there is no ghost or the path does not pass it."""

    epochs: np.ndarray      # (S,)
    a: np.ndarray           # (S, K) canonical-form coefficients of the ghost passed
    r: np.ndarray           # (S, K)
    predicted: np.ndarray   # (S, K) the canonical form's time in the window (units of tau)
    measured: np.ndarray    # (S, K) the latent map's time in the same window

    @property
    def rel_error(self):
        return (self.predicted - self.measured) / self.measured

    def finite(self):
        """``a`` and ``|relative error|`` of the passages measured, flattened."""
        ok = np.isfinite(self.measured)
        return self.a[ok], np.abs(self.rel_error[ok])


def _passage_rows(circuits, starts, dt, kappa_range=latent.KAPPA_RANGE):
    """For each circuit ``(m, n, b)`` and its starting points, the ghost (in ``kappa_range``)
    nearest each start's path and the passage past it (:func:`ghostbook.latent.passage`).
    A ghost whose canonical form is degenerate (``a r <= 0`` at rounding level) is skipped."""
    K = max(len(s) for s in starts)
    out = np.full((4, len(circuits), K), np.nan)
    for i, ((m, n, b), ks) in enumerate(zip(circuits, starts)):
        ghosts = latent.classify(m, n, b, kappa_range=kappa_range).ghosts
        if not ghosts:
            continue
        for j, k0 in enumerate(ks):
            path = latent.iterate(k0, m, n, b, dt, 400)
            gap = [np.min(np.linalg.norm(path - np.atleast_1d(g.kappa), axis=-1)) for g in ghosts]
            try:
                form, _, pred, meas = latent.passage(m, n, b, k0, dt,
                                                     ghost=ghosts[int(np.argmin(gap))])
            except ValueError:
                continue
            out[:, i, j] = form.a, form.r, pred, meas
    return out


def rank_one_passages(m, n, b, epochs, every=1):
    """The canonical form along a rank-one network's training (2024 Fig. 3A snapshots ``(S, N)``):
    the trial starts at ``x = x0`` (``kappa0 = x0 sum(n)``) and the latent map runs with
    ``Delta``. ``every``: use every so many snapshots."""
    idx = np.arange(0, len(epochs), every)
    circuits = [(m[i], n[i], b[i]) for i in idx]
    starts = [[np.array([RNN.x0 * float(np.sum(n[i], dtype=float))])] for i in idx]
    a, r, pred, meas = _passage_rows(circuits, starts, RNN.delta)
    return Passages(np.asarray(epochs)[idx], a, r, pred, meas)


def memory_passages(snapshots, epochs, task, alpha, box):
    """The canonical form along a rank-2 network's training: each trial type's latent path
    from the end of its input (the cue, or the second cue in DMTS), under the latent map;
    ghosts in ``[-box, box]^2``."""
    from . import memory

    circuits, starts = [], []
    for p in snapshots:
        m, n, b = memory.latent_circuit(p)
        _, rates = memory.simulate(p, task)
        # rates[:, k] is the state after k updates: the first without input
        end = task.cue if task.name == "dcdt" else task.cue + task.delay + task.cue2
        circuits.append((m, n, b))
        starts.append(list(rates[:, end] @ n))
    a, r, pred, meas = _passage_rows(circuits, starts, alpha, (-box, box))
    return Passages(np.asarray(epochs), a, r, pred, meas)


@dataclass(frozen=True)
class PortraitHistory:
    """Fixed points and ghosts of a rank-2 network's latent flow over training."""

    epochs: np.ndarray
    n_fixed: np.ndarray      # (S,) fixed points in the box
    n_stable: np.ndarray     # (S,) of which stable
    n_ghosts: np.ndarray     # (S,) ghosts in the box
    ghost_speed: np.ndarray  # (S,) speed of the slowest ghost (NaN: none)


def portrait_history(snapshots, epochs, box):
    """:class:`PortraitHistory` of rank-2 snapshots (dicts of arrays) on ``[-box, box]^2``."""
    from . import memory

    rows = []
    for p in snapshots:
        pr = latent.classify(*memory.latent_circuit(p), kappa_range=(-box, box))
        g = pr.slowest_ghost
        rows.append((len(pr.fixed_points), sum(f.stable for f in pr.fixed_points),
                     len(pr.ghosts), np.nan if g is None else g.speed))
    f, s, n, v = (np.array(x) for x in zip(*rows))
    return PortraitHistory(np.asarray(epochs), f, s, n, v.astype(float))


def snapshots_of(run, prefix="snap_"):
    """A cached working-memory run's snapshots as a list of parameter dicts."""
    keys = [k[len(prefix):] for k in run if k.startswith(prefix)]
    return [{k: run[prefix + k][i] for k in keys} for i in range(len(run["snapshot_epochs"]))]


@dataclass(frozen=True)
class MemorySummary:
    """What a rank-2 working-memory run shows, in numbers (epochs are snapshot epochs, the
    parameters after that epoch's update)."""

    loss0: float
    loss_end: float
    acc0: float
    acc_end: float
    drop_epoch: float          # first epoch with loss / max below ``s.drop_below``
    first_ghost_epoch: object  # first snapshot with a ghost, or None
    first_ghost_speed: float   # its speed (NaN if none)
    rise_epoch: object         # first snapshot with more fixed points than at the start
    before_ghost: object       # the snapshot before the first ghost's (None: no ghost, or first)
    fixed0: int                # fixed points (and stable ones) at the first snapshot
    stable0: int
    fixed_rise: object         # fixed points at the rise (None: no rise)
    fixed_end: int
    stable_end: int
    ghosts_end: int
    ghost_speed_end: float
    stable_lost: object = None   # first snapshot without a stable fixed point (None: never)
    before_lost: object = None   # the snapshot before it
    ghosts_lost: int = 0         # ghosts at ``stable_lost``
    lost_speedup: float = np.nan  # loss fall per epoch from ``before_lost`` to ``stable_lost``,
    #                               over that of the equally long interval just before


def snapshot_before(hist, epoch):
    """The snapshot epoch just before ``epoch`` in ``hist`` (None if ``epoch`` is the first
    snapshot or None)."""
    if epoch is None:
        return None
    i = int(np.searchsorted(hist.epochs, epoch))
    return int(hist.epochs[i - 1]) if i > 0 else None


def memory_summary(run, s, hist):
    """:class:`MemorySummary` of a cached rank-2 run and its :func:`portrait_history`."""
    loss = np.asarray(run["loss"], dtype=float)
    has = np.flatnonzero(np.isfinite(hist.ghost_speed))
    rise = np.flatnonzero(hist.n_fixed > hist.n_fixed[0])
    lost = np.flatnonzero((hist.n_stable == 0) & (np.arange(hist.epochs.size) > 0))
    lost = int(lost[0]) if hist.n_stable[0] > 0 and lost.size else None
    speedup = np.nan
    if lost is not None:
        e0, e1 = int(hist.epochs[lost - 1]), int(hist.epochs[lost])
        w = e1 - e0
        if e0 + 1 - w >= 0:      # loss[e + 1]: the loss after epoch e's update
            inside = loss[e0 + 1] - loss[min(e1 + 1, loss.size - 1)]
            speedup = float(inside / max(loss[e0 + 1 - w] - loss[e0 + 1], 1e-12 * loss[0]))
    return MemorySummary(
        loss0=float(loss[0]), loss_end=float(loss[-1]), acc0=float(run["accuracy"][0]),
        acc_end=float(run["accuracy"][-1]),
        drop_epoch=float(first_below(loss / loss.max(), s.drop_below)),
        first_ghost_epoch=int(hist.epochs[has[0]]) if has.size else None,
        first_ghost_speed=float(hist.ghost_speed[has[0]]) if has.size else np.nan,
        rise_epoch=int(hist.epochs[rise[0]]) if rise.size else None,
        before_ghost=snapshot_before(hist, int(hist.epochs[has[0]]) if has.size else None),
        fixed0=int(hist.n_fixed[0]), stable0=int(hist.n_stable[0]),
        fixed_rise=int(hist.n_fixed[rise[0]]) if rise.size else None,
        fixed_end=int(hist.n_fixed[-1]), stable_end=int(hist.n_stable[-1]),
        ghosts_end=int(hist.n_ghosts[-1]), ghost_speed_end=float(hist.ghost_speed[-1]),
        stable_lost=None if lost is None else int(hist.epochs[lost]),
        before_lost=None if lost is None else int(hist.epochs[lost - 1]),
        ghosts_lost=0 if lost is None else int(hist.n_ghosts[lost]), lost_speedup=speedup)


# --- Learning collapse (later version, Fig. 7) --------------------------------------------------

COLLAPSE_FATES = ("learned", "vanishing", "oscillating", "never", "unsettled")
"""What became of a training run (:func:`collapse_fates`), in the order of its codes."""


def collapse_fates(loss, grad_norm, *, learned_below=0.1, window=0.1, vanish_below=1e-3,
                   oscillate_above=0.1, worse_than=2.0):
    """The fate of every run of histories ``loss`` and ``grad_norm`` of shape ``(E, ...)``
    (one column per run), as codes into :data:`COLLAPSE_FATES` of shape ``(...)``:

    * ``never``: the loss never fell below ``learned_below`` times its first value.
    * ``learned``: it did, and it kept what it learned: over the last ``window`` of the
      epochs its mean is below that bar, or within ``worse_than`` times the best loss of the
      run (a run that learns slowly and is still improving at the end has learned).
    * A run that learned and lost it *collapsed*, and its last ``window`` says how:
      ``oscillating`` if the loss swings from epoch to epoch there (mean absolute change
      between consecutive epochs above ``oscillate_above`` times the mean loss), or is not
      finite: loss and gradient swing without settling, as the toy model's ``r`` about
      ``r*`` above the critical learning rate; ``vanishing`` if, without swinging, the median
      gradient norm there is below ``vanish_below`` times the run's largest: stuck where the
      gradient is gone, as past the toy model's point of no return; ``unsettled`` if
      neither. Judged from every epoch: thinned histories alias swings.
    """
    loss, grad = np.asarray(loss, dtype=float), np.asarray(grad_norm, dtype=float)
    if loss.shape != grad.shape or loss.ndim < 1 or loss.shape[0] < 3:
        raise ValueError(f"loss and grad_norm must have one shape (epochs >= 3, ...), got "
                         f"{loss.shape} and {grad.shape}")
    for name, value in (("learned_below", learned_below), ("window", window),
                        ("vanish_below", vanish_below), ("oscillate_above", oscillate_above),
                        ("worse_than", worse_than)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be positive, got {value!r}")
    if window > 1:
        raise ValueError(f"window must be a fraction of the epochs in (0, 1], got {window!r}")
    rel = loss / loss[0]
    tail = slice(loss.shape[0] - max(2, int(round(window * loss.shape[0]))), None)
    with np.errstate(invalid="ignore", divide="ignore"):
        learned = np.nanmin(rel, axis=0) < learned_below
        end = np.mean(rel[tail], axis=0)
        stayed = (end < learned_below) | (end <= worse_than * np.nanmin(rel, axis=0))
        swing = np.mean(np.abs(np.diff(loss[tail], axis=0)), axis=0) / np.mean(loss[tail], axis=0)
        vanished = np.nanmedian(grad[tail], axis=0) < vanish_below * np.nanmax(grad, axis=0)
    swing = np.where(np.isfinite(swing), swing, np.inf)          # a NaN or inf loss: diverged
    code = np.full(loss.shape[1:], COLLAPSE_FATES.index("unsettled"))
    code = np.where(swing > oscillate_above, COLLAPSE_FATES.index("oscillating"), code)
    code = np.where(vanished & (swing <= oscillate_above), COLLAPSE_FATES.index("vanishing"), code)
    code = np.where(learned & stayed, COLLAPSE_FATES.index("learned"), code)
    return np.where(learned, code, COLLAPSE_FATES.index("never"))


@dataclass(frozen=True)
class CollapseSummary:
    """A learning-rate sweep's fates (later version, Fig. 7), from
    :func:`ghostbook.experiments.collapse`'s arrays. ``counts[i, k]``: runs at ``lrs[i]``
    with fate ``COLLAPSE_FATES[k]``."""

    lrs: np.ndarray
    fates: np.ndarray             # (L, S) codes into COLLAPSE_FATES
    counts: np.ndarray            # (L, len(COLLAPSE_FATES))
    never_vanished: np.ndarray    # (L,) "never" runs whose gradient vanished (saturated)
    gradient_gone: np.ndarray     # (L, S) collapsed with vanishing, or never with a vanished gradient
    all_learned_up_to: float      # the top of the first run of rates at which all learned and stayed
    first_collapse: float         # the smallest rate with a collapsed run (NaN: none)
    none_learned_from: float      # the smallest rate from which on no run learns (NaN: none)

    def count(self, fate):
        """Runs of ``fate`` (a name of :data:`COLLAPSE_FATES`) over the whole sweep."""
        return int(self.counts[:, COLLAPSE_FATES.index(fate)].sum())


def collapse_summary(run, vanish_below=1e-3, window=0.1):
    """:class:`CollapseSummary` of a Fig. 7 sweep (``run``: the arrays of
    :func:`ghostbook.experiments.collapse`); ``vanish_below`` and ``window`` as the fates
    used them, to tell which never-learned runs ended with a vanished gradient."""
    lrs, fates = np.asarray(run["lrs"]), np.asarray(run["fates"])
    counts = np.stack([(fates == k).sum(axis=1) for k in range(len(COLLAPSE_FATES))], axis=1)
    grad = np.asarray(run["grad_norm"], dtype=float)              # (R, L, S), thinned
    tail = grad[grad.shape[0] - max(1, int(round(window * grad.shape[0]))):]
    with np.errstate(invalid="ignore"):
        vanished = np.nanmedian(tail, axis=0) < vanish_below * np.nanmax(grad, axis=0)
    never = fates == COLLAPSE_FATES.index("never")
    learned = counts[:, COLLAPSE_FATES.index("learned")] == fates.shape[1]
    collapsed = (counts[:, COLLAPSE_FATES.index("vanishing")]
                 + counts[:, COLLAPSE_FATES.index("oscillating")]) > 0
    # the window: from the first rate at which every run learned, as long as they all do
    # (too small a rate may not have finished: those "never" runs are left out)
    first = int(np.argmax(learned)) if learned.any() else len(lrs)
    up_to = lrs[first:][np.cumprod(learned[first:]) > 0]
    nothing = never.all(axis=1)
    tail_none = np.flatnonzero(np.cumprod(nothing[::-1])[::-1])
    return CollapseSummary(lrs=lrs, fates=fates, counts=counts,
                           never_vanished=(never & vanished).sum(axis=1),
                           gradient_gone=(never & vanished)
                           | (fates == COLLAPSE_FATES.index("vanishing")),
                           all_learned_up_to=float(up_to.max()) if up_to.size else np.nan,
                           first_collapse=float(lrs[collapsed].min()) if collapsed.any() else np.nan,
                           none_learned_from=float(lrs[tail_none[0]]) if tail_none.size else np.nan)


@dataclass(frozen=True)
class ConfidenceSummary:
    """Later version, Fig. 8C, from :func:`ghostbook.experiments.confidence`'s arrays:
    accuracy (mean over the last ``last`` records of a phase) per network, and who was
    learned (accuracy at least ``learned_above``) at the switch and at the end."""

    confidences: np.ndarray
    at_switch: np.ndarray         # (S,) accuracy at the end of the shared first phase
    at_end: np.ndarray            # (C, S) accuracy at the end, per confidence
    learned_at_switch: np.ndarray  # (S,) bool
    learned_at_end: np.ndarray    # (C, S) bool

    @property
    def stayed(self):
        """Per confidence: the fraction of the networks learned at the switch that are
        learned at the end."""
        n = max(1, int(self.learned_at_switch.sum()))
        return (self.learned_at_end & self.learned_at_switch).sum(axis=1) / n

    @property
    def learned_fraction(self):
        """Per confidence: the fraction of all networks learned at the end."""
        return self.learned_at_end.mean(axis=1)


def confidence_summary(run, epochs_before, learned_above, last=5):
    """:class:`ConfidenceSummary` of a Fig. 8C run; ``epochs_before``: the switch."""
    epochs = np.asarray(run["record_epochs"])
    acc = np.asarray(run["accuracy"], dtype=float)                # (R, C, S)
    before = np.flatnonzero(epochs < epochs_before)[-last:]
    at_switch = acc[before, 0].mean(axis=0)
    at_end = acc[-last:].mean(axis=0)
    return ConfidenceSummary(confidences=np.asarray(run["confidences"]), at_switch=at_switch,
                             at_end=at_end, learned_at_switch=at_switch >= learned_above,
                             learned_at_end=at_end >= learned_above)
