"""Plot helpers: what the chapters rely on them to draw."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ghostbook import plots  # noqa: E402


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
