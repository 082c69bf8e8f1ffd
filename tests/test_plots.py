"""Plot helpers: what the chapters rely on them to draw."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ghostbook import latent, plots, toy  # noqa: E402


def test_trajectories_take_one_label_per_r():
    fig, ax = plt.subplots()
    t = np.linspace(0, 10, 101)
    plots.trajectories(ax, [-0.01, 0.0, 0.01], t, labels=["a", "b", "c"])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="^labels"):
        plots.trajectories(ax, [-0.01, 0.0], t, labels=["a"])
    plt.close(fig)


def test_training_history_shows_the_loss_range_it_is_given():
    fig, (ax_loss, ax_grad) = plt.subplots(2, 1)
    epochs = np.arange(5)
    plots.training_history(ax_loss, ax_grad, epochs, np.array([0.9, 0.8, 0.2, 0.0, 0.1]), np.ones(5))
    assert ax_loss.get_ylim()[1] == pytest.approx(1.05)
    plots.training_history(ax_loss, ax_grad, epochs, np.array([0.9, 1.8, 0.2, 0.0, 0.1]), np.ones(5))
    assert ax_loss.get_ylim()[1] == pytest.approx(1.05 * 1.8)
    plt.close(fig)


def test_rank_colors_tell_every_rank_apart_and_keep_red_for_full_rank():
    arms = ("1", "2", "3", "4", "5", "10", "30", "50", "100", "full")
    colors = plots.rank_colors(arms)
    assert colors["full"] == plots.COLORS["high"]
    hexes = [matplotlib.colors.to_hex(colors[a]) for a in arms]
    assert len(set(hexes)) == len(arms)
    with pytest.raises(ValueError):
        plots.rank_colors(tuple(str(k) for k in range(1, 12)))


# --- What each helper draws ------------------------------------------------------------------


def new_axes():
    fig, ax = plt.subplots()
    return fig, ax


def rgba(color):
    return matplotlib.colors.to_rgba(color)


def horizontal(ax):
    """y of the lines drawn across the axes (axhline), in drawing order."""
    return [line.get_ydata()[0] for line in ax.get_lines()
            if list(line.get_xdata()) == [0, 1] and line.get_ydata()[0] == line.get_ydata()[1]]


def vertical(ax):
    """x of the lines drawn across the axes (axvline), in drawing order."""
    return [line.get_xdata()[0] for line in ax.get_lines()
            if list(line.get_ydata()) == [0, 1] and line.get_xdata()[0] == line.get_xdata()[1]]


def curves(ax):
    """The data lines: everything but axhline / axvline."""
    return [line for line in ax.get_lines()
            if list(line.get_xdata()) != [0, 1] and list(line.get_ydata()) != [0, 1]]


def band(collection, x):
    """Lower and upper edge of a fill_between collection at each ``x``."""
    v = collection.get_paths()[0].vertices
    at = [v[np.isclose(v[:, 0], xi, rtol=1e-9, atol=0), 1] for xi in x]
    return np.array([y.min() for y in at]), np.array([y.max() for y in at])


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_use_style_applies_the_book_style():
    with matplotlib.rc_context({"axes.spines.top": True, "legend.frameon": True}):
        plots.use_style()
        assert all(plt.rcParams[key] == value for key, value in plots.STYLE.items())
        assert not plt.rcParams["axes.spines.top"] and not plt.rcParams["legend.frameon"]


@pytest.mark.parametrize("r", [-0.25, 0.0, 0.04])
def test_flow_draws_the_parabola_and_what_it_has_at_r(r):
    fig, ax = new_axes()
    x = np.linspace(-1, 1, 21)
    assert plots.flow(ax, r, x=x, x_star=0.8) is ax
    parabola = ax.get_lines()[0]
    np.testing.assert_allclose(parabola.get_xdata(), x)
    np.testing.assert_allclose(parabola.get_ydata(), x**2 + r)
    assert horizontal(ax) == [0] and vertical(ax) == [0.8]           # x' = 0 and x*
    points = {line.get_label(): line for line in ax.get_lines() if line.get_marker() == "o"}
    start = points.pop("$x(0) = 0$")
    assert (start.get_xdata()[0], start.get_ydata()[0]) == (0, 0)
    assert rgba(start.get_color()) == rgba("red")
    if r < 0:
        stable, unstable = points["stable fixed point"], points["unstable fixed point"]
        assert stable.get_xdata()[0] == -0.5 and unstable.get_xdata()[0] == 0.5
        assert rgba(stable.get_markerfacecolor()) == rgba("black")
        assert rgba(unstable.get_markerfacecolor()) == rgba("white")
        assert not ax.patches
    elif r == 0:
        assert list(points) == ["half-stable fixed point"]
        assert points["half-stable fixed point"].get_xdata()[0] == 0
    else:
        assert not points
        (ghost,) = ax.patches                                        # the slow region
        assert ghost.get_label() == "ghost (slow region)"
        assert ghost.get_x() == pytest.approx(-0.6) and ghost.get_width() == pytest.approx(1.2)
    assert ax.get_title() == f"$r = {r:g}$"
    plt.close(fig)


def test_trajectories_cut_escapes_at_the_cap_and_mark_the_escape_time():
    fig, ax = new_axes()
    t = np.linspace(0, 20, 201)
    plots.trajectories(ax, [-0.01, 0.01], t, cap=2.0)
    decay, escape = curves(ax)
    np.testing.assert_allclose(decay.get_ydata(), toy.trajectory(-0.01, t))
    x = np.asarray(toy.trajectory(0.01, t))
    shown = escape.get_ydata()
    assert np.all(np.isnan(shown[np.abs(x) > 2.0]))
    np.testing.assert_allclose(shown[np.abs(x) <= 2.0], x[np.abs(x) <= 2.0])
    (t_escape,) = vertical(ax)                                       # only r > 0 escapes
    assert t_escape == pytest.approx(np.pi / (2 * 0.1))
    assert legend_texts(ax) == ["$r = -0.01$", "$r = 0.01$"] and ax.get_ylim() == (-2.0, 2.0)
    plt.close(fig)


def test_loss_landscape_normalises_by_T_and_marks_r_star():
    fig, ax = new_axes()
    T, r = 100.0, np.geomspace(1e-5, 1e-2, 50)
    plots.loss_landscape(ax, r, T, finite={"$c = 1$": np.linspace(0, T, 50)})
    analytic, finite = curves(ax)
    np.testing.assert_allclose(analytic.get_ydata(), toy.analytic_loss(r, T) / T)
    np.testing.assert_allclose(finite.get_ydata(), np.linspace(0, 1, 50))
    r_star = toy.optimal_r(T)
    np.testing.assert_allclose(vertical(ax), [r_star, r_star / 4])
    assert ax.get_xscale() == "log" and ax.get_ylim() == (-0.03, 1.05)
    assert legend_texts(ax)[1] == "$c = 1$"
    plt.close(fig)


def toy_run():
    """Two runs of three recorded epochs, delays 50 and 100."""
    T = np.array([50.0, 100.0])
    r = np.array([[10.0, 10.0], [5.0, 2.0], [1.0, 0.1]]) * toy.optimal_r(T)
    loss = np.array([[50.0, 100.0], [25.0, 80.0], [0.0, 100.0]])
    return toy.ToyRun(np.array([0, 10, 20]), r, loss, np.array([1e-9, 1e-8]), T)


def test_loss_curves_draw_each_run_over_its_delay():
    fig, ax = new_axes()
    run = toy_run()
    plots.loss_curves(ax, run, ["slow", "fast"])
    for line, expected in zip(curves(ax), ([1.0, 0.5, 0.0], [1.0, 0.8, 1.0])):
        np.testing.assert_array_equal(line.get_xdata(), run.epochs)
        np.testing.assert_allclose(line.get_ydata(), expected)
    assert legend_texts(ax) == ["slow", "fast"] and len(curves(ax)) == 2
    plt.close(fig)


def test_r_curves_draw_r_over_r_star_with_the_point_of_no_return():
    fig, ax = new_axes()
    plots.r_curves(ax, toy_run(), ["slow", "fast"])
    for line, expected in zip(curves(ax), ([10.0, 5.0, 1.0], [10.0, 2.0, 0.1])):
        np.testing.assert_allclose(line.get_ydata(), expected)
    assert horizontal(ax) == [1, 0.25] and ax.get_yscale() == "log"
    plt.close(fig)


def test_lr_sweep_draws_mean_and_sem_of_the_final_loss_over_T():
    fig, ax = new_axes()
    lrs, T = np.array([1e-10, 1e-9, 1e-8]), 10.0
    final = np.array([[1.0, 5.0, 10.0], [3.0, 5.0, 10.0], [2.0, 8.0, 10.0]])   # (runs, lrs)
    plots.lr_sweep(ax, lrs, final, T, alpha_star=3e-9)
    (line,) = curves(ax)
    mean, sem = (final / T).mean(axis=0), (final / T).std(axis=0, ddof=1) / np.sqrt(3)
    np.testing.assert_allclose(line.get_ydata(), mean)
    lower, upper = band(ax.collections[0], lrs)
    np.testing.assert_allclose(lower, mean - sem)
    np.testing.assert_allclose(upper, mean + sem)
    assert vertical(ax) == [3e-9] and ax.get_xscale() == "log"
    plt.close(fig)


def test_critical_scaling_draws_eq_15_and_the_measured_rates():
    fig, ax = new_axes()
    T = np.array([30.0, 100.0, 300.0])
    measured = 1.1 * toy.critical_learning_rate(T)
    plots.critical_scaling(ax, T, measured, slope=-4.9)
    theory, points = ax.get_lines()
    np.testing.assert_allclose(theory.get_ydata(), toy.critical_learning_rate(T))
    np.testing.assert_allclose(points.get_ydata(), measured)
    assert points.get_linestyle() == "None" and points.get_marker() == "o"
    assert legend_texts(ax)[1] == "gradient descent (fit: slope -4.900)"
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(fig)


def test_latent_flows_mark_fixed_points_by_stability_and_ghosts():
    fig, ax = new_axes()
    kappa = np.linspace(-2, 2, 41)
    flows = {"epoch 0": kappa**2 - 1, "epoch 10": kappa**2 + 0.1}
    portraits = {"epoch 0": latent.Portrait((latent.FixedPoint(-1.0, -2.0, True),
                                             latent.FixedPoint(1.0, 2.0, False)), ()),
                 "epoch 10": latent.Portrait((), (latent.Ghost(0.0, 0.1, 2.0),))}
    plots.latent_flows(ax, kappa, flows, portraits)
    assert horizontal(ax) == [0]
    lines = [line for line in curves(ax) if line.get_marker() in ("None", "")]
    for line, f in zip(lines, flows.values()):
        np.testing.assert_allclose(line.get_ydata(), f)
    first, second = (rgba(line.get_color()) for line in lines)
    marks = {(line.get_marker(), line.get_xdata()[0], round(line.get_ydata()[0], 9)): line
             for line in curves(ax) if line.get_marker() in ("o", "D")}
    assert set(marks) == {("o", -1.0, 0), ("o", 1.0, 0), ("D", 0.0, 0.1)}   # ghost: on f
    assert rgba(marks["o", -1.0, 0].get_markerfacecolor()) == first          # stable: filled
    assert rgba(marks["o", 1.0, 0].get_markerfacecolor()) == rgba("white")   # unstable
    ghost = marks["D", 0.0, 0.1]
    assert rgba(ghost.get_color()) == second and ghost.get_markerfacecolor() == "none"
    assert legend_texts(ax) == ["epoch 0", "epoch 10"]
    plt.close(fig)


def test_kappa_trace_marks_the_threshold_and_the_delay():
    fig, ax = new_axes()
    kappa_t = np.linspace(-0.3, 2.0, 40)
    plots.kappa_trace(ax, kappa_t, kappa_star=1.5, delay=10, label="epoch 0")
    (line,) = curves(ax)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 41))
    np.testing.assert_allclose(line.get_ydata(), kappa_t)
    assert horizontal(ax) == [1.5] and vertical(ax) == [10.5]
    assert legend_texts(ax) == ["epoch 0"]
    fig2, ax2 = new_axes()
    plots.kappa_trace(ax2, kappa_t)                                  # the RNN's defaults
    assert horizontal(ax2) == [1.0] and vertical(ax2) == [20.5] and ax2.get_legend() is None
    plt.close(fig)
    plt.close(fig2)


def test_training_history_marks_epochs_on_both_panels():
    fig, (ax_loss, ax_grad) = plt.subplots(2, 1)
    epochs, loss, grad = np.arange(5), np.linspace(1, 0, 5), np.geomspace(1, 1e-3, 5)
    plots.training_history(ax_loss, ax_grad, epochs, loss, grad, marks={"drop": 3})
    np.testing.assert_allclose(curves(ax_loss)[0].get_ydata(), loss)
    np.testing.assert_allclose(curves(ax_grad)[0].get_ydata(), grad)
    assert vertical(ax_loss) == vertical(ax_grad) == [3]
    assert [t.get_text() for t in ax_loss.texts] == ["drop"] and ax_grad.get_yscale() == "log"
    plt.close(fig)


def test_latent_history_steps_the_count_and_logs_the_ghost_speed():
    fig, ax = new_axes()
    history = latent.LatentHistory(np.array([0, 10, 20, 30]), np.array([1, 1, 3, 3]),
                                   np.array([np.nan, 0.1, 0.01, np.nan]), (20,), 10, 0.01, 20)
    ax_out, twin = plots.latent_history(ax, history)
    (count,) = ax.get_lines()
    assert ax_out is ax and count.get_drawstyle() == "steps-post"
    np.testing.assert_array_equal(count.get_ydata(), [1, 1, 3, 3])
    (speed,) = twin.get_lines()
    np.testing.assert_array_equal(speed.get_ydata(), history.ghost_speed)
    assert twin.get_yscale() == "log" and rgba(speed.get_color()) == rgba(plots.COLORS["ghost"])
    plt.close(fig)


def test_mean_sem_averages_the_last_axis():
    fig, ax = new_axes()
    x = np.array([0.0, 1.0, 2.0])
    values = np.array([[1.0, 3.0], [2.0, 2.0], [0.0, 4.0]])          # (len(x), runs)
    plots.mean_sem(ax, x, values, label="a", color="C3")
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [2.0, 2.0, 2.0])
    lower, upper = band(ax.collections[0], x)
    sem = values.std(axis=1, ddof=1) / np.sqrt(2)
    np.testing.assert_allclose(upper - lower, 2 * sem)
    assert line.get_label() == "a" and rgba(line.get_color()) == rgba("C3")
    plots.mean_sem(ax, x, values[:, :1])                              # one run: no band
    lower, upper = band(ax.collections[1], x)
    np.testing.assert_array_equal(lower, upper)
    plt.close(fig)


def test_epoch_traces_draw_each_series_and_the_reference():
    fig, ax = new_axes()
    epochs = np.array([0, 100, 200])
    series = {"speed": np.array([np.nan, 0.5, 0.2]), "curvature": np.array([1.0, 2.0, 3.0])}
    plots.epoch_traces(ax, epochs, series, "value", hline=0.3)
    assert horizontal(ax) == [0.3]
    for line, values in zip(curves(ax), series.values()):
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert legend_texts(ax) == ["speed", "curvature"] and ax.get_ylabel() == "value"
    plt.close(fig)


def test_by_confidence_colours_lines_by_log_c():
    fig, ax = new_axes()
    x, c = np.arange(4), np.array([0.01, 0.1, 1.0])
    values = [np.full((4, 2), k) + np.array([0.0, 1.0]) for k in range(3)]   # (len(x), runs)
    plots.by_confidence(ax, x, values, c)
    lines = ax.get_lines()
    assert len(lines) == 3
    for line, k in zip(lines, range(3)):
        np.testing.assert_allclose(line.get_ydata(), k + 0.5)
    cmap = plt.get_cmap("viridis")
    assert [rgba(line.get_color()) for line in lines] == [cmap(0.0), cmap(0.5), cmap(1.0)]
    assert legend_texts(ax) == ["$c = 0.01$", "$c = 0.1$", "$c = 1$"]
    plt.close(fig)


def test_onset_histogram_counts_copies_per_bin():
    fig, ax = new_axes()
    plots.onset_histogram(ax, [100, 103, 115, 131], copies=8, marks={"bifurcation": 110})
    heights = [patch.get_height() for patch in ax.patches]
    lefts = [patch.get_x() for patch in ax.patches]
    assert heights == [2, 1, 0, 1, 0] and lefts == [100, 110, 120, 130, 140]
    assert vertical(ax) == [110] and [t.get_text() for t in ax.texts] == ["bifurcation"]
    assert ax.get_ylabel() == "copies (of 8)"
    plt.close(fig)


def test_rank_curves_draw_every_run_with_one_legend_entry_per_arm():
    fig, ax = new_axes()
    epochs = np.array([0, 10, 100])
    curves_ = {"1": np.array([[1.0, 1.0], [0.5, 0.9], [0.1, 0.8]]),
               "full": np.array([[1.0], [0.1], [0.01]])}
    colors = plots.rank_colors(("1", "full"))
    plots.rank_curves(ax, epochs, curves_, colors)
    lines = ax.get_lines()
    assert len(lines) == 3
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 10, 100])   # epoch 0 at 1
    np.testing.assert_allclose(lines[1].get_ydata(), [1.0, 0.9, 0.8])
    assert [rgba(line.get_color()) for line in lines] == [
        rgba(colors["1"]), rgba(colors["1"]), rgba(colors["full"])]
    assert ax.get_legend_handles_labels()[1] == ["rank 1", "full W"]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(fig)


def test_mean_sd_averages_the_first_axis():
    fig, ax = new_axes()
    x = np.array([0.0, 1.0])
    values = np.array([[1.0, 2.0], [3.0, 6.0]])                       # (runs, len(x))
    plots.mean_sd(ax, x, values, color="C1", ls="--")
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [2.0, 4.0])
    lower, upper = band(ax.collections[0], x)
    np.testing.assert_allclose(lower, [1.0, 2.0])                    # s.d. with ddof 0
    np.testing.assert_allclose(upper, [3.0, 6.0])
    assert line.get_linestyle() == "--" and rgba(line.get_color()) == rgba("C1")
    plt.close(fig)


@pytest.mark.parametrize("log", [False, True])
def test_theory_and_simulation_pair_colours_and_dash_the_theory(log):
    fig, ax = new_axes()
    x, xt = np.arange(3.0), np.linspace(0, 2, 9)
    simulated = {"a": np.ones((2, 3)), "b": 2 * np.ones((2, 3))}
    theory = {"a, theory": (xt, xt + 1), "b, theory": (xt, xt + 2)}
    plots.theory_and_simulation(ax, x, simulated, theory, "loss", log=log)
    sim_a, sim_b, th_a, th_b = ax.get_lines()
    np.testing.assert_allclose(sim_b.get_ydata(), 2.0)
    np.testing.assert_allclose(th_a.get_ydata(), xt + 1)
    assert sim_a.get_linestyle() == "-" and th_a.get_linestyle() == th_b.get_linestyle() == "--"
    assert rgba(sim_a.get_color()) == rgba(th_a.get_color()) != rgba(sim_b.get_color())
    assert rgba(sim_b.get_color()) == rgba(th_b.get_color())
    assert legend_texts(ax) == ["a", "b", "a, theory", "b, theory"]
    assert ax.get_yscale() == ("log" if log else "linear") and ax.get_ylabel() == "loss"
    plt.close(fig)


def test_trial_readouts_mark_targets_and_input_onset():
    fig, ax = new_axes()
    t = np.linspace(0, 10, 21)
    traces = {"g = 0": 0.5 * (t > 1), "g = 0.6": 2.0 * (t > 1)}
    plots.trial_readouts(ax, t, traces, (0.5, 2.0), 1.0)
    for line, z in zip(curves(ax), traces.values()):
        np.testing.assert_array_equal(line.get_ydata(), z)
    assert horizontal(ax) == [0.5, 2.0] and vertical(ax) == [1.0]
    assert legend_texts(ax) == ["g = 0", "g = 0.6"]
    plt.close(fig)


def test_scaling_draws_median_with_quartile_bars_and_the_theory():
    from matplotlib.container import ErrorbarContainer

    fig, ax = new_axes()
    x = np.array([0.0, 0.5])
    values = np.array([[1.0, 0.5], [2.0, 0.7], [3.0, 0.6], [4.0, 0.9], [5.0, 0.8]])  # (runs, x)
    plots.scaling(ax, x, {"$\\hat z = 1$": values}, (x, 1 - x**2), "tau*", "$g$")
    (bars,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    data, _, (ranges,) = bars.lines
    np.testing.assert_allclose(data.get_ydata(), [3.0, 0.7])
    segments = np.array(ranges.get_segments())                       # (x, 2 ends, xy)
    np.testing.assert_allclose(segments[:, :, 1], [[2.0, 4.0], [0.6, 0.8]])
    theory = [line for line in ax.get_lines() if line.get_label() == "first-order theory"]
    np.testing.assert_allclose(theory[0].get_ydata(), [1.0, 0.75])
    assert theory[0].get_linestyle() == "--" and rgba(theory[0].get_color()) == rgba("black")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$g$", "tau*")
    plt.close(fig)


def test_power_law_draws_networks_rms_and_the_fit():
    fig, ax = new_axes()
    N = np.array([64.0, 256.0, 1024.0])
    deviation = np.array([[0.1, 0.05, 0.025], [-0.1, -0.05, 0.025]])   # (seeds, N)
    plots.power_law(ax, N, np.abs(deviation), -0.5, np.log(0.8))
    single, rms, fit = ax.get_lines()
    np.testing.assert_array_equal(single.get_xdata(), np.repeat(N, 2))
    np.testing.assert_allclose(single.get_ydata(), np.abs(deviation).T.ravel())
    np.testing.assert_allclose(rms.get_ydata(), [0.1, 0.05, 0.025])
    np.testing.assert_allclose(fit.get_ydata(), 0.8 * N**-0.5)
    assert legend_texts(ax)[2] == "fit: $N^{-0.50}$"
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(fig)


def test_median_quartiles_band_spans_the_quartiles():
    fig, ax = new_axes()
    x = np.array([1.0, 2.0])
    values = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]])
    plots.median_quartiles(ax, x, values, label="g = 0")
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [3.0, 30.0])
    lower, upper = band(ax.collections[0], x)
    np.testing.assert_allclose(lower, [2.0, 20.0])
    np.testing.assert_allclose(upper, [4.0, 40.0])
    assert line.get_label() == "g = 0"
    plt.close(fig)


@pytest.mark.parametrize("log", [False, True])
def test_spectra_count_from_start_and_pick_the_band(log):
    fig, ax = new_axes()
    values = {"g = 0": np.array([[4.0, 2.0, 1.0], [2.0, 1.0, 0.5], [3.0, 3.0, 0.1]])}
    plots.spectra(ax, values, 1, "index", "s", log=log, hline=0.05)
    (line,) = curves(ax)
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    middle = np.median if log else np.mean
    np.testing.assert_allclose(line.get_ydata(), middle(values["g = 0"], axis=0))
    assert horizontal(ax) == [0.05] and ax.get_yscale() == ("log" if log else "linear")
    assert legend_texts(ax) == ["g = 0"] and ax.get_xlabel() == "index"
    plt.close(fig)


def test_task_trial_draws_inputs_then_one_axis_per_output():
    fig, axes = plt.subplots(3, 1)
    t = np.arange(1, 9) * 0.5
    u = np.zeros((8, 2))
    u[1, 0], u[4, 1] = 1.0, -1.0
    z_hat = np.zeros((8, 2))
    z_hat[3:, 0], z_hat[6:, 1] = 0.5, -0.5
    mask = np.ones((8, 2))
    mask[:3] = 0
    z = 0.9 * z_hat
    plots.task_trial(axes, t, u, z_hat, mask, {"$g = 0$": z})
    for c, line in enumerate(axes[0].get_lines()):                 # the inputs
        np.testing.assert_array_equal(line.get_ydata(), u[:, c])
    for c, ax in enumerate(axes[1:]):
        target, output = ax.get_lines()
        np.testing.assert_array_equal(target.get_ydata(), z_hat[:, c])
        np.testing.assert_allclose(output.get_ydata(), z[:, c])
        assert target.get_linestyle() == "--" and rgba(target.get_color()) == rgba("black")
        shaded = ax.collections[0].get_paths()[0].vertices[:, 0]    # where it is not counted
        assert shaded.max() <= t[3] and shaded.min() < t[1]
        assert ax.get_ylabel() == f"output {c + 1}"
    assert axes[-1].get_xlabel() == "time $t$" and axes[2].get_legend() is None
    assert set(legend_texts(axes[1])) == {"not counted", r"target $\hat z$", "$g = 0$"}
    plt.close(fig)


def test_over_g_leaves_out_invalid_g_and_draws_mean_and_sd():
    fig, ax = plt.subplots()
    plots.over_g(ax, [0.0, 0.3, 0.6], np.array([2.0, np.nan, 4.0]), np.array([1.0, 0.0, 0.5]))
    line, = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0.0, 0.6])
    np.testing.assert_array_equal(line.get_ydata(), [2.0, 4.0])
    lower, upper = band(ax.collections[0], [0.0, 0.6])
    np.testing.assert_allclose(lower, [1.0, 3.5])
    np.testing.assert_allclose(upper, [3.0, 4.5])
    plt.close(fig)


def test_loss_at_epochs_draws_mean_and_sem_per_epoch_with_epoch_legend():
    from matplotlib.container import ErrorbarContainer

    lrs = np.array([1e-3, 1e-2, 1e-1])
    losses = {2000: np.array([[0.1, 0.5, 1.0], [0.3, 0.5, 1.0]]),     # (runs, n_lrs)
              1000: np.array([[0.9, 0.6, 1.0], [0.7, 1.0, 1.0]])}
    fig, ax = plt.subplots()
    assert plots.loss_at_epochs(ax, lrs, losses, alpha_star=0.05) is ax
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2                                  # one curve per epoch, in epoch order
    for bar, epoch in zip(bars, (1000, 2000)):
        line, _, (ranges,) = bar.lines
        np.testing.assert_allclose(line.get_xdata(), lrs)
        np.testing.assert_allclose(line.get_ydata(), losses[epoch].mean(axis=0))
        half = [(s[1, 1] - s[0, 1]) / 2 for s in ranges.get_segments()]
        np.testing.assert_allclose(half, losses[epoch].std(axis=0) / np.sqrt(2))   # ddof 0
    colors = [matplotlib.colors.to_hex(b.lines[0].get_color()) for b in bars]
    assert colors[0] != colors[1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["epoch 1,000", "epoch 2,000"]
    assert ax.get_xscale() == "log"
    assert any(np.allclose(v.get_xdata(), 0.05) for v in ax.get_lines()[2:])   # alpha* marked
    plt.close(fig)


def test_lr_boxes_draw_a_box_and_every_run_per_learning_rate():
    fig, ax = plt.subplots()
    lrs = np.array([1e-3, 1e-2, 1e-1])
    values = np.arange(12.0).reshape(3, 4) + 1
    plots.lr_boxes(ax, lrs, values, color="C0")
    offsets = ax.collections[0].get_offsets()
    assert offsets.shape == (12, 2)
    np.testing.assert_allclose(np.sort(offsets[:, 1]), np.sort(values.ravel()))
    # each dot stays within a few percent of its learning rate
    np.testing.assert_allclose(np.log10(offsets[:, 0]).reshape(3, 4),
                               np.log10(lrs)[:, None] * np.ones((1, 4)), atol=0.1)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(fig)


def test_fate_bars_stack_the_counts_in_fate_order():
    from ghostbook.analysis import COLLAPSE_FATES

    fig, ax = plt.subplots()
    counts = np.array([[2, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 1, 0]])
    plots.fate_bars(ax, np.array([0.01, 0.1, 1.0]), counts, COLLAPSE_FATES)
    heights = np.array([[p.get_height() for p in c] for c in ax.containers])   # (fates, lrs)
    np.testing.assert_array_equal(heights.T, counts)
    tops = np.array([[p.get_y() + p.get_height() for p in c] for c in ax.containers])
    np.testing.assert_array_equal(tops[-1], counts.sum(axis=1))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(COLLAPSE_FATES)
    plt.close(fig)


def test_run_history_draws_loss_and_gradient_on_a_log_scale():
    fig, ax = plt.subplots()
    e = np.arange(1, 11)
    plots.run_history(ax, e, np.linspace(1, 0.1, 10), np.full(10, 1e-3), "title")
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 1e-3)
    assert ax.get_title() == "title"
    plt.close(fig)
