"""Figure functions: each takes an ``ax`` and data, draws, and returns the ``ax``.

Plots never train or simulate; pass them what the models computed. Losses are
shown normalised, ``L / T`` (1 means "never activates"), as in the paper's figures.
"""
import matplotlib.pyplot as plt
import numpy as np

from . import toy
from .settings import RNN

COLORS = {"low": "#1f77b4", "high": "#d62728", "analytic": "black", "ghost": "#9467bd"}
STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "font.size": 10,
    "legend.frameon": False,
}


def use_style():
    """Apply the book's style (call once, in a chapter's first cell).

    In a notebook kernel this also selects the inline backend, so figures render
    (and glue) as PNG even where ``MPLBACKEND`` names a non-interactive backend.
    """
    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
        shell.run_line_magic("matplotlib", "inline")


def _mark(ax, x, label, color="0.5"):
    ax.axvline(x, color=color, lw=0.8, ls="--")
    ax.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"), ha="center",
                va="bottom", fontsize=8, color=color)


def flow(ax, r, x=None, x_star=None):
    """Phase line of ``x' = x^2 + r`` (Fig. 1): the flow, its fixed points, the ghost."""
    x = np.linspace(-1.5, 1.5, 401) if x is None else np.asarray(x)
    ax.plot(x, x**2 + r, color="black")
    ax.axhline(0, color="0.6", lw=0.8)
    if r < 0:
        a = np.sqrt(-r)
        ax.plot([-a], [0], "o", color="black", ms=8, label="stable fixed point")
        ax.plot([a], [0], "o", mfc="white", color="black", ms=8, label="unstable fixed point")
    elif r == 0:
        ax.plot([0], [0], "o", color="black", mfc="0.6", ms=8, label="half-stable fixed point")
    else:
        width = np.sqrt(r) * 3
        ax.axvspan(-width, width, color=COLORS["ghost"], alpha=0.15, label="ghost (slow region)")
    ax.plot([0], [0], "o", color="red", ms=4, zorder=5, label="$x(0) = 0$")
    if x_star is not None:
        _mark(ax, x_star, "$x^*$")
    ax.set(xlabel="$x$", ylabel=r"$\dot x = x^2 + r$", title=f"$r = {r:g}$")
    return ax


def trajectories(ax, r_values, t, cap=5.0, labels=None):
    """``x(t)`` from ``x(0) = 0`` (2024 Eq. 7) for several ``r``; escapes drawn up to ``cap``.
    Legend entries ``labels`` (one per ``r``), by default the values of ``r``."""
    labels = [f"$r = {r:.3g}$" for r in r_values] if labels is None else labels
    if len(labels) != len(r_values):
        raise ValueError(f"labels must have one entry per r ({len(r_values)}), got {len(labels)}")
    for r, label in zip(r_values, labels):
        x = np.asarray(toy.trajectory(r, t))
        shown = np.where(np.abs(x) <= cap, x, np.nan)
        line, = ax.plot(t, shown, label=label)
        t_esc = toy.escape_time(r)
        if np.isfinite(t_esc) and t_esc <= t[-1]:
            ax.axvline(t_esc, color=line.get_color(), lw=0.8, ls=":")
    ax.set(xlabel="time $t$", ylabel="$x(t)$", ylim=(-cap, cap))
    ax.legend(fontsize=8)
    return ax


def loss_landscape(ax, r, T, finite=None):
    """Fig. 2A: the analytic loss (2024 Eq. 12) against ``r``, and finite-confidence losses.

    ``finite`` maps a label to the (unnormalised) loss values at ``r``.
    """
    ax.plot(r, np.asarray(toy.analytic_loss(r, T)) / T, color=COLORS["analytic"], lw=2,
            label=r"analytic ($c, x^* \to \infty$)")
    for label, loss in (finite or {}).items():
        ax.plot(r, np.asarray(loss) / T, label=label)
    r_star = toy.optimal_r(T)
    _mark(ax, r_star, "$r^*$")
    _mark(ax, r_star / 4, "$r^*/4$", color=COLORS["high"])
    ax.set(xscale="log", xlabel="$r$", ylabel="loss $L/T$", ylim=(-0.03, 1.05))
    ax.legend(fontsize=8, loc="lower left")
    return ax


