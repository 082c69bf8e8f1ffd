"""Every figure's settings at every scale, with the papers' values beside them: one table.

The experiments (:mod:`ghostbook.experiments`), the chapters, the command line and the
tests read their settings from here; no function default restates one. Each figure has a
frozen dataclass whose fields are its settings, with a comment on each, and :data:`SCALES`
names its instances: ``quick`` (what a chapter computes in CI or on Binder, seconds to a
minute) and ``paper`` (what the paper ran; cached under ``results/`` by the CLI).

Three kinds of field:

* settings of the computation (plain fields): a cached result is *fresh* only if these
  equal the ones stored with it (:func:`ghostbook.results.canonical`);
* :func:`shown` fields: what a chapter displays of a result (the epochs a figure plots,
  thresholds that name a fate); changing them needs no recomputation;
* :func:`paper` fields: the paper's own numbers for the claims the report checks, typed
  here once, with where they come from.

Sources: "2024" is Dinc et al., *A ghost mechanism: An analytical model of abrupt
learning*; "later version" is its revision for recurrent networks; "Schuessler" is
Schuessler et al. 2020. "Authors' code" is ``fatihdinc/ghost-mechanism`` (ghost paper)
or ``frschu/neurips_2020_interplay_randomness_structure`` (Schuessler).
"""
from dataclasses import dataclass, field

import numpy as np

__all__ = ["RNN", "LATENT", "TOY", "SCALES", "shown", "paper", "RNNSettings",
           "LatentSettings", "ToySettings", "Fig3Settings", "FigS1Settings", "Fig4Settings",
           "FigS2Settings", "LinearSettings", "FlipFlopTask", "FlipFlopSettings"]


def shown(value):
    """A field that says what to display of a result; not part of its cache key."""
    return field(default=value, metadata={"kind": "shown"})


def paper(value):
    """A value reported by the paper (for the reproduction report); not a cache key."""
    return field(default=value, metadata={"kind": "paper"})


# --- Models ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RNNSettings:
    """The 2024 paper's RNN (End Matter A.1, 2024 Eq. 17) and its delayed-activation trial."""

    N: int = 100              # neurons
    delta: float = 0.5        # Delta = dt / tau = 5 ms / 10 ms (2024 Eq. 17)
    steps: int = 40           # Euler steps per trial: 2T / dt
    delay: int = 20           # T / dt: target is 0 for the first `delay` outputs, then 1
    x0: float = -0.3          # every unit starts here
    kappa_star: float = 1.0   # rank-one readout threshold (2024, Eq. 5)
    c: float = 10.0           # rank-one readout confidence (2024, Eq. 5)
    dtype: str = "float32"    # the authors' precision


RNN = RNNSettings()


@dataclass(frozen=True)
class LatentSettings:
    """Where the authors look for fixed points of the rank-one latent circuit (Fig. 3)."""

    kappa_range: tuple = (-15.0, 15.0)   # interval of kappa examined
    grid_points: int = 1000              # grid on which sign changes of f are counted
    refine_factor: int = 4               # classify() scans a grid this much finer


LATENT = LatentSettings()


# --- The toy model (2024, Figs. 1-2) ----------------------------------------------------------


@dataclass(frozen=True)
class ToySettings:
    """Figs. 1-2 of the 2024 paper; the toy model is cheap, so both scales are the paper's."""

    T: float = 100.0                    # delay: target is 0 for t <= T, 1 for T < t <= 2T
    r0_factor: float = 10.0             # training starts at r0 = r0_factor * r*
    c_values: tuple = (0.1, 1.0)        # Fig. 2A: finite confidences
    x_star: float = 10.0                # Fig. 2A: activation threshold
    dt: float = 0.1                     # Fig. 2A: forward-Euler step
    lrs_bc: tuple = (1e-10, 1e-9)       # Fig. 2B-C: one rate below alpha*, one above
    epochs_bc: int = 3000               # Fig. 2B-C
    lr_decades: tuple = (-11.0, -8.0)   # Fig. 2D: rates logspace(*lr_decades, n_lrs)
    n_lrs: int = 100                    # Fig. 2D
    repeats: int = 10                   # Fig. 2D: instances per rate, drawn in sequence
    r0_noise: float = 0.1               # Fig. 2D: r0 = 10 r* + N(0, (r0_noise r*)^2)
    epochs_sweep: int = 10_000          # Fig. 2D
    record_every: int = 100             # Fig. 2D: r and loss kept every this many epochs
    scaling_T: tuple = (30.0, 300.0)    # alpha* ~ T^-5: delays spanning a decade
    n_scaling: int = 7                  # number of delays in that range
    critical_epochs: int = 20_000       # bisection: "stuck after this many epochs"
    critical_bracket: tuple = (0.1, 10.0)   # bisection bracket, in units of alpha*
    sweep_epochs: tuple = shown((1000, 2000, 3000, 5000, 10_000))  # Fig. 2D's curves
    learned_below: float = shown(0.5)   # a run "learned" if its final L/T is below this
    paper_drop_epoch: int = paper(1500)     # Fig. 2B: "around epoch 1500"
    paper_no_learning_from: float = paper(9e-10)   # Fig. 2D: no learning from about here
    paper_exponent: float = paper(-5.0)     # 2024 Eq. 15: alpha* ~ O(T^-5)

    @property
    def r_star(self):
        from .toy import optimal_r
        return optimal_r(self.T)

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)


