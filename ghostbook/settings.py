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
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["RNN", "LATENT", "TOY", "SCALES", "shown", "paper", "RNNSettings",
           "LatentSettings", "ToySettings", "Fig3Settings", "FigS1Settings", "Fig4Settings",
           "FigS2Settings", "LinearSettings", "FlipFlopTask", "ManteTask", "RomoTask",
           "TASKS", "NonlinearSettings", "NormScalingSettings", "LSTMSettings", "DCDTTask",
           "DMTSTask", "MEMORY_TASKS", "MemorySettings", "Fig6ASettings", "CollapseSettings",
           "ConfidenceSettings", "LearnableConfidenceSettings"]


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
    """Schuessler's flip-flop task as the authors generate it (authors' code,
    ``notebooks/task_generators.py``, ``flipflop``; parameters from
    ``notebooks/generate_nonlinear.ipynb``). Times in the network's time units."""

    name: str = "flipflop"
    inputs: int = 2             # input channels ...
    outputs: int = 2            # ... and as many outputs
    dt: float = 0.5             # Euler step
    t_max: float = 50.0         # trial length
    fixation: float = 1.0       # no pulse, nothing counted before the first pulse
    stimulus: float = 1.0       # a pulse lasts this long, on ONE random channel, sign +-1
    decision_delay: float = 5.0   # the target switches this long after a pulse's onset
    interval_min: float = 5.0   # pulse onsets are U(interval_min, interval_max)
    interval_max: float = 25.0  # ... + decision_delay apart
    input_amp: float = 1.0      # pulse amplitude
    target_amp: float = 0.5     # target: target_amp * sign on the channel pulsed last

    @property
    def steps(self):
        return int(self.t_max / self.dt)


@dataclass(frozen=True)
class ManteTask:
    """Context-dependent integration (Mante et al. 2013) as the authors generate it
    (``task_generators.py``, ``mante``). Inputs: two context channels, then two noisy
    sensory channels; one output."""

    name: str = "mante"
    inputs: int = 4
    outputs: int = 1
    dt: float = 0.5
    fixation: float = 3.0       # counted, target 0
    stimulus: float = 20.0      # coherences (+ noise at all times) and the context cue
    delay: float = 5.0          # not counted
    decision: float = 20.0      # target: target_amp * sign of the cued coherence
    input_amp: float = 1.0
    target_amp: float = 0.5
    context_amp: float = 1.0
    rel_input_std: float = 0.05   # sensory noise: N(0, 1) * rel_input_std / sqrt(dt)
    coherences: tuple = (-1.0, -0.5, -0.25, -0.125, 0.125, 0.25, 0.5, 1.0)   # (+-1,2,4,8)/8

    @property
    def steps(self):
        return sum(int(t / self.dt) for t in (self.fixation, self.stimulus, self.delay,
                                              self.decision))


@dataclass(frozen=True)
class RomoTask:
    """Parametric working memory (Romo et al. 1999) as the authors generate it
    (``task_generators.py``, ``romo``; two outputs, the one for the larger pulse is on)."""

    name: str = "romo"
    inputs: int = 1
    outputs: int = 2
    dt: float = 0.5
    fixation: float = 3.0       # counted, target 0
    stimulus: float = 1.0       # each of the two pulses lasts this long
    delay_min: float = 2.0      # the delay between the pulses is U(delay_min, delay_max)
    delay_max: float = 8.0
    decision_delay: float = 5.0   # after the second pulse: not counted
    decision: float = 10.0      # target: target_amp on the output of the larger pulse
    amp_min: float = 0.5        # pulse amplitudes U(amp_min, amp_max) ...
    amp_max: float = 1.5
    min_diff: float = 0.2       # ... redrawn until they differ by at least this
    target_amp: float = 0.5

    @property
    def steps(self):
        return int((self.fixation + 2 * self.stimulus + self.delay_max + self.decision_delay
                    + self.decision) / self.dt)


TASKS = {"flipflop": FlipFlopTask(), "mante": ManteTask(), "romo": RomoTask()}
"""Schuessler's three nonlinear tasks, by name."""