def _flat(run):
    """A run's histories as ``(recorded, runs)`` and its delays as ``(runs,)``."""
    loss = run.loss.reshape(len(run.epochs), -1)
    return loss, run.r.reshape(loss.shape), np.broadcast_to(run.T, run.r.shape[1:]).ravel()


def loss_curves(ax, run, labels):
    """Fig. 2B: normalised loss over epochs, one line per run of a :class:`~ghostbook.toy.ToyRun`."""
    loss, _, T = _flat(run)
    for j, label in enumerate(labels):
        ax.plot(run.epochs, loss[:, j] / T[j], label=label)
    ax.set(xlabel="epoch", ylabel="loss $L/T$", ylim=(-0.03, 1.05))
    ax.legend(fontsize=8)
    return ax


def r_curves(ax, run, labels):
    """Fig. 2C: ``r / r*`` over epochs, with the point of no return ``r*/4``."""
    _, r, T = _flat(run)
    for j, label in enumerate(labels):
        ax.plot(run.epochs, r[:, j] / toy.optimal_r(T[j]), label=label)
    ax.axhline(1, color="0.5", lw=0.8, ls="--")
    ax.axhline(0.25, color=COLORS["high"], lw=0.8, ls="--")
    ax.set(xlabel="epoch", ylabel="$r / r^*$", yscale="log")
    ax.legend(fontsize=8)
    return ax


def lr_sweep(ax, lrs, final_loss, T, alpha_star=None):
    """Fig. 2D: final ``L/T`` against learning rate, mean +- s.e.m. over instances (axis 0)."""
    mean_sem(ax, lrs, (np.asarray(final_loss) / T).T, color="black")
    if alpha_star is not None:
        _mark(ax, alpha_star, r"$\alpha^*$", color=COLORS["high"])
    ax.set(xscale="log", xlabel=r"learning rate $\alpha$", ylabel="final loss $L/T$")
    return ax


def critical_scaling(ax, T, alpha_empirical, slope=None):
    """Critical learning rate against ``T`` on log-log axes: measured vs 2024 Eq. 15."""
    T = np.asarray(T, dtype=float)
    ax.loglog(T, toy.critical_learning_rate(T), color="black", label=r"2024 Eq. 15: $3\pi^4/32\,T^{-5}$")
    label = "gradient descent" + (f" (fit: slope {slope:.3f})" if slope is not None else "")
    ax.loglog(T, alpha_empirical, "o", color=COLORS["high"], label=label)
    ax.set(xlabel="delay $T$", ylabel=r"critical learning rate $\alpha^*$")
    ax.legend(fontsize=8)
    return ax


# --- Rank-one RNNs (Figs. 3, 4, S1) --------------------------------------------------------


def latent_flows(ax, kappa, flows, portraits=None):
    """Latent flow ``f(kappa)`` (2024 Eq. 4) at several epochs, with fixed points and ghosts.

    ``flows`` maps a label (e.g. "epoch 30000") to ``f`` on ``kappa``; ``portraits`` maps
    the same labels to :class:`ghostbook.latent.Portrait` objects to mark.
    """
    ax.axhline(0, color="0.6", lw=0.8)
    for label, f in flows.items():
        line, = ax.plot(kappa, f, label=label)
        portrait = (portraits or {}).get(label)
        if portrait is None:
            continue
        for fp in portrait.fixed_points:
            ax.plot(fp.kappa, 0, "o", color=line.get_color(),
                    mfc=line.get_color() if fp.stable else "white", ms=6)
        for ghost in portrait.ghosts:
            ax.plot(ghost.kappa, np.interp(ghost.kappa, kappa, f), "D", color=line.get_color(),
                    mfc="none", ms=7)
    ax.set(xlabel=r"latent variable $\kappa$", ylabel=r"$f(\kappa)$")
    ax.legend(fontsize=8)
    return ax


