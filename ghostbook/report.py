"""The reproduction report: every claim the book checks, as one table.

Each row is a :class:`Claim`: what the paper says (its numbers from the ``paper`` fields
of :mod:`ghostbook.settings`), what this book measures (through :mod:`ghostbook.analysis`,
from the cached paper-scale results when they are fresh, else the quick scale computed
now; see :func:`ghostbook.experiments.load_or_compute`), at which scale, and whether it
reproduces. One function per group of claims computes its rows; :func:`claims` returns
them all and :func:`table_html` renders them. Nothing here defines a fate or a drop: the
definitions live in :mod:`ghostbook.analysis`, the settings and the paper's values in
:mod:`ghostbook.settings`. What this module adds is the rule by which each status is
decided, written beside the row as its ``criterion``, with the tolerances below.

Sources: "2024" is Dinc et al., *A ghost mechanism: An analytical model of abrupt
learning*; "later version" its revision for recurrent networks; "Schuessler" is
Schuessler et al. 2020.
"""
import html
from dataclasses import dataclass

import numpy as np

from . import analysis, experiments, latent, toy
from .settings import LATENT, SCALES, TOY

REPRODUCED, DIFFERS = "reproduced", "differs"
STATUSES = (REPRODUCED, DIFFERS)

# --- How close is close enough: the report's tolerances, each used by one claim ----------

RATIO_TOLERANCE = 0.05     # Eq. 15 and the T^-5 exponent: within 5% (relative / absolute)
AROUND = 1 / 3             # "around epoch N": within N/3 of it
Z_LIMIT = 2.0              # a count agrees with the paper's within 2 binomial standard errors
RANK_TREND = -0.8          # Fig. S2 "consistently fewer epochs": log-log correlation below this
SV_RATIO = 0.1             # Schuessler Eq. 14, "a single SV dominates": s2 / s1 below this
MODERATE_G = 0.7           # ... for 0 < g <= this (the expansion in tau needs beta^2 tau small)
FASTER = 0.75              # "faster": at most 3/4 of the epochs
BETA_EXPONENT = (-0.7, -0.3)   # the fitted exponent of the deviation must bracket -1/2
TRUNCATION_WITHIN = 0.05   # Schuessler Fig. 1: rank-R loss within this of the full Delta W's
SHUFFLE_DEGRADED = 0.5     # Schuessler Fig. 2c: "strongly degraded": shuffled loss / L0 above
RANK_RISE = 2.0            # Schuessler Fig. 2d, flip-flop "increases with g": by >= 2 ranks
LOW_RANK_LSTM = 0.1        # Schuessler Fig. 5, "approximately low-rank": rank <= 10% of units


@dataclass(frozen=True)
class Claim:
    """One row of the report."""

    claim: str        # what is claimed, in a few words
    status: str       # "reproduced" or "differs"
    paper: str        # the paper's value or words
    ours: str         # this book's value, computed
    scale: str        # the scale it was measured at
    link: str         # the chapter section that shows it: "chapter.html#anchor"
    note: str = ""    # for "differs": why, in one sentence
    criterion: str = ""   # how the status was decided

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


def _status(ok):
    return REPRODUCED if ok else DIFFERS


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def num(x, spec="g"):
    """``x`` formatted by ``spec`` with a true minus sign."""
    return format(x, spec).replace("-", "−")


def sci(x, op="×"):
    """``x`` as the paper writes it: ``9e-10`` -> ``9 × 10⁻¹⁰`` (one significant digit
    unless more are needed; ``op`` is the multiplication sign)."""
    mantissa, exponent = f"{x:.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa} {op} 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _scale(name, scale):
    """The scale column for a cached figure: which of its two scales, with the epochs
    where the paper-scale run is shorter than the paper's."""
    if name == "figS2":
        s, paper = SCALES[name][scale], SCALES[name]["paper"]
        grid = "paper grid" if scale == "paper" else "quick"
        return f"{grid}, {s.epochs:,} of the paper's {paper.paper_epochs:,} epochs"
    return scale


# --- The toy model (2024, Figs. 1-2) --------------------------------------------------------