@dataclass(frozen=True)
class NonlinearSettings:
    """Schuessler Figs. 1-2 on one task: networks over g, as the authors ran them
    (``notebooks/generate_nonlinear.ipynb``): Adam at ``lr_N / N``, a fresh batch every
    epoch, a fresh ``W0`` per (sample, g)."""

    task: object = FlipFlopTask()
    N: int = 256                # neurons
    gs: tuple = tuple(np.round(np.arange(0, 2.1 + 1e-9, 0.3), 1).tolist())   # 0 .. 2.1
    samples: int = 5            # networks per g (seeds 0 .. samples - 1)
    epochs: int = 1000          # flip-flop 1000, Mante 2000, Romo 6000
    batch: int = 32             # fresh trials per epoch
    lr_N: float = 0.05          # Adam learning rate lr_N / N, default betas
    test_batch: int = 512       # fresh trials for each truncation rank and the shuffle
    max_rank: int = 25          # truncations R = 0 .. max_rank (the authors' 26 ranks)
    example_seed: int = 0       # the network whose trial and spectra are shown
    converged_below: float = shown(0.05)    # convergence: first raw loss below this x loss[0]
    functional_below: float = shown(0.05)   # functional rank: first R with loss below this
    #                                         x loss(R = 0)
    min_valid: int = shown(5)   # the authors show a g only when this many samples are valid
    fig1_gs: tuple = shown((0.0, 0.9))   # Schuessler Fig. 1: the two g shown
    fig1_ranks: int = shown(11)          # ... its SVs and truncations up to rank 11
    fig1_epochs: int = shown(200)        # ... the loss over the first epochs (authors: 200,
    #                                      1000, 6000 for flip-flop, Mante, Romo)
    paper_functional_rank: tuple = paper((2, 10))   # Schuessler Fig. 2(d), all three tasks
    paper_zero_at_rank: int = paper(None)   # Schuessler Fig. 1(j-l), g = 0: flip-flop 2,
    #                                         Mante 4, Romo 6

    @property
    def lr(self):
        return self.lr_N / self.N


@dataclass(frozen=True)
class NormScalingSettings:
    """Schuessler's supplementary: the norm of Delta W against N (authors'
    ``notebooks/generate_supp_norm_scale_with_N.ipynb``: N = 64 .. 1024, g = 0, 0.9, 1.8)."""

    task: object = FlipFlopTask()
    Ns: tuple = (64, 128, 256, 512, 1024)
    gs: tuple = (0.0, 0.9, 1.8)
    samples: int = 5
    epochs: int = 1000
    batch: int = 32
    lr_N: float = 0.05


def _tasks_scales(name, epochs, g_max, quick_epochs, zero_at, fig1_epochs):
    """A task's two scales: the authors' g grid (0 to ``g_max`` in steps of 0.3, 5
    samples, ``epochs``), and a quick one (g = 0 and 0.9, 2 samples, ``quick_epochs``)."""
    gs = tuple(np.round(np.arange(0, g_max + 1e-9, 0.3), 1).tolist())
    task = TASKS[name]
    return {"paper": NonlinearSettings(task=task, gs=gs, epochs=epochs,
                                       paper_zero_at_rank=zero_at, fig1_epochs=fig1_epochs),
            "quick": NonlinearSettings(task=task, gs=(0.0, 0.9), samples=2,
                                       epochs=quick_epochs, test_batch=128, max_rank=12,
                                       min_valid=2, paper_zero_at_rank=zero_at,
                                       fig1_epochs=min(fig1_epochs, quick_epochs))}