def kappa_trace(ax, kappa_t, kappa_star=RNN.kappa_star, delay=RNN.delay, label=None):
    """``kappa_t`` over the 40 steps of a trial, with the threshold and the delay."""
    steps = np.arange(1, len(kappa_t) + 1)
    ax.plot(steps, kappa_t, marker=".", label=label)
    ax.axhline(kappa_star, color="0.5", lw=0.8, ls="--")
    ax.axvline(delay + 0.5, color="black", lw=0.8)
    ax.set(xlabel="time step", ylabel=r"$\kappa_t = n \cdot x_t$")
    if label is not None:
        ax.legend(fontsize=8)
    return ax


def training_history(ax_loss, ax_grad, epochs, loss, grad_norm, marks=None):
    """Loss and gradient norm over epochs (Fig. 3), with marked epochs ``{label: epoch}``."""
    ax_loss.plot(epochs, loss, color="black", lw=0.8)
    ax_grad.plot(epochs, grad_norm, color=COLORS["low"], lw=0.8)
    top = max(1.0, float(np.nanmax(loss)))            # losses start near 1; show more only if reached
    ax_loss.set(ylabel="loss", ylim=(-0.025 * top, 1.05 * top))
    ax_grad.set(ylabel="gradient norm", yscale="log", xlabel="epoch")
    for label, epoch in (marks or {}).items():
        for ax in (ax_loss, ax_grad):
            ax.axvline(epoch, color=COLORS["high"], lw=0.8, ls=":")
        ax_loss.annotate(label, (epoch, 1.0), xycoords=("data", "axes fraction"),
                         ha="center", va="bottom", fontsize=8, color=COLORS["high"])
    return ax_loss, ax_grad


def latent_history(ax, history):
    """Fixed-point count and slowest-ghost speed over training (a :class:`LatentHistory`)."""
    ax.step(history.epochs, history.n_fixed_points, where="post", color="black")
    ax.set(xlabel="epoch", ylabel=r"fixed points in $[-15, 15]$")
    ax.yaxis.get_major_locator().set_params(integer=True)
    twin = ax.twinx()
    twin.spines["right"].set_visible(True)        # the book's style hides right spines
    twin.plot(history.epochs, history.ghost_speed, color=COLORS["ghost"], lw=1)
    twin.set_yscale("log")
    twin.set_ylabel(r"ghost speed $|f|$", color=COLORS["ghost"])
    return ax, twin


def mean_sem(ax, x, values, label=None, color=None):
    """Mean +- s.e.m. over the last axis of ``values`` against ``x``."""
    values = np.asarray(values, dtype=float)
    mean = values.mean(axis=-1)
    sem = values.std(axis=-1, ddof=1) / np.sqrt(values.shape[-1]) if values.shape[-1] > 1 else 0 * mean
    line, = ax.plot(x, mean, label=label, color=color)
    ax.fill_between(x, mean - sem, mean + sem, color=line.get_color(), alpha=0.25, lw=0)
    return ax


def epoch_traces(ax, epochs, series, ylabel, hline=None):
    """Quantities over training: ``series`` maps a label to values ``(S,)`` at ``epochs``
    (NaN where a quantity is undefined, e.g. no ghost yet); ``hline`` marks a reference level."""
    if hline is not None:
        ax.axhline(hline, color="0.5", lw=0.8, ls="--")
    for label, values in series.items():
        ax.plot(epochs, values, label=label)
    ax.set(xlabel="epoch", ylabel=ylabel)
    ax.legend(fontsize=8)
    return ax