def toy_claims(s=TOY):
    """Eq. 15, the T^-5 scaling, Fig. 2B-C and Fig. 2D; always at the paper's scale."""
    rows = []
    T = s.T
    alpha_eq15 = toy.critical_learning_rate(T)
    alpha_emp = float(toy.empirical_critical_learning_rate(T, s.critical_epochs, s.r0_factor,
                                                           s.critical_bracket))
    ratio = alpha_emp / alpha_eq15
    rows.append(Claim(
        f"critical learning rate at T = {T:g} (Eq. 15)", _status(abs(ratio - 1) < RATIO_TOLERANCE),
        f"α* = 3π⁴/(32 T⁵) = {alpha_eq15:.3e}, "
        f"\"roughly {sci(s.paper_no_learning_from, '∗')}\"",
        f"{alpha_emp:.3e} by bisection (×{ratio:.3f})", "paper",
        "derivations.html#gradient-descent-the-critical-learning-rate",
        criterion=f"bisection within {RATIO_TOLERANCE:.0%} of Eq. 15"))

    T_range, _, slope = experiments.critical_rate_scaling(s)
    rows.append(Claim(
        "the critical learning rate scales as a power of T",
        _status(abs(slope - s.paper_exponent) < RATIO_TOLERANCE),
        f"α* ∼ O(T{f'{s.paper_exponent:g}'.translate(_SUPERSCRIPT)}) (2024, Eq. 15); "
        "the later version's abstract says only "
        "\"an inverse power law\"",
        f"exponent {num(slope, '.3f')} (T = {T_range[0]:g}–{T_range[-1]:g})", "paper",
        "learning_dynamics.html#fig-dyn-scaling",
        criterion=f"fitted exponent within {RATIO_TOLERANCE} of {num(s.paper_exponent)}"))

    run = experiments.fig2bc(s)
    slow, fast = s.lrs_bc
    drop = analysis.toy_drop(run.loss[:, 0], T)
    lo, hi = s.paper_drop_epoch * (1 - AROUND), s.paper_drop_epoch * (1 + AROUND)
    positive = bool(np.all(run.r[:, 0] > 0))
    rows.append(Claim(
        f"α = {sci(slow)}: abrupt drop without a bifurcation (Fig. 2B–C)",
        _status(lo <= drop.half <= drop.tenth <= hi and positive),
        f"\"abrupt decay of loss function values around epoch {s.paper_drop_epoch}\"; \"the "
        "network does not undergo any bifurcations, as evident from r not changing its sign "
        "during learning\"",
        f"loss below T/2 from epoch {drop.half}, below T/10 from epoch {drop.tenth}; "
        f"min r = {run.r[:, 0].min():.2e}", "paper", "learning_dynamics.html#fig-dyn-training",
        criterion=f"both epochs within {s.paper_drop_epoch} ± {s.paper_drop_epoch * AROUND:.0f}, "
                  "and r > 0 at every epoch"))
    rows.append(Claim(
        f"α = {sci(fast)}: pushed into the no-learning zone (Fig. 2B–C)",
        _status(bool(run.ended_in_zone[1])),
        "\"pushed the network into the no-learning zone\"",
        "ends in the zone (r < r*/4)" if run.ended_in_zone[1] else
        f"ends outside the zone, r/r* = {run.r[-1, 1] / s.r_star:.2f}", "paper",
        "learning_dynamics.html#fig-dyn-training", criterion="final r below r*/4"))

    sweep = experiments.fig2d(s)
    ok = analysis.learned(sweep.loss[-1] / T, s.learned_below)          # (repeats, n_lrs)
    window = analysis.lr_window(s.lrs, ok)
    above = s.lrs >= s.paper_no_learning_from
    late = ok[:, above]
    mixed = "".join(f"{n} of {window.runs} at {a:.2e}; " for a, n in
                    zip(s.lrs, window.n_learned) if a in window.mixed)
    note = ""
    if late.any():
        top = s.lrs[above][late.any(axis=0)].max()
        note = (f"{late.sum()} of {late.size} runs at α ≥ {sci(s.paper_no_learning_from)} still "
                f"learn{'s' if late.sum() == 1 else ''}; the highest rate at which any "
                f"run learns is {top / alpha_eq15:.3f} α*: "
                "the edge lies just above Eq. 15's α*, where the bisection above finds it")
    rows.append(Claim(
        "Fig. 2D: which learning rates learn", _status(not late.any()),
        f"\"learning is no longer possible for α ≥ {sci(s.paper_no_learning_from, '∗')}\"",
        f"all {window.runs} learn up to {window.all_up_to:.2e}; {mixed}"
        f"none from {window.none_from:.2e}", "paper (the authors' seeding)",
        "learning_dynamics.html#fig-dyn-sweep", note,
        criterion=f"no run learns (final L/T < {s.learned_below}) at "
                  f"α ≥ {sci(s.paper_no_learning_from)}"))
    return rows


# --- Rank-one RNNs (2024, Figs. 3, 4, S1) -----------------------------------------------------


def fig3_claims():
    """Fig. 3A (one fixed point throughout; the ghost and the drop) and Fig. 3B."""
    run, scale, _ = experiments.load_or_compute("fig3", progress=False)
    s = SCALES["fig3"][scale]
    rows = []
    hist_a = latent.history(run["m_a"], run["n_a"], run["b_a"], run["snapshot_epochs_a"])
    counts = sorted(set(hist_a.n_fixed_points.tolist()))
    lo, hi = LATENT.kappa_range
    rows.append(Claim(
        f"Fig. 3A (α = {s.lr_a}): one fixed point at every epoch",
        _status(counts == [s.paper_fixed_points]),
        "\"there was only one fixed point after every epoch within "
        f"κ ∈ [{num(lo)}, {num(hi)}]\"",
        f"counts seen: {counts} over {hist_a.epochs.size} snapshots, every "
        f"{s.snapshot_every_a:,} epochs", scale, "rank_one.html#fig-rnn-3a-history",
        criterion=f"{s.paper_fixed_points} fixed point at every snapshot"))

    drop = int(analysis.first_below(run["loss_a"], s.drop_below)) * s.record_every_a
    ghost = hist_a.ghost_epoch
    precedes = ghost is not None and ghost <= drop
    rows.append(Claim(
        "Fig. 3A: a ghost point forms before the abrupt drop",
        _status(precedes),
        "a (local) ghost point \"which proceeded [sic: preceded] sharp transitions in both the "
        "loss function (abrupt decay) and the L2 norm of the gradient (abrupt increase)\"",
        f"loss below {s.drop_below} from epoch {drop:,}; first snapshot with a ghost: "
        + (f"epoch {ghost:,}" if ghost is not None else "none"), scale,
        "rank_one.html#fig-rnn-3a-flow",
        "" if precedes else "the ghost forms as the drop ends, not before it: the chapter "
        "retrains every epoch in between to show it",
        criterion=f"first snapshot with a ghost at or before the first epoch with loss "
                  f"< {s.drop_below}"))

    hist_b = latent.history(run["m_b"], run["n_b"], run["b_b"], run["snapshot_epochs_b"])
    bif = hist_b.bifurcation_epochs[0] if hist_b.bifurcation_epochs else None
    _, onsets = analysis.fate_epochs(run["accuracy_b_nudged"], SCALES["fig4"]["paper"].last)
    copies = onsets.size
    onsets = onsets[onsets >= 0]
    paper_epoch = s.paper_bifurcation_epoch
    spread = (f"{onsets.size} of {copies} one-ulp copies end stuck, from epochs "
              f"{onsets.min():,}–{onsets.max():,}" if onsets.size else
              f"none of {copies} one-ulp copies ends stuck")
    inside = onsets.size > 0 and onsets.min() <= paper_epoch <= onsets.max()
    rows.append(Claim(
        f"Fig. 3B (α = {s.lr_b}, seed {s.seed}): a saddle-node bifurcation, then stuck",
        _status(bif is not None and inside),
        f"\"the network underwent a saddle-node bifurcation and remained stuck\"; near epoch "
        f"{paper_epoch:,} for seed {s.seed} in the authors' code (the text gives neither)",
        (f"fixed-point count first changes at the snapshot of epoch {bif:,} (snapshots "
         f"every {s.snapshot_every_b}); " if bif is not None else
         "fixed-point count never changes; ") + spread, scale, "rank_one.html#fig-rnn-3b-rounding",
        f"which epoch, and whether seed {s.seed} gets stuck at all, is decided by rounding; "
        f"epoch {paper_epoch:,} is one of its outcomes",
        criterion=f"a bifurcation, and epoch {paper_epoch:,} within the copies' stuck epochs"))
    return rows