@dataclass(frozen=True)
class LSTMSettings:
    """Schuessler Fig. 5 on a stand-in task (:mod:`ghostbook.lstm`; SST and GloVe cannot be
    shipped). Network and optimiser are the authors'
    (``notebooks/generate_sentiment_analysis.ipynb``); the task's numbers are ours."""

    # network (authors' SST run: EMB_DIM 100, HIDDEN_DIM 256, N_LAYERS 2, DROPOUT 0.5)
    hidden: int = 256            # LSTM units per layer
    layers: int = 2              # stacked LSTM layers
    emb_dim: int = 100           # word-vector dimension (GloVe 6B-100d in the paper)
    emb_scale: float = 8.0       # stand-in embedding: entries N(0, emb_scale^2 / emb_dim),
    #                              norm ~ emb_scale; our choice (learns faster than 1 or 5)
    dropout: float = 0.5         # between the LSTM layers and before the decoder
    # optimiser (authors: Adam, lr = 0.01 / HIDDEN_DIM, BATCH_SIZE 64, BCEWithLogitsLoss)
    lr_N: float = 0.01           # Adam learning rate lr_N / hidden, default betas, no decay
    batch: int = 64              # sentences per update
    epochs: int = 30             # passes over the training set (authors: 500 on SST)
    # stand-in data set (SST-2 has about 6920 training and 872 validation sentences)
    n_train: int = 10_000        # training sentences
    n_valid: int = 1000          # validation sentences
    n_neutral: int = 40          # words drawn from NEUTRAL, POSITIVE, ... (at most their sizes)
    n_positive: int = 12
    n_negative: int = 12
    n_negators: int = 3
    n_intensifiers: int = 4
    min_phrases: int = 2         # phrases per clause, uniform in [min_phrases, max_phrases]
    max_phrases: int = 5
    p_sentiment: float = 0.5     # probability that a phrase is a sentiment phrase
    p_negate: float = 0.3        # ... that a sentiment phrase starts with a negator
    max_gap: int = 2             # neutral words between negator and the rest: 0 .. max_gap
    p_intensify: float = 0.25    # ... that a sentiment word has an intensifier before it
    p_but: float = 0.3           # probability of a second clause after "but"
    seed: int = 0                # data, embedding (NumPy) and network, dropout (torch)
    ranks: tuple = tuple(range(0, 17)) + tuple(range(24, 257, 8))   # truncation ranks
    within: float = shown(0.01)  # "does as well": validation accuracy within this of the final

    @property
    def lr(self):
        return self.lr_N / self.hidden


# --- Working memory (later version, Figs. 4-5) ------------------------------------------------
# Authors' code: Figure4/code/A-D - DCDT/run_dcdt.py, Figure4/code/E-H - DMTS/run_dmts.py,
# Figure5/code/run_dcdt_fullrank.py, Figure5/code/run_dmts_fullrank.py. Steps of dt = 5 ms.


@dataclass(frozen=True)
class DCDTTask:
    """Delayed cue discrimination: a cue of +1 or -1, a delay, then respond with the cue's
    sign. Target 0 during cue and delay. Two trial types (+, -)."""

    cue: int = 2          # steps (10 ms)
    delay: int = 10       # steps (50 ms)
    response: int = 10    # steps (50 ms)
    readout: str = "tanh"
    name: str = "dcdt"

    @property
    def steps(self):
        return self.cue + self.delay + self.response


@dataclass(frozen=True)
class DMTSTask:
    """Delayed match to sample: cue 1 (+-1), delay, cue 2 (+-1), response; target 1 in the
    response when the cues match, 0 everywhere else. Four trial types (++, --, -+, +-)."""

    cue: int = 6          # steps (30 ms)
    delay: int = 16       # steps (80 ms)
    cue2: int = 6         # steps (30 ms)
    response: int = 10    # steps (50 ms)
    readout: str = "sigmoid"
    name: str = "dmts"

    @property
    def steps(self):
        return self.cue + self.delay + self.cue2 + self.response


MEMORY_TASKS = {"dcdt": DCDTTask, "dmts": DMTSTask}
"""The later version's working-memory tasks by name (the classes: timings differ by figure)."""


@dataclass(frozen=True)
class MemorySettings:
    """One network of the later version trained on a working-memory task (Figs. 4-5):
    ``r <- (1 - alpha) r + alpha tanh(r W + W_in u + b + noise)``, every parameter trained,
    MSE over all trials and steps (:mod:`ghostbook.memory`)."""

    task: object = DCDTTask()
    rank: object = 2              # 2: W = S_l S_r (Fig. 4); None: full rank (Fig. 5)
    N: int = 100                  # neurons
    alpha: float = 0.5            # dt / tau = 5 ms / 10 ms
    optimizer: str = "sgd"        # "sgd" or "adam" (torch's defaults)
    lr: float = 1e-3
    epochs: int = 100_000
    seed: int = 0
    trials: int = 500             # trials per trial type (the fixed batch)
    noise: float = 0.0            # sigma of the noise drawn at every step
    spread: float = 0.3           # initial rates tanh(spread N(0, 1)), drawn every forward pass
    bias_std: object = 0.1        # W_in's bias re-drawn N(0, bias_std^2); None: kept
    extra_forward_every: object = 1000   # the authors' plotting forward pass (draws only)
    snapshot_epochs: tuple = ()   # parameters kept after these epochs' updates
    flow_epochs: tuple = shown(())       # the authors' flow maps (after these updates)
    kappa_box: float = shown(7.5)        # flow maps on [-box, box]^2
    drop_below: float = shown(0.8)       # "the drop": first epoch with loss / max below this