def by_confidence(ax, x, values, c, cmap="viridis"):
    """Fig. 4's recovery panel: mean +- s.e.m. over the last axis of each ``values[k]``
    against ``x``, one line per confidence ``c[k]``, coloured by ``log c``."""
    logc = np.log(np.asarray(c, dtype=float))
    span = np.ptp(logc) if len(logc) > 1 else 1.0
    colors = plt.get_cmap(cmap)((logc - logc.min()) / (span or 1.0))
    for v, ck, color in zip(values, c, colors):
        mean_sem(ax, x, v, label=f"$c = {ck:.3g}$", color=color)
    ax.set(xlabel="recovery epoch")
    ax.legend(fontsize=7, ncol=2)
    return ax


def onset_histogram(ax, onsets, copies, marks=None, bin_width=10):
    """Epochs at which copies of a network got stuck (Fig. 3B's rounding study), out of
    ``copies`` copies, with reference epochs ``marks = {label: epoch}``."""
    onsets = np.asarray(onsets)
    edges = np.arange(onsets.min() // bin_width * bin_width, onsets.max() + 2 * bin_width, bin_width)
    ax.hist(onsets, bins=edges, color=COLORS["high"], alpha=0.8)
    for label, epoch in (marks or {}).items():
        _mark(ax, epoch, label)
    ax.set(xlabel="epoch from which the copy stayed at chance",
           ylabel=f"copies (of {copies})")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return ax


# --- Sloppy ranks (Fig. S2) ------------------------------------------------------------------


def rank_colors(arms, cmap="tab10"):
    """One colour per arm (``"1" .. "100"``, ``"full"``) from a qualitative palette, by rank,
    so that neighbouring ranks differ; full rank is red (``COLORS["high"]``), which the
    ranks skip."""
    from matplotlib.colors import to_hex

    palette = [c for c in plt.get_cmap(cmap).colors if to_hex(c) != COLORS["high"]]
    ranks = sorted((a for a in arms if a != "full"), key=float)
    if len(ranks) > len(palette):
        raise ValueError(f"{cmap} has {len(palette)} colours besides red, got {len(ranks)} ranks")
    colors = dict(zip(ranks, palette))
    if "full" in arms:
        colors["full"] = COLORS["high"]
    return colors


def rank_curves(ax, epochs, curves, colors):
    """Fig. S2: normalised loss against epoch on log-log axes, ``curves = {arm: (E, runs)}``
    (one line per run), coloured by ``colors[arm]``; one legend entry per arm."""
    for arm, values in curves.items():
        lines = ax.plot(np.maximum(epochs, 1), values, color=colors[arm], lw=0.7, alpha=0.8)
        lines[0].set_label("full W" if arm == "full" else f"rank {arm}")
    ax.set(xscale="log", yscale="log", xlabel="epoch", ylabel="loss / first loss")
    return ax


# --- Schuessler et al. 2020: linear networks (Figs. 3-4) and the flip-flop task (Fig. 1) ---


def mean_sd(ax, x, values, label=None, color=None, ls="-"):
    """Mean +- standard deviation over the first axis of ``values (runs, len(x))``."""
    values = np.asarray(values, dtype=float)
    mean, sd = values.mean(axis=0), values.std(axis=0)
    line, = ax.plot(x, mean, label=label, color=color, ls=ls)
    ax.fill_between(x, mean - sd, mean + sd, color=line.get_color(), alpha=0.2, lw=0)
    return ax


def theory_and_simulation(ax, x, simulated, theory, ylabel, log=False):
    """Simulation (``{label: (runs, len(x))}``, mean +- s.d.) as full lines, theory
    (``{label: (x_theory, y)}``) dashed in the same colour, in the order given."""
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for color, (label, values) in zip(colors, simulated.items()):
        mean_sd(ax, x, values, label=label, color=color)
    for color, (label, (xt, yt)) in zip(colors, theory.items()):
        ax.plot(xt, yt, color=color, ls="--", lw=1.2, label=label)
    ax.set(ylabel=ylabel, yscale="log" if log else "linear")
    ax.legend(fontsize=7)
    return ax


def trial_readouts(ax, t, traces, z_hats, t_on):
    """Fig. 3a of Schuessler et al.: readouts ``z(t)`` (``{label: (len(t),)}``), targets dotted."""
    for label, z in traces.items():
        ax.plot(t, z, label=label)
    for z_hat in z_hats:
        ax.axhline(z_hat, color="0.4", lw=0.8, ls=":")
    ax.axvline(t_on, color="0.6", lw=0.8, ls="--")
    ax.set(xlabel="time $t$", ylabel="readout $z(t)$")
    ax.legend(fontsize=7)
    return ax


def scaling(ax, x, measured, theory, ylabel, xlabel):
    """Measured ``{label: (runs, len(x))}`` (median, bars from the first to the third
    quartile: robust to single runs that go astray) against a theory curve ``(x_theory, y)``
    (black, dashed)."""
    for label, values in measured.items():
        q1, median, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75], axis=0)
        ax.errorbar(x, median, [median - q1, q3 - median], marker="o", ms=3, capsize=2, label=label)
    ax.plot(*theory, color="black", ls="--", lw=1, label="first-order theory")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=7)
    return ax