def fig4_claims():
    """Fig. 4: how many networks learned, how many ended stuck, and recovery at lower c."""
    run, scale, _ = experiments.load_or_compute("fig4", progress=False)
    s = SCALES["fig4"][scale]
    ever = analysis.ever_learned(run["accuracy"])
    stuck = analysis.ended_stuck(run["accuracy"], s.last)
    n, n_learned, n_stuck = ever.size, int(ever.sum()), int(stuck.sum())
    z_learned, _ = analysis.binomial_z(n_learned, n, s.paper_learned / s.seeds)
    z_stuck, _ = analysis.binomial_z(n_stuck, n_learned, s.paper_stuck / s.paper_learned)
    rows = [
        Claim("Fig. 4: networks that learned at some point",
              _status(abs(z_learned) < Z_LIMIT), f"{s.paper_learned} of {s.seeds}",
              f"{n_learned} of {n} ({z_learned:+.1f} s.e.)", scale,
              "confidence.html#fig-conf-accuracy",
              criterion=f"within {Z_LIMIT:g} binomial s.e. of the paper's fraction"),
        Claim("Fig. 4: networks that ended stuck", _status(abs(z_stuck) < Z_LIMIT),
              f"{s.paper_stuck} of the {s.paper_learned} that learned",
              f"{n_stuck} of the {n_learned} that learned ({z_stuck:+.1f} s.e.)", scale,
              "confidence.html#fig-conf-accuracy",
              criterion=f"within {Z_LIMIT:g} binomial s.e. of the paper's stuck fraction of "
                        "the networks that learned"),
    ]
    shown = slice(*s.recovery_shown)
    c = run["recovery_c"][shown]
    again = analysis.ever_learned(run["recovery_final_accuracy"][shown][None])   # (c, stuck)
    share = again.mean(axis=1) if again.size else np.zeros(c.size)
    lower, at_c = c < s.c, c == s.c
    ok = again.size > 0 and share[lower].min() > 0 and share[at_c].max() == 0
    rows.append(Claim(
        "Fig. 4: lowering c lets stuck networks learn again", _status(ok),
        "\"after lowering the confidence levels, which allowed them to recover\"",
        f"above chance again after {s.recovery_epochs} epochs: {share[lower].min():.0%}–"
        f"{share[lower].max():.0%} of the {again.shape[1]} stuck networks at c < {s.c:g}, "
        f"{share[at_c].max():.0%} at c = {s.c:g}", scale, "confidence.html#fig-conf-recovery",
        criterion=f"some recover at every shown c < {s.c:g}, none at c = {s.c:g}; read on the "
                  "accuracy, which does not depend on c"))
    return rows


def figS1_claims():
    """Fig. S1: the RNN has a window of learning rates, like the toy model's Fig. 2D."""
    run, scale, _ = experiments.load_or_compute("figS1", progress=False)
    s = SCALES["figS1"][scale]
    ok = analysis.learned(run["final_loss"], s.learned_below).T       # (seeds, n_lrs)
    window = analysis.lr_window(run["lrs"], ok)
    top = int(window.n_learned[-1])
    return [Claim(
        "Fig. S1: the RNN has a critical learning rate, like the toy model",
        _status(top == 0),
        "\"training RNNs reproduced the same dependence on the learning rate as was the case "
        "for the toy model\"",
        f"all {window.runs} seeds learn up to α = {window.all_up_to:.3g}; {top} at "
        f"α = {run['lrs'][-1]:.2g}", scale, "learning_rates.html#fig-lr-sweeps",
        criterion=f"every seed learns (final loss < {s.learned_below}) at some rate, "
                  "none at the largest")]


# --- Sloppy ranks (2024, Fig. S2) -------------------------------------------------------------


def figS2_claims():
    """Fig. S2: more ranks learn faster; who learns at 0.22; Delta W of full W is low-rank."""
    run, scale, _ = experiments.load_or_compute("figS2", progress=False)
    s = SCALES["figS2"][scale]
    s2 = analysis.figS2_summary(run, s)
    where = _scale("figS2", scale)
    label = s.label
    _, mid, top = s.shown_lrs
    lrs = s2.lrs
    full_k = str(s.paper_full_rank)
    speedup = s2.speedup(mid, "1", full_k)
    trend = s2.rank_trend(mid, s.ranks)
    ok = bool(np.isfinite(trend) and speedup > 1 and trend < RANK_TREND)
    reach = f"reach {s.reach_below:.0%} of its first loss"
    rows = [Claim(
        "Fig. S2: more trainable ranks learn in fewer epochs", _status(ok),
        "\"increasing the number of trainable ranks in W consistently resulted in learning "
        "with fewer epoch\"",
        (f"at α = {lrs[mid]:.2g} rank 1 needs {speedup:.0f}× the epochs of {label(full_k)} to "
         f"{reach}; correlation of log rank and log epochs {num(trend, '.2f')}")
        if np.isfinite(trend) else f"at α = {lrs[mid]:.2g} some rank's runs never {reach}",
        where, "sloppy_ranks.html#fig-s2-curves",
        "" if ok else "the epochs do not fall consistently as the rank grows, at this scale",
        criterion=f"rank 1 slower than rank {full_k}, and the correlation of log rank and log "
                  f"epochs below {num(RANK_TREND)}")]

    count = {arm: int(s2.arms[arm].learned[top].sum()) for arm in s.arms}
    learners = {arm for arm in s.arms if arm != "full" and count[arm]}
    paper = sorted(s.paper_fast_learners, key=int)
    outside = sorted(learners - set(paper), key=int)
    ok = bool(learners) and not outside
    said = ", ".join(f"{label(a)}: {count[a]} of {s.seeds}" for a in s.arms if count[a])
    why = (["no rank learned"] if not learners else []) + (
        [f"learners outside ranks {' and '.join(paper)}: {', '.join(outside)}"] if outside else [])
    if s.epochs < s.paper_epochs:
        why.append(f"trained {s.epochs:,} of the paper's {s.paper_epochs:,} epochs: runs "
                   "that count as learned here may still get stuck later, and late learners "
                   "are missed")
    rows.append(Claim(
        f"Fig. S2: at α = {lrs[top]:.2g} the few networks that learn have {' or '.join(paper)} "
        "ranks", _status(ok),
        "\"few RNNs that could train without entering the no-learning zone had either "
        f"{' or '.join(paper)} available ranks\"",
        f"learned (loss below {s.learned_below:g} of the first): {said or 'none'}", where,
        "sloppy_ranks.html#who-learns-and-how-fast", "" if ok else "; ".join(why),
        criterion=f"some rank-K network learns, and only ranks {' and '.join(paper)}; "
                  f"the {label('full')} networks are not counted"))

    ok_full = s2.arms["full"].learned
    functional = s2.functional[ok_full]
    lo, hi = SCALES["flipflop"]["paper"].paper_functional_rank
    reached = functional[functional >= 0]
    fine = reached.size > 0 and reached.max() <= hi
    rows.append(Claim(
        f"{label('full')}: training changes W by a low-rank ΔW",
        _status(fine),
        f"Schuessler: functional rank {lo}–{hi} for flip-flop, Mante and Romo (not this task)",
        (f"functional rank median {np.median(reached):.0f}, max {reached.max()}, over the "
         f"{ok_full.sum()} networks that learned"
         + (f" ({functional.size - reached.size} never reach {s.functional_below:.0%})"
            if reached.size < functional.size else "")) if reached.size else
        f"none of the {ok_full.sum()} learned networks reaches {s.functional_below:.0%}",
        where, "sloppy_ranks.html#fig-s2-lowrank",
        criterion=f"a truncation of rank at most {hi} brings the loss below "
                  f"{s.functional_below:.0%} of the first"))
    return rows