# --- Learning collapse (later version, Figs. 6A, 7, 8) ---------------------------------------


@dataclass(frozen=True)
class Fig6ASettings:
    """Later version, Fig. 6A: Fig. S1's protocol (the 2024 delayed-activation trial, SGD,
    seeds 0..seeds-1) with a full-rank ``W`` and readout trained directly (authors'
    ``Figure6/code/A/run_multiple_networks_fullrank.py``; :func:`ghostbook.memory.train`
    with ``task="activation"``)."""

    lr_decades: tuple = (-4.0, 1.0)
    n_lrs: int = 30
    seeds: int = 10
    epochs: int = 150_001          # authors: 200,001 (the last 50,000 would add ~1.3 h here)
    record_every: int = 1000
    shown_epochs: tuple = shown((10_000, 20_000, 30_000, 50_000, 100_000, 150_000))
    learned_below: float = shown(0.5)    # as Fig. S1: "learned" = final loss below this

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)


@dataclass(frozen=True)
class CollapseSettings:
    """Later version, Fig. 7: full-rank networks on a working-memory task over learning
    rates, trained by SGD from initial rates 0 without noise, one trial per type (authors'
    ``Figure7/code/{dcdt,dmts}/run_multiple_networks_*.py``); each run's fate by
    :func:`ghostbook.analysis.collapse_fates`."""

    task: object = DCDTTask(cue=6, delay=16, response=10)     # 30/80/50 ms
    lr_decades: tuple = (-3.0, 1.0)
    n_lrs: int = 20
    lr_subset: object = None       # indices into the grid (quick scale); None: all
    seeds: int = 20
    epochs: int = 20_000
    record_every: int = 20         # curves kept in the cache (fates use every epoch)
    saturation: object = None      # (lr index, seed, first epoch): rates kept for 3 epochs
    learned_below: float = 0.1     # fates: loss below this fraction of its first value ...
    window: float = 0.1            # ... judged over the last 10% of the epochs
    vanish_below: float = 1e-3     # gradient median below this fraction of its largest
    oscillate_above: float = 0.1   # mean |loss change between epochs| / mean loss above this

    @property
    def grid(self):
        """The authors' learning rates, all of them."""
        return np.logspace(*self.lr_decades, self.n_lrs)

    @property
    def lrs(self):
        """The learning rates trained at this scale."""
        return self.grid if self.lr_subset is None else self.grid[list(self.lr_subset)]


@dataclass(frozen=True)
class ConfidenceSettings:
    """Later version, Fig. 8C: full-rank DCDT networks (10/50/50 ms, 10 trials per type,
    noise 1e-3, initial-rate spread 0.1) trained by Adam; after ``epochs_before`` epochs,
    ``W_out`` and its bias are rescaled before every forward pass so that
    ``||W_out||_1 = c`` (``inf``: the control), Adam's state carried on (authors'
    ``Figure8/code/C/intervention_experiment.py``). The first phase is shared by every c."""

    task: object = DCDTTask()
    seeds: int = 100
    lr: float = 0.1
    trials: int = 10
    noise: float = 1e-3
    spread: float = 0.1
    epochs_before: int = 10_000
    epochs_after: int = 10_000
    confidences: tuple = (0.1, 0.5, 1.0, 3.0, float("inf"))
    record_every: int = 200        # the authors plot every 200th epoch
    learned_above: float = shown(0.9)   # "learned": accuracy at least this


@dataclass(frozen=True)
class LearnableConfidenceSettings:
    """The 2024 text's "data not shown" run (authors' ``Figure8/code/B - learnable
    confidence/run_with_learnable_confidence.py``): a rank-one network whose readout
    confidence ``c`` is trained with ``m``, ``n``, ``b`` by SGD, from ``c_start`` for
    ``epochs_before`` epochs, then from ``c_reset`` for ``epochs_after`` more."""

    seed: int = 40
    lr: float = 0.02
    c_start: float = 10.0
    c_reset: float = 1.0
    epochs_before: int = 10_000
    epochs_after: int = 10_000