def power_law(ax, N, deviation, slope, intercept):
    """Deviations from a large-``N`` limit (``(seeds, len(N))``) on log-log axes, with a
    fitted line ``exp(intercept) N^slope``."""
    ax.loglog(np.repeat(N, deviation.shape[0]), deviation.T.ravel(), ".", color="0.6", ms=4,
              label="single networks")
    ax.loglog(N, np.sqrt(np.mean(deviation**2, axis=0)), "o", color="black", label="r.m.s.")
    ax.loglog(N, np.exp(intercept) * np.asarray(N, float) ** slope, color=COLORS["high"],
              label=f"fit: $N^{{{slope:.2f}}}$")
    ax.set(xlabel="network size $N$", ylabel="deviation")
    ax.legend(fontsize=7)
    return ax


def median_quartiles(ax, x, values, label=None, color=None):
    """Median and first to third quartile over the first axis of ``values (runs, len(x))``:
    the band stays positive on a log axis, where mean +- s.d. may not."""
    q1, median, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75], axis=0)
    line, = ax.plot(x, median, label=label, color=color)
    ax.fill_between(x, q1, q3, color=line.get_color(), alpha=0.2, lw=0)
    return ax


def spectra(ax, values, start, xlabel, ylabel, log=False, hline=None):
    """Curves against ``start, start + 1, ...`` (``{label: (runs, K)}``): the singular values
    of ``Delta W`` (start 1), losses of rank-``R`` truncations (start 0). Mean +- s.d., or
    on a log axis median and quartiles."""
    band = median_quartiles if log else mean_sd
    for label, v in values.items():
        v = np.asarray(v, dtype=float)
        band(ax, start + np.arange(v.shape[-1]), v, label=label)
    if hline is not None:
        ax.axhline(hline, color="0.5", lw=0.8, ls="--")
    ax.set(xlabel=xlabel, ylabel=ylabel, yscale="log" if log else "linear")
    ax.legend(fontsize=7)
    return ax


def task_trial(axes, t, u, z_hat, mask, outputs):
    """One trial of a Schuessler task (their Fig. 1a-c): the inputs on the first axis, then
    one axis per output with its target (black, dashed; shaded where the loss does not count
    it) and the readouts ``{label: (len(t), outputs)}``."""
    ax_in, out_axes = axes[0], axes[1:]
    for c in range(u.shape[1]):
        ax_in.plot(t, u[:, c], lw=1, label=f"input {c + 1}")
    ax_in.set(ylabel="input $u$")
    ax_in.legend(fontsize=7, ncol=u.shape[1], loc="lower left", bbox_to_anchor=(0, 1))
    for c, ax in enumerate(out_axes):
        ax.fill_between(t, -1, 1, where=mask[:, c] == 0, step="mid", color="0.92", lw=0,
                        label="not counted")
        ax.plot(t, z_hat[:, c], color="black", ls="--", lw=1, label=r"target $\hat z$")
        for label, z in outputs.items():
            ax.plot(t, z[:, c], lw=1.2, label=label)
        ax.set(ylabel=f"output {c + 1}", ylim=(-0.8, 0.8))
    out_axes[0].legend(fontsize=7, ncol=4, loc="lower left", bbox_to_anchor=(0, 1))
    axes[-1].set_xlabel("time $t$")
    return axes