# --- Schuessler et al. 2020 -------------------------------------------------------------------


def linear_claims():
    """Schuessler Eqs. 12-14 on linear networks."""
    run, scale, _ = experiments.load_or_compute("linear", progress=False)
    s = SCALES["linear"][scale]
    rows = []
    Ns, _, slope, _ = analysis.beta_scaling(s)
    rows.append(Claim(
        "β = 1/(1 − g²) up to fluctuations of order 1/√N (Schuessler Eq. 12)",
        _status(BETA_EXPONENT[0] < slope < BETA_EXPONENT[1]),
        "β = 1/(1 − g²); scalars \"are of order O(1), with deviations O(1/√N)\"",
        f"deviation ∝ N to the power {num(slope, '.2f')} (N = {Ns[0]}–{Ns[-1]}, "
        f"g = {s.beta_g})", f"N up to {Ns[-1]}", "randomness.html#fig-rand-beta",
        criterion=f"fitted exponent between {num(BETA_EXPONENT[0])} and "
                  f"{num(BETA_EXPONENT[1])}"))

    measures, theory = analysis.linear_scalings(run, s)
    gs, zs = np.array(s.gs), np.array(s.z_hats)
    at = (max(s.fig3_gs), min(s.fig3_z_hats))      # Schuessler Fig. 3: its g > 0, smaller target
    i, j = (int(np.argmin(np.abs(values - x))) for values, x in zip((gs, zs), at))
    ratio = np.median(measures["tau_star"][i, j]) / theory["tau_star"](gs[i])
    rows.append(Claim(
        "convergence time scales as (1 − g²)² (Schuessler Eq. 13)",
        _status(abs(ratio - 1) < s.first_order_within), "first order: (1 − g²)²",
        f"at g = {gs[i]:g}, ẑ = {zs[j]:g}: measured / first order = {ratio:.2f}", scale,
        "randomness.html#fig-rand-fig4",
        criterion=f"within {s.first_order_within:.0%} of the first-order time"))

    final = run["sv"][..., -1, :]
    moderate = (gs > 0) & (gs <= MODERATE_G)
    s21 = (final[..., 1] / final[..., 0])[moderate].max()
    rows.append(Claim(
        "ΔW stays effectively rank one in the linear network (Schuessler Eq. 14)",
        _status(s21 < SV_RATIO), "\"a single SV dominates\"",
        f"s₂/s₁ ≤ {s21:.3f} for 0 < g ≤ {MODERATE_G}", scale,
        "randomness.html#fig-rand-fig3",
        criterion=f"s₂/s₁ below {SV_RATIO} for every run with 0 < g ≤ {MODERATE_G}"))
    return rows


TASK_NAMES = {"flipflop": "flip-flop", "mante": "Mante", "romo": "Romo"}