def _memory_scales():
    def snaps(epochs, n, flows):
        """``n`` log-spaced epochs (for the players) and the authors' flow-map epochs."""
        log = np.unique(np.geomspace(1, epochs, n).astype(int) - 1).tolist()
        return tuple(sorted(set(log) | set(flows)))

    flows = (0, 4000, 8000, 20_000, 99_000)
    dcdt4 = MemorySettings(snapshot_epochs=snaps(100_000, 120, flows), flow_epochs=flows)
    flows = (0, 400, 1600, 3000, 19_990)
    dmts4 = MemorySettings(task=DMTSTask(), optimizer="adam", lr=1e-4, epochs=20_000, noise=0.01,
                           snapshot_epochs=snaps(20_000, 120, flows), flow_epochs=flows,
                           kappa_box=10.0)
    dcdt5 = MemorySettings(rank=None, lr=1e-2, epochs=3001, seed=3, trials=1, noise=0.01,
                           spread=0.1, bias_std=None, extra_forward_every=None,
                           snapshot_epochs=(10, 200, 1000, 3000), flow_epochs=(10, 200, 1000, 3000))
    dmts5 = MemorySettings(task=DMTSTask(cue=2, delay=30, cue2=2), rank=None, lr=1e-2,
                           epochs=100_001, seed=3, trials=1, noise=0.01, spread=0.1,
                           bias_std=None, extra_forward_every=None,
                           snapshot_epochs=(100, 1000, 50_000, 100_000),
                           flow_epochs=(100, 1000, 50_000, 100_000))
    # quick: the same networks, seeds and learning rates, fewer epochs and (rank 2) fewer
    # trials per type (they differ only in their random initial rates and noise)
    flows = (0, 150, 4000, 8000, 9999)
    dcdt4q = replace(dcdt4, trials=25, epochs=10_000, snapshot_epochs=snaps(10_000, 60, flows),
                     flow_epochs=flows)
    flows = (0, 400, 1600, 3000, 3999)
    dmts4q = replace(dmts4, trials=10, epochs=4000, snapshot_epochs=snaps(4000, 60, flows),
                     flow_epochs=flows)
    flows = (100, 1000, 3000, 4999)
    dmts5q = replace(dmts5, epochs=5000, snapshot_epochs=flows, flow_epochs=flows)
    return {
        "rank2_dcdt": {"paper": dcdt4, "quick": dcdt4q},
        "rank2_dmts": {"paper": dmts4, "quick": dmts4q},
        "fullrank_dcdt": {"paper": dcdt5, "quick": dcdt5},
        "fullrank_dmts": {"paper": dmts5, "quick": dmts5q},
    }


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
    "flipflop": _tasks_scales("flipflop", 1000, 2.1, 300, 2, 200),
    "mante": _tasks_scales("mante", 2000, 2.7, 300, 4, 1000),
    "romo": _tasks_scales("romo", 6000, 3.0, 600, 6, 6000),
    # the authors' network and optimiser, trained long enough to learn the stand-in; quick:
    # the same network (256 units, two layers), fewer sentences and updates
    "lstm": {"paper": LSTMSettings(),
             "quick": LSTMSettings(epochs=5, n_train=3000, n_valid=500,
                                   ranks=(0, 1, 2, 4, 8, 16, 32, 64, 128, 256))},
    "norm_scaling": {"paper": NormScalingSettings(),
                     "quick": NormScalingSettings(Ns=(64, 128, 256), samples=1, epochs=300)},
    **_memory_scales(),
    # quick: the same protocols, a few learning rates and seeds, shorter runs; chosen so
    # that each kind of fate still appears (measured, see the learning-collapse chapter)
    "fig6a": {"paper": Fig6ASettings(),
              "quick": Fig6ASettings(n_lrs=6, seeds=2, epochs=6001, record_every=250,
                                     shown_epochs=(1000, 3000, 6000))},
    "collapse_dcdt": {"paper": CollapseSettings(),
                      "quick": CollapseSettings(lr_subset=(4, 9, 12, 15), seeds=2,
                                                epochs=4000, record_every=10)},
    "collapse_dmts": {"paper": CollapseSettings(task=DMTSTask(), saturation=(15, 0, 5750)),
                      "quick": CollapseSettings(task=DMTSTask(), lr_subset=(4, 9, 12, 14, 17),
                                                seeds=2, epochs=4000, record_every=10,
                                                saturation=(15, 0, 1500))},
    "confidence": {"paper": ConfidenceSettings(),
                   "quick": ConfidenceSettings(seeds=5, epochs_before=800, epochs_after=400,
                                               record_every=20)},
    "learnable_confidence": {"paper": LearnableConfidenceSettings(),
                             "quick": LearnableConfidenceSettings(epochs_before=2500,
                                                                  epochs_after=2500)},
}
"""Every figure's settings at both scales."""