TOY = ToySettings()


# --- Rank-one RNNs (2024, Figs. 3, S1, 4) -----------------------------------------------------


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
    c: float = RNN.c
    dtype: str = RNN.dtype
    drop_below: float = shown(0.5)               # the drop: first epoch with loss below this
    paper_fixed_points: int = paper(1)           # Fig. 3A: one fixed point throughout
    paper_bifurcation_epoch: int = paper(5160)   # Fig. 3B: from the authors' code, not the text
    external_learn_epoch: int = paper(5050)      # Fig. 3B in an independent re-implementation
    player_every: int = shown(25)                # the ghost player's step through the rerun


@dataclass(frozen=True)
class FigS1Settings:
    """Fig. S1: loss against learning rate, seeds 0..seeds-1."""

    lr_decades: tuple = (-4.0, -1.0)
    n_lrs: int = 30
    seeds: int = 10
    epochs: int = 200_001
    record_every: int = 1000
    c: float = RNN.c
    dtype: str = RNN.dtype
    shown_epochs: tuple = shown((10_000, 20_000, 30_000, 50_000, 100_000, 200_000))  # authors' plot
    learned_below: float = shown(0.5)    # "learned": final loss below this (1: never activates)
    probe_epochs: int = shown(20_000)    # the two-failure-modes probe of the chapter

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)


@dataclass(frozen=True)
class Fig4Settings:
    """Fig. 4: 100 networks at lr 0.02, then recovery at lower confidence."""

    seeds: int = 100
    lr: float = 0.02
    epochs: int = 6000
    c: float = RNN.c
    last: int = 50                        # "stuck": max accuracy over the last 50 epochs <= 0.5
    recovery_c_decades: tuple = (-3.0, 1.0)
    n_recovery_c: int = 30
    recovery_epochs: int = 100
    record_every: int = 10
    autograd_seeds: int = 100             # rounding study: seeds also trained by PyTorch autograd
    dtype: str = RNN.dtype
    recovery_shown: tuple = shown((2, None, 3))   # the figure shows c_all[2::3]
    paper_learned: int = paper(74)        # "Out of 100, 74 RNNs learned the task at some point"
    paper_stuck: int = paper(54)          # "... and 54 of them were stuck"

    @property
    def recovery_c(self):
        return np.logspace(*self.recovery_c_decades, self.n_recovery_c)


@dataclass(frozen=True)
class FigS2Settings:
    """Fig. S2: rank-K networks (state a row vector, recurrent input ``x @ M @ N``; K = 100 is
    the paper's "full rank") and the later version's full-rank networks (``W`` trained
    directly, ``x @ W``), every (learning rate, seed) pair of an arm in one ensemble.
    Full-rank networks also get the low-rank analysis of their change ``Delta W``."""

    ranks: tuple = (1, 2, 3, 4, 5, 10, 30, 50, 100)
    lr_decades: tuple = (-3.0, 0.0)      # the authors' grid: logspace(-3, 0, 10) ...
    n_lrs: int = 10
    lr_subset: tuple = tuple(range(10))  # ... of which these are trained
    seeds: int = 10
    epochs: int = 30_000                 # the paper: 500,000 (see the chapter for the cost)
    n_records: int = 120                 # loss kept at this many log-spaced epochs
    n_snapshots: int = 16                # full rank: Delta W at this many log-spaced epochs
    max_rank: int = 10                   # full rank: truncations of Delta W at R = 0 .. max_rank
    learned_below: float = 1e-2          # "learned": final loss / first loss below this
    dtype: str = RNN.dtype
    orientation: str = "x @ M @ N"       # the authors' (row-vector state; full rank x @ W)
    shown_lrs: tuple = shown((1, 4, 7))  # the figure's rates, 2.2e-3, 2.2e-2, 0.22 (indices)
    leave_below: float = shown(0.9)      # the plateau ends: loss / first loss below this
    reach_below: float = shown(0.1)      # and the drop is done below this
    stalled_loss: float = shown(0.5)     # "stalled": loss / first above this at the end ...
    stalled_grad: float = shown(1e-3)    # ... with gradient / first gradient below this
    functional_below: float = shown(0.05)   # Schuessler's yardstick for the functional rank
    paper_epochs: int = paper(500_000)   # the authors' run length
    paper_full_rank: int = paper(100)    # the paper's "100 (full-rank)" curve is rank K = 100
    paper_fast_learners: tuple = paper(("50", "100"))   # at 0.22 only these ranks learned

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)[list(self.lr_subset)]

    @property
    def arms(self):
        return tuple(str(k) for k in self.ranks) + ("full",)

    @staticmethod
    def label(arm):
        """How the book names an arm: the paper's full rank is rank 100, factorised."""
        if arm == "full":
            return "full W (later version)"
        return "rank 100 (paper's full rank)" if arm == "100" else f"rank {arm}"