def nonlinear_claims():
    """Schuessler Figs. 1-2 on the flip-flop, Mante and Romo tasks."""
    rows, flipflop_rise = [], np.nan
    for name, label in TASK_NAMES.items():
        run, scale, _ = experiments.load_or_compute(name, progress=False)
        s = SCALES[name][scale]
        summary = analysis.nonlinear_summary(run, s)
        gs = np.array(s.gs)
        link = "nonlinear_tasks.html#fig-nl-fig{}"
        short = f"the {scale} scale trains {s.epochs:,} epochs" if scale == "quick" else ""

        R, g0 = s.paper_zero_at_rank, int(np.argmin(np.abs(gs)))
        ranks = list(run["ranks"])
        at_R = summary.relative[g0, :, ranks.index(R)].mean()
        full = summary.relative[g0, :, -1].mean()
        ok = bool(abs(at_R - full) <= TRUNCATION_WITHIN and full < s.functional_below)
        rel = summary.relative[g0].mean(axis=0)
        reached = [int(r) for r, v in zip(ranks[:-1], rel[:-1])
                   if abs(v - full) <= TRUNCATION_WITHIN]
        why = short or (
            f"at the paper's scale the truncation comes within {TRUNCATION_WITHIN} of the full "
            f"ΔW's loss only from rank {reached[0]} on "
            f"({', '.join(f'{v:.2f} at {r}' for r, v in list(zip(ranks, rel))[R:reached[0] + 1])})"
            if reached else f"no truncation below rank {ranks[-1]} comes within "
                            f"{TRUNCATION_WITHIN} of the full ΔW's loss")
        said = ("The loss after truncation indeed drops to zero at rank 2" if R == 2 else
                "the truncation loss drops to zero at rank 4 and 6, respectively")
        rows.append(Claim(
            f"{label}, g = 0: ΔW truncated to rank {R} does the task", _status(ok),
            f"\"{said}\"",
            f"loss / loss at R = 0: {at_R:.3f} at R = {R}, {full:.3f} with the full ΔW "
            "(mean over samples)", scale, link.format(1), "" if ok else why,
            criterion=f"within {TRUNCATION_WITHIN} of the full ΔW's, which is below "
                      f"{s.functional_below:.0%}"))

        lo, hi = s.paper_functional_rank
        mean, _ = summary.by_g("rank")
        shown = np.isfinite(mean)
        outside = shown & ((mean < lo) | (mean > hi))
        ok = bool(shown.any() and not outside.any())
        rows.append(Claim(
            f"{label}: the functional rank is between {lo} and {hi}", _status(ok),
            "\"This functional rank is between 2 and 10 for all three tasks\"",
            (f"mean over valid samples {mean[shown].min():.1f}–{mean[shown].max():.1f} at the "
             f"{shown.sum()} g with at least {s.min_valid} valid samples" if shown.any() else
             f"no g has {s.min_valid} valid samples"), scale, link.format(2),
            "" if ok else short or "outside at " + ", ".join(
                f"g = {g:g} ({m:.1f})" for g, m in zip(gs[outside], mean[outside])),
            criterion=f"every mean shown within {lo}–{hi}"))
        trend = _rank_trend(gs, mean)
        if name == "flipflop":
            flipflop_rise = trend
            ok = bool(np.isfinite(trend) and trend >= RANK_RISE)
            rows.append(Claim(
                "flip-flop: the functional rank grows with g", _status(ok),
                "Fig. 2d: \"It increases with g for the flip-flop task\"",
                (f"rise of the mean over the g shown: {trend:.1f} ranks" if np.isfinite(trend)
                 else f"fewer than two g with {s.min_valid} valid samples"), scale,
                link.format(2),
                "" if ok else short, criterion=f"a rise of at least {RANK_RISE} ranks"))
        else:
            ok = bool(np.isfinite(trend) and trend < flipflop_rise)
            rows.append(Claim(
                f"{label}: the functional rank depends less on g than flip-flop's",
                _status(ok),
                "\"while it remains less affected for the other two tasks\"",
                (f"rise over the g shown: {trend:.1f} ranks (flip-flop {flipflop_rise:.1f})"
                 if np.isfinite(trend) else f"fewer than two g with {s.min_valid} valid "
                 "samples"),
                scale, link.format(2), "" if ok else short,
                criterion="a smaller rise than the flip-flop task's"))

        fast = s.fig1_gs
        e0, e1 = (np.nanmedian(np.where(summary.valid[i], summary.epochs[i], np.nan))
                  if summary.valid[i].any() else np.nan
                  for i in (int(np.argmin(np.abs(gs - g))) for g in fast))
        ok = bool(np.isfinite(e0) and np.isfinite(e1) and e1 < FASTER * e0)
        rows.append(Claim(
            f"{label}: learning is faster at g = {fast[1]:g} than at g = {fast[0]:g}",
            _status(ok),
            "\"convergence time smoothly decreases as a function of connectivity strength\"",
            f"epochs to {s.converged_below:.0%} of the first loss (median): "
            f"{_or_never(e0, '.0f')} at g = {fast[0]:g}, {_or_never(e1, '.0f')} at "
            f"g = {fast[1]:g}", scale, link.format(2), "" if ok else short,
            criterion=f"at most {FASTER:.0%} of the epochs at g = {fast[0]:g}"))

        norm, _ = summary.by_g("delta_norm")
        shuffled, _ = summary.by_g("shuffled")
        ok_g = np.flatnonzero(np.isfinite(norm))
        ok = bool(ok_g.size > 1 and norm[ok_g[-1]] < norm[ok_g[0]])
        rows.append(Claim(
            f"{label}: ‖ΔW‖ is smaller for larger g", _status(ok),
            "Fig. 2b: the norm of ΔW decreases as g grows",
            ", ".join(f"{norm[i]:.2f} at g = {gs[i]:g}" for i in ok_g[[0, -1]])
            if ok_g.size > 1 else "too few g with valid samples", scale, link.format(2),
            "" if ok else short,
            criterion="mean at the largest g shown below the mean at the smallest"))

        weak = int(np.argmin(np.abs(gs)))
        strong = int(np.argmin(np.abs(gs - s.fig1_gs[1])))
        degraded = summary.shuffled[strong].mean()
        intact = summary.shuffled[weak].mean()
        ok = bool(degraded > SHUFFLE_DEGRADED and intact < SHUFFLE_DEGRADED)
        rows.append(Claim(
            f"{label}: shuffling W0 undoes the learning, except for weak g", _status(ok),
            "\"shuffling strongly degraded performance except for cases with very weak "
            "initial connectivity\"",
            f"loss after shuffling / first loss: {intact:.2f} at g = {gs[weak]:g}, "
            f"{degraded:.2f} at g = {gs[strong]:g} (mean over samples)", scale,
            link.format(2), "" if ok else short,
            criterion=f"above {SHUFFLE_DEGRADED} at g = {gs[strong]:g}, below at "
                      f"g = {gs[weak]:g}"))
    return rows


def lstm_claims():
    """Schuessler Fig. 5, measured on the package's stand-in task (SST cannot be shipped)."""
    run, scale, _ = experiments.load_or_compute("lstm", progress=False)
    s = SCALES["lstm"][scale]
    summary = analysis.lstm_summary(run, s.within)
    rank = summary.rank_within["dW"]
    ok = bool(np.isfinite(rank) and rank <= LOW_RANK_LSTM * s.hidden)
    return [Claim(
        "two-layer LSTM: ΔW of the recurrent weights is approximately low rank (stand-in "
        "task, not SST)", _status(ok), "Fig. 5: the changes \"are approximately low-rank\"",
        f"{summary.above_W0} singular values of ΔW above W0's largest; truncating ΔW at "
        f"rank {rank:.0f} of {s.hidden} keeps the validation accuracy within "
        f"{s.within:.0%} of the trained {summary.final:.3f}", scale,
        "nonlinear_tasks.html#fig-nl-lstm",
        "" if ok else f"the {scale} scale trains {s.epochs} epochs",
        criterion=f"a truncation of ΔW at rank at most {LOW_RANK_LSTM:.0%} of the units does "
                  f"as well")]


PASSAGE_WITHIN = 0.1       # later version, canonical form: median |relative error| below this


LOST_SPEEDUP = 5
"""DMTS: how much faster than before the loss must fall where the attractor is lost."""