def over_g(ax, gs, mean, sd, label=None, color=None):
    """Schuessler Fig. 2: a measure's mean +- s.d. over samples against ``g``; ``NaN`` (a
    ``g`` with too few valid samples) is left out, as the authors do."""
    gs, mean, sd = (np.asarray(x, dtype=float) for x in (gs, mean, sd))
    ok = np.isfinite(mean)
    line, = ax.plot(gs[ok], mean[ok], "o-", ms=3, label=label, color=color)
    ax.fill_between(gs[ok], (mean - sd)[ok], (mean + sd)[ok], color=line.get_color(),
                    alpha=0.3, lw=0)
    ax.set_xlabel("$g$")
    return ax


# --- Figs. 2D and S1 as the authors plot them -------------------------------------------------


def loss_at_epochs(ax, lrs, losses, alpha_star=None, cmap="viridis"):
    """The loss at several epochs against the learning rate (the authors' Figs. 2D and S1):
    ``losses`` maps an epoch to losses ``(runs, n_lrs)``; one curve per epoch, mean with
    error bars of one s.e.m. over the runs (:func:`ghostbook.analysis.mean_sem`, ddof 0),
    coloured by epoch from ``cmap``; ``alpha_star`` marks a critical rate. Log ``x``."""
    from .analysis import mean_sem as mean_and_sem

    epochs = sorted(losses)
    colors = plt.get_cmap(cmap)(np.linspace(0.1, 0.9, len(epochs)))
    for epoch, color in zip(epochs, colors):
        mean, sem = mean_and_sem(np.asarray(losses[epoch], dtype=float), axis=0)
        ax.errorbar(lrs, mean, sem, color=color, lw=1, elinewidth=0.8,
                    label=f"epoch {epoch:,}")
    if alpha_star is not None:
        _mark(ax, alpha_star, r"$\alpha^*$", color=COLORS["high"])
    ax.set(xscale="log", xlabel=r"learning rate $\alpha$", ylabel="loss")
    ax.legend(fontsize=7)
    return ax