# --- Schuessler et al. 2020 -------------------------------------------------------------------


@dataclass(frozen=True)
class LinearSettings:
    """Schuessler Figs. 3-4: seed ``s`` is ``linear.init(N, g, s)`` for every g."""

    N: int = 1024
    gs: tuple = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    z_hats: tuple = (0.5, 1.0, 2.0)
    base_lrs: tuple = (0.015, 0.009, 0.003)   # one per target; lr = base * (1 - g^2)^2
    epochs: int = 200
    seeds: int = 5
    n_sv: int = 3                # leading singular values of Delta W recorded ...
    record_every: int = 2        # ... every this many epochs
    T: float = 101.0             # the finite trial that Schuessler Eq. 5 stands for (Fig. 3a)
    dt: float = 0.5
    t_on: float = 1.0            # input switched on after one time unit
    shuffle_seed: int = 1000     # W0 of seed s is shuffled with seed shuffle_seed + s
    converged_below: float = shown(0.05)   # convergence: loss below this fraction of loss[0]
    fig3_gs: tuple = shown((0.0, 0.6))       # Schuessler Fig. 3: the two g shown ...
    fig3_z_hats: tuple = shown((0.5, 2.0))   # ... and the two targets
    beta_Ns: tuple = shown((64, 128, 256, 512, 1024, 2048))   # Eq. 12 at finite N: sizes,
    beta_seeds: int = shown(6)                                # ... networks per size,
    beta_g: float = shown(0.6)                                # ... and g
    first_order_within: float = shown(0.25)   # Eq. 13's first-order time "holds": within this

    def lr(self, g, base):
        return base * (1 - g**2) ** 2


@dataclass(frozen=True)
class FlipFlopTask:
    """The flip-flop task (our choice of the details; the authors' task is issue 11's)."""

    channels: int = 2          # independent input/output pairs
    trial_time: float = 40.0   # time units per trial
    slot_time: float = 2.0     # a pulse may start every slot_time
    pulse_time: float = 1.0    # a pulse lasts this long
    pulse_prob: float = 0.15   # chance that a slot holds a pulse, per channel
    dt: float = 0.5            # Euler step

    @property
    def steps(self):
        return int(round(self.trial_time / self.dt))


@dataclass(frozen=True)
class FlipFlopSettings:
    """Schuessler Fig. 1 (a, d, g, j) on our flip-flop task."""

    N: int = 256
    gs: tuple = (0.0, 0.3, 0.6, 0.9)
    seeds: int = 3
    epochs: int = 1000
    batch: int = 32
    lr_N: float = 0.05           # Adam learning rate lr_N / N
    task: FlipFlopTask = FlipFlopTask()
    test_trials: int = 256       # fixed trials for the truncation losses
    test_seed: int = 12345
    max_rank: int = 20           # truncations at R = 0 .. max_rank; that many SVs kept
    converged_below: float = shown(0.05)   # convergence: loss below this fraction of loss[0]
    converged_window: int = shown(20)      # ... as a running mean over this many epochs
    paper_functional_rank: tuple = paper((2, 10))   # Schuessler Fig. 2: flip-flop, Mante, Romo
    paper_functional_below: float = paper(0.05)   # Schuessler: the functional rank is "the
    #                               rank at which the loss decreases below 5% of the initial value"
    paper_zero_at_rank: int = paper(2)   # Schuessler Fig. 1(j), g = 0: "drops to zero at rank 2"


# --- The table ----------------------------------------------------------------------------------

SCALES = {
    "fig2": {"paper": TOY, "quick": TOY},
    "fig3": {"paper": Fig3Settings(),
             "quick": Fig3Settings(epochs_a=60_000, snapshot_every_a=500)},
    "figS1": {"paper": FigS1Settings(),
              "quick": FigS1Settings(n_lrs=10, seeds=4, epochs=20_001, record_every=500,
                                     shown_epochs=(5000, 10_000, 20_000))},
    "fig4": {"paper": Fig4Settings(), "quick": Fig4Settings(autograd_seeds=20)},
    "figS2": {"paper": FigS2Settings(),
              "quick": FigS2Settings(lr_subset=(1, 4, 7), seeds=2, epochs=5000, n_records=60,
                                     n_snapshots=8, shown_lrs=(0, 1, 2))},
    "linear": {"paper": LinearSettings(),
               "quick": LinearSettings(N=256, gs=(0.0, 0.3, 0.6, 0.9), seeds=2,
                                       record_every=4)},
    "flipflop": {"paper": FlipFlopSettings(),
                 "quick": FlipFlopSettings(N=64, gs=(0.0, 0.9), seeds=1, epochs=300,
                                           test_trials=64)},
}
"""Every figure's settings at both scales."""