def memory_claims():
    """The later version's working-memory claims (abstract), with the authors' Fig. 4-5
    settings; only the abstract is public, so "paper" quotes its words."""
    from . import latent, memory

    rows = []
    runs = {n: experiments.load_or_compute(n, progress=False)[:2]
            for n in ("rank2_dcdt", "rank2_dmts", "fullrank_dcdt", "fullrank_dmts")}
    summaries = {}
    for name in ("rank2_dcdt", "rank2_dmts"):
        run, scale = runs[name]
        s = SCALES[name][scale]
        hist = analysis.portrait_history(analysis.snapshots_of(run), run["snapshot_epochs"],
                                         s.kappa_box)
        summaries[name] = analysis.memory_summary(run, s, hist), hist, scale
    (d, _, d_scale), (m, _, m_scale) = summaries["rank2_dcdt"], summaries["rank2_dmts"]
    ok = d.ghosts_end > 0 and m.ghosts_end > 0
    rows.append(Claim(
        "rank-2 networks trained on working-memory tasks develop ghosts (2-D slow regions)",
        _status(ok), "networks \"develop transient slow regions in state space\"",
        f"at the end: DCDT {d.ghosts_end} ghosts (slowest {d.ghost_speed_end:.2g}) beside "
        f"{d.stable_end} stable fixed points; DMTS {m.ghosts_end} ghosts, "
        f"{m.stable_end} stable fixed points", f"{d_scale} / {m_scale}",
        "working_memory.html#rank-two-2-d-ghosts",
        "" if ok else "a trained network's latent flow has no ghost",
        criterion="each trained network's latent flow has at least one ghost"))
    ok = (d.before_ghost is not None and d.rise_epoch is not None and d.fixed0 == 1
          and d.fixed_rise == 3 and d.before_ghost <= d.drop_epoch <= d.rise_epoch)
    rows.append(Claim(
        "abrupt learning emerges from a ghost: DCDT's drop is a saddle-node bifurcation",
        _status(ok), "\"abrupt learning emerging from ghost points\"",
        f"loss below {SCALES['rank2_dcdt'][d_scale].drop_below:.0%} of its maximum at epoch "
        f"{d.drop_epoch:.0f}; ghost first at snapshot {d.first_ghost_epoch} (none at "
        f"{d.before_ghost}); fixed points {d.fixed0} -> {d.fixed_rise} at {d.rise_epoch}",
        d_scale, "working_memory.html#rank-two-2-d-ghosts",
        "" if ok else "the drop is not tied to a ghost and a saddle-node",
        criterion="one fixed point at first; the drop falls between the last snapshot "
                  "without the ghost and the first with three fixed points"))
    ok = bool(m.stable0 == 1 and m.stable_lost is not None and m.ghosts_lost >= 1
              and m.lost_speedup > LOST_SPEEDUP)
    rows.append(Claim(
        "abrupt learning emerges from a ghost: DMTS's late step comes as its attractor is lost",
        _status(ok), "\"abrupt learning emerging from ghost points\"",
        (f"stable fixed point at snapshot {m.before_lost}, none at {m.stable_lost} "
         f"({m.ghosts_lost} ghosts there); between them the loss falls "
         f"{m.lost_speedup:.0f}x faster than over the equally long stretch before"
         if m.stable_lost is not None else "the stable fixed point is never lost"),
        m_scale, "working_memory.html#rank-two-2-d-ghosts",
        "" if ok else "the step is not tied to losing the attractor",
        criterion=f"one stable fixed point at first, lost between two snapshots with a ghost "
                  f"at the second, the loss falling more than {LOST_SPEEDUP}x faster there"))
    fig3, fig3_scale, _ = experiments.load_or_compute("fig3", progress=False)
    P = analysis.rank_one_passages(fig3["m_a"], fig3["n_a"], fig3["b_a"],
                                   fig3["snapshot_epochs_a"])
    _, err = P.finite()
    ok = err.size > 0 and np.median(err) < PASSAGE_WITHIN
    run, scale = runs["rank2_dcdt"]
    s = SCALES["rank2_dcdt"][scale]
    _, err2 = analysis.memory_passages(analysis.snapshots_of(run), run["snapshot_epochs"],
                                       s.task, s.alpha, s.kappa_box).finite()
    rank2 = (f"; rank-2 DCDT network ({scale}): median |error| {np.median(err2):.1%} over "
             f"{err2.size} passages" if err2.size else "")
    rows.append(Claim(
        "the canonical form s' = r + a s² gives the time spent near a ghost",
        _status(ok), "\"a one-dimensional canonical form that analytically captures\" the "
        "dynamics near ghost points",
        (f"rank-one network over training: median |error| {np.median(err):.1%} over "
         f"{err.size} passages, {np.mean(err < PASSAGE_WITHIN):.0%} within "
         f"{PASSAGE_WITHIN:.0%}" if err.size else "rank-one network: no passage at this "
         "scale") + rank2, fig3_scale,
        "working_memory.html#does-the-canonical-form-predict-the-passage",
        "" if ok else "the canonical form misses the passage times",
        criterion=f"rank-one network: median |relative error| of T_pass/2 in a one-width "
                  f"window below {PASSAGE_WITHIN:.0%}"))
    found, scales = [], []
    for name in ("fullrank_dcdt", "fullrank_dmts"):
        run, scale = runs[name]
        s = SCALES[name][scale]
        p = {k[len("final_"):]: run[k] for k in run if k.startswith("final_")}
        _, rates = memory.simulate(p, s.task)
        points = latent.slow_points(p["W"], p["b"], rates[:, ::2].reshape(-1, s.N))
        gap = min((np.min(np.linalg.norm(rates - q.x, axis=-1)) for q in points), default=np.nan)
        found.append((s.task.name.upper(), float(run["accuracy"][-1]), len(points), gap))
        scales.append(scale)
    ok = all(acc > 0.8 and n > 0 for _, acc, n, _ in found)
    rows.append(Claim(
        "full-rank networks learn both tasks; their slow points, searched from the trials",
        _status(ok), "findings \"validated across low-rank and full-rank networks\"",
        "; ".join(f"{t}: accuracy {acc:.2f}, {n} slow points"
                  + (f", nearest {gap:.2f} from a trial" if n else "")
                  for t, acc, n, gap in found), " / ".join(scales),
        "working_memory.html#full-rank-slow-points-in-100-dimensions",
        "" if ok else "a full-rank network does not learn or has no slow point",
        criterion="final accuracy above 0.8 and at least one slow point found from the "
                  "trials"))
    return rows


# --- Learning collapse and confidence (later version, Figs. 6A, 7, 8) ------------------------

SATURATED = 0.5    # the saturation example: more than half of the rates at |r| > 0.99
SATURATION_RATIO = 3.0   # runs whose gradient vanished: saturated share this many times larger