def flow_map(ax, grid, speed, flow_uv=None, trajectories=None, decision=None, portrait=None,
             vmin=1e-3, vmax=10.0, arrows=15, colorbar=True):
    """A 2-D latent flow (later version, Fig. 4): the speed ``|f(kappa)|`` on a log colour
    scale, flow arrows, trial trajectories, the readout's decision boundaries, and the fixed
    points (filled: stable, open: unstable) and ghosts (diamonds) of ``portrait``.

    grid: the 1-D grid of each axis (``K``); speed: ``(K, K)`` indexed ``[i1, i2]`` for
    ``kappa = (grid[i1], grid[i2])``; flow_uv: ``(K, K, 2)`` flow vectors for the arrows;
    trajectories: ``{label: (T, 2) array}``; decision: ``(K, K)`` readout of each grid point
    with its level sets drawn dashed, at 0 or at the ``levels`` given by ``decision``'s
    second element when it is a pair ``(values, levels)``.
    """
    from matplotlib.colors import LogNorm

    speed = np.clip(speed, vmin, vmax)
    mesh = ax.pcolormesh(grid, grid, speed.T, norm=LogNorm(vmin=vmin, vmax=vmax),
                         cmap="magma", shading="auto", rasterized=True)
    if colorbar:
        plt.colorbar(mesh, ax=ax, label=r"speed $|f(\kappa)|$", shrink=0.8)
    if flow_uv is not None:
        step = max(1, len(grid) // arrows)
        sub = slice(step // 2, None, step)
        g = grid[sub]
        uv = flow_uv[sub, sub]
        norm = np.linalg.norm(uv, axis=-1, keepdims=True) + 1e-12
        ax.quiver(g[:, None].repeat(len(g), 1), g[None, :].repeat(len(g), 0),
                  *(uv / norm).transpose(2, 0, 1), color="white", alpha=0.6, scale=30, width=0.004)
    if decision is not None:
        values, levels = decision if isinstance(decision, tuple) else (decision, (0.0,))
        ax.contour(grid, grid, values.T, levels=sorted(levels), colors="cyan", linewidths=0.9,
                   linestyles="--")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (label, path), color in zip((trajectories or {}).items(), colors):
        ax.plot(path[:, 0], path[:, 1], color=color, lw=1.5, label=label)
        ax.plot(*path[0], "o", color=color, ms=3)
        ax.plot(*path[-1], "s", color=color, ms=4)
    if portrait is not None:
        for fp in portrait.fixed_points:
            ax.plot(*fp.kappa, "o", ms=8, mec="black", mfc="white" if not fp.stable else "lime")
        for gh in portrait.ghosts:
            ax.plot(*gh.kappa, "D", ms=8, mec="black", mfc=COLORS["ghost"])
    ax.set(xlim=(grid[0], grid[-1]), ylim=(grid[0], grid[-1]), xlabel=r"$\kappa_1$",
           ylabel=r"$\kappa_2$", aspect="equal")
    return ax


FATE_COLORS = {"learned": "#1a7f37", "vanishing": "#6a3d9a", "oscillating": "#d62728",
               "never": "0.55", "unsettled": "#ff7f0e"}
"""A colour per fate of :data:`ghostbook.analysis.COLLAPSE_FATES`."""


def lr_boxes(ax, lrs, values, color=None, label=None, width=0.1):
    """The authors' Fig. 7 panels: a box per learning rate of ``values (n_lrs, runs)``
    (boxes ``width`` decades wide, no fliers) with every run as a jittered dot. Log axes."""
    lrs, values = np.asarray(lrs), np.asarray(values, dtype=float)
    widths = 10 ** (np.log10(lrs) + width / 2) - 10 ** (np.log10(lrs) - width / 2)
    ax.boxplot(list(values), positions=lrs, widths=widths, showfliers=False,
               manage_ticks=False, boxprops={"color": color}, medianprops={"color": color},
               whiskerprops={"color": color}, capprops={"color": color})
    jitter = np.random.default_rng(0).normal(0, 0.02, values.shape)
    ax.scatter((lrs[:, None] * 10 ** jitter).ravel(), values.ravel(), s=3, color=color,
               label=label)
    ax.set(xscale="log", yscale="log", xlabel=r"learning rate $\alpha$")
    return ax


def fate_bars(ax, lrs, counts, fates):
    """Stacked bars: ``counts (n_lrs, len(fates))`` runs of each fate per learning rate."""
    x = np.arange(len(lrs))
    bottom = np.zeros(len(lrs))
    for k, name in enumerate(fates):
        ax.bar(x, counts[:, k], bottom=bottom, color=FATE_COLORS[name], label=name, width=0.8)
        bottom += counts[:, k]
    step = max(1, int(np.ceil(len(lrs) / 5)))             # at most five labels
    ax.set_xticks(x[::step], [f"{v:.2g}" for v in lrs[::step]], fontsize=8)
    ax.set(xlabel=r"learning rate $\alpha$", ylabel="runs")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7, ncol=len(fates), loc="lower left", bbox_to_anchor=(0, 1.0))
    return ax


def run_history(ax, epochs, loss, grad_norm, title=None):
    """One run's loss and gradient norm against the epoch (log ``y``: a collapse shows as a
    jump of the loss and a fall of the gradient by orders of magnitude)."""
    ax.plot(epochs, loss, label="loss", lw=0.8)
    ax.plot(epochs, grad_norm, label=r"$\|\nabla_W L\|$", lw=0.8, alpha=0.8)
    ax.set(yscale="log", xlabel="epoch")
    if title:
        ax.set_title(title, fontsize=9)
    return ax