def collapse_claims():
    """The later version's learning collapse and its cures (Findings of its abstract; the
    2024 text on a trainable confidence), with the authors' Figs. 6A, 7 and 8 settings."""
    rows = []
    link = "learning_collapse.html"
    # Fig. 8A: the toy model's gradient in the no-learning zone, per confidence
    zone = toy_zone_gradients()
    ok = bool(np.all(zone > 0) and np.all(zone[:-1] > zone[-1]))
    rows.append(Claim(
        "toy model: a lower confidence leaves a gradient past the point of no return",
        _status(ok), "\"lower confidence values enable small, yet non-zero, gradients to form "
        "beyond the point of no return\" (2024); Fig. 8A",
        "mean |dL/dr| / max over r < r*/4: " + ", ".join(
            f"c = {c:g}: {sci(v)}" for c, v in zip(TOY_CONFIDENCES, zone)),
        "paper", f"{link}#fig-lc-toy-gradient",
        "" if ok else "the gradient there is not larger at the lower confidences",
        criterion="non-zero for every c, and larger at each lower c than at c = 2"))
    # Fig. 6A: the full-rank network's critical learning rate, beside Fig. S1's rank one
    run, scale, _ = experiments.load_or_compute("fig6a", progress=False)
    s = SCALES["fig6a"][scale]
    ok_runs = analysis.learned(run["loss"][-1], s.learned_below).T       # (seeds, lrs)
    full = analysis.lr_window(run["lrs"], ok_runs)
    s1, s1_scale, _ = experiments.load_or_compute("figS1", progress=False)
    one = analysis.lr_window(s1["lrs"], analysis.learned(
        s1["final_loss"], SCALES["figS1"][s1_scale].learned_below).T)
    above = full.lrs > full.all_up_to
    ok = bool(np.isfinite(full.fails_from))
    rows.append(Claim(
        "full-rank networks have a critical learning rate too (delayed activation)",
        _status(ok), "a critical learning rate, \"validated across low-rank and full-rank "
        "networks\"; Fig. 6A",
        f"full rank: all {full.runs} seeds learn at α = {full.all_up_to:.3g} (the largest rate "
        f"where all do), at most half at every rate from α = {num(full.fails_from, '.3g')} "
        f"({s.epochs - 1:,} epochs; seeds learned above α = {full.all_up_to:.3g}: "
        + ", ".join(str(int(k)) for k in full.n_learned[above])
        + f" of {full.runs}); rank one (Fig. S1): all learn up to {one.all_up_to:.3g}",
        f"{scale} / {s1_scale}", f"{link}#fig-lc-6a",
        "" if ok else "more than half the seeds learn at the largest rate",
        criterion=f"final loss < {s.learned_below}: every seed at some rate, at most half at "
                  "every rate above some rate"))
    # Fig. 7: fates over learning rates, both tasks
    sums, scales = {}, {}
    for task in ("dcdt", "dmts"):
        run, scales[task], _ = experiments.load_or_compute(f"collapse_{task}", progress=False)
        st = SCALES[f"collapse_{task}"][scales[task]]
        sums[task] = analysis.collapse_summary(run, st.vanish_below, st.window), run
    kinds = {k: sum(sums[t][0].count(k) for t in sums) for k in analysis.COLLAPSE_FATES}
    ok = kinds["vanishing"] > 0 and kinds["oscillating"] > 0
    rows.append(Claim(
        "learning collapses by vanishing and by oscillating gradients (full rank, DCDT and "
        "DMTS)", _status(ok), "\"vanishing and oscillatory gradients cause learning "
        "collapse\"; Fig. 7",
        "; ".join(f"{t.upper()}: " + ", ".join(
            f"{sums[t][0].count(k)} {k}" for k in analysis.COLLAPSE_FATES) for t in sums),
        f"{scales['dcdt']} / {scales['dmts']}", f"{link}#fig-lc-fates",
        "" if ok else "one kind of collapse is missing",
        criterion="at least one run of each kind of collapse, by analysis.collapse_fates"))
    for task, (summary, _) in sums.items():
        ok = bool(np.isfinite(summary.all_learned_up_to) and summary.counts[-1, 0] == 0)
        rows.append(Claim(
            f"{task.upper()}: learning fails above a critical learning rate (full rank)",
            _status(ok), "learning collapse at large learning rates; Fig. 7",
            f"every run learns and stays up to α = {num(summary.all_learned_up_to, '.3g')}; "
            f"first collapse at α = {num(summary.first_collapse, '.3g')}; none learns from "
            f"α = {num(summary.none_learned_from, '.3g')}, where "
            f"{int(summary.never_vanished[-1])} of {summary.fates.shape[1]} end with a "
            "vanished gradient", scales[task], f"{link}#fig-lc-fates",
            "" if ok else "no rate where every run learns, or a run learns at the largest",
            criterion="every run learned and stayed at some rate, none at the largest"))
    gone = np.concatenate([sums[t][1]["saturated"][sums[t][0].gradient_gone] for t in sums])
    kept = np.concatenate([sums[t][1]["saturated"][sums[t][0].fates == 0] for t in sums])
    ok = bool(gone.size and kept.size and np.median(gone) > SATURATION_RATIO * np.median(kept))
    rows.append(Claim(
        "where the gradient vanished, the units are saturated",
        _status(ok), "vanishing gradients with saturated units (Fig. 7, saturation analysis)",
        (f"median share of rates with |r| > 0.99 on the final network: {np.median(gone):.0%} "
         f"in the {gone.size} runs whose gradient vanished, {np.median(kept):.1%} in the "
         f"{kept.size} that learned") if gone.size and kept.size else "no such runs",
        f"{scales['dcdt']} / {scales['dmts']}", f"{link}#fig-lc-examples",
        "" if ok else "runs whose gradient vanished are not more saturated",
        criterion=f"median over those runs above {SATURATION_RATIO:g}x the median over the "
                  "runs that learned"))
    run = sums["dmts"][1]
    frac = (np.abs(run["sat_rates"][:, :, 1:]) > 0.99).mean(axis=(1, 2, 3))   # after r_0
    ok = bool(frac[-1] > SATURATED)
    e = [int(x) for x in run["sat_epochs"]]
    rows.append(Claim(
        "DMTS, α = 1.438, seed 0: the units saturate in the authors' epochs",
        _status(ok), "firing rates at epochs 5751-5752 (Fig. 7, saturation analysis)",
        f"rates with |r| > 0.99 in the forward passes of epochs {e[0]}-{e[-1]}: "
        + ", ".join(f"{x:.1%}" for x in frac) + f"; loss {run['sat_loss'][e[-1]]:.4f}; "
        f"largest output {float(np.max(run['sat_out'])):.3f}",
        scales["dmts"], f"{link}#fig-lc-saturation",
        "" if ok else "our run of that rate and seed is chaotic (one-ulp changes of its "
        "start change its course), so the authors' moment cannot be matched; where ours is "
        "stuck, a saturated readout holds it (the row above compares the units' saturation "
        "across the sweeps)",
        criterion=f"more than {SATURATED:.0%} of the rates saturated at the last of them"))
    # Fig. 8C: lowering the confidence
    run, scale, _ = experiments.load_or_compute("confidence", progress=False)
    s = SCALES["confidence"][scale]
    cs = analysis.confidence_summary(run, s.epochs_before, s.learned_above)
    finite = np.isfinite(cs.confidences)
    acc = cs.at_end.mean(axis=1)
    sem = cs.at_end.std(axis=1) / np.sqrt(cs.at_end.shape[1])
    control = int(np.flatnonzero(~finite)[0])
    best = int(np.argmax(np.where(finite, acc, -1)))
    ok = bool(acc[best] - acc[control] > 2 * np.hypot(sem[best], sem[control]))
    rows.append(Claim(
        "lowering the output confidence stabilises learning (full-rank DCDT)",
        _status(ok), "\"reducing output confidence improve learning stability\"; Fig. 8C",
        "mean accuracy at the end: " + ", ".join(
            f"c = {c:g}: {a:.3f}" for c, a in zip(cs.confidences, acc))
        + f"; learned (≥ {s.learned_above}) at the switch {cs.learned_at_switch.mean():.0%}, "
        f"at the end {cs.learned_fraction[best]:.0%} (c = {cs.confidences[best]:g}) against "
        f"{cs.learned_fraction[control]:.0%} without rescaling",
        scale, f"{link}#fig-lc-confidence",
        "" if ok else "no confidence ends clearly above the control",
        criterion="the best c's mean final accuracy exceeds the control's by more than two "
                  "standard errors"))
    # learnable confidence
    run, scale, _ = experiments.load_or_compute("learnable_confidence", progress=False)
    s = SCALES["learnable_confidence"][scale]
    n1 = s.epochs_before
    stuck = bool(run["accuracy"][n1 - 50:n1].max() <= 0.5)
    freed = bool(run["accuracy"][-50:].max() > 0.5)
    rows.append(Claim(
        "a trainable confidence does not free a stuck network; setting c = 1 does",
        _status(stuck and freed), "\"another network, in which c was trainable, still got "
        "stuck in the no-learning zone\" (2024, data not shown)",
        f"c {s.c_start:g} -> {run['c_final'][0]:.3g} in {n1:,} epochs, loss "
        f"{run['loss'][n1 - 1]:.4f}, gradient {sci(run['grad_norm'][n1 - 1])}; from c = "
        f"{s.c_reset:g}: accuracy {run['accuracy'][-1]:.3f}, c -> {run['c_final'][1]:.3g}",
        scale, f"{link}#fig-lc-learnable",
        "" if stuck and freed else "the network was not stuck, or did not get free",
        criterion="accuracy ≤ 0.5 over the last 50 epochs of the first phase, above 0.5 "
                  "over the last 50 of the second"))
    return rows


TOY_CONFIDENCES = (0.01, 0.1, 0.5, 1.0, 2.0)
"""Later version, Fig. 8A's confidences."""


def toy_zone_gradients(s=TOY, points=100):
    """Fig. 8A: for each of :data:`TOY_CONFIDENCES`, the mean of ``|dL/dr|`` (normalised by
    its largest value on ``r in [-r*, 2 r*]``, the authors' grid) over the no-learning zone
    ``r < r*/4`` of that grid."""
    r_star = toy.optimal_r(s.T)
    r = np.linspace(-r_star, 2 * r_star, points)
    zone = r < r_star / 4
    out = []
    for c in TOY_CONFIDENCES:
        g = np.abs(toy.simulated_grad(r, s.T, c, s.x_star, s.dt))
        out.append(float(np.mean(g[zone] / g.max())))
    return np.array(out)


def _rank_trend(gs, mean):
    """The rise of the mean functional rank over the g shown: its least-squares slope times
    the range of g (NaN with fewer than two g)."""
    ok = np.isfinite(mean)
    if ok.sum() < 2:
        return np.nan
    slope = np.polyfit(gs[ok], mean[ok], 1)[0]
    return float(slope * (gs[ok].max() - gs[ok].min()))


def _or_never(x, spec):
    return format(x, spec) if np.isfinite(x) else "never"


GROUPS = (toy_claims, fig3_claims, fig4_claims, figS1_claims, figS2_claims, memory_claims,
          collapse_claims, linear_claims, nonlinear_claims, lstm_claims)
"""The claim groups, in the order of the book."""


def claims():
    """Every row of the report, computed now."""
    return [row for group in GROUPS for row in group()]


# --- The table ------------------------------------------------------------------------------

COLOURS = {REPRODUCED: "#1a7f37", DIFFERS: "#b35900"}
"""Status colours (green, orange), readable on white and on the dark theme's grey."""


def summary(rows):
    """One line: how many claims reproduce."""
    n = sum(r.status == REPRODUCED for r in rows)
    return (f"{n} of {len(rows)} claims reproduced; {len(rows) - n} differ "
            "(each links to its explanation).")


def table_html(rows):
    """The report as an HTML table: the status next to the claim, coloured. On a phone
    (``page_fixes.css``) each row becomes a block, its cells labelled by ``data-label``."""
    e = html.escape
    head = "".join(f"<th>{h}</th>" for h in ("Claim", "Status", "Paper", "This book", "Scale"))
    body = []
    for r in rows:
        note = f"<br><small>{e(r.note)}</small>" if r.note else ""
        rule = f"<br><small><i>{e(r.criterion)}</i></small>" if r.criterion else ""
        body.append(
            f"<tr><td><a href=\"{e(r.link)}\">{e(r.claim)}</a></td>"
            f"<td class=\"status-{e(r.status)}\"><b style=\"color: {COLOURS[r.status]}\">"
            f"{e(r.status)}</b>{note}</td>"
            f"<td data-label=\"Paper\">{e(r.paper)}</td>"
            f"<td data-label=\"This book\">{e(r.ours)}{rule}</td>"
            f"<td data-label=\"Scale\">{e(r.scale)}</td></tr>")
    return (f"<p>{e(summary(rows))}</p>"
            "<div style=\"overflow-x: auto\"><table class=\"reproduction-report\">"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
