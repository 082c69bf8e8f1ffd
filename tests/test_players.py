"""Kernel-free players: one embedded frame per value, frames that differ, no CDN."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from ghostbook import players  # noqa: E402

FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([^"]+)"')


def _line_player(values):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    line, = ax.plot([0, 1], [0, 0])
    ax.set_ylim(-1, 1)
    return players.player(fig, lambda v: line.set_ydata([0, v]), values)


def test_one_distinct_png_per_frame():
    p = _line_player([-1.0, 0.0, 1.0])
    frames = FRAME.findall(p.html)
    assert [int(i) for i, _ in frames] == [0, 1, 2] and p.n_frames == 3
    assert len({data for _, data in frames}) == 3
    assert p._repr_html_() == p.html


def test_player_is_self_contained():
    html = _line_player([0.0, 0.5]).html
    assert "http://" not in html and "https://" not in html
    assert 'class="fa' not in html                      # no icon font needed
    assert 'class="anim-slider"' in html and 'max="1"' in html


def test_figure_is_closed():
    before = plt.get_fignums()
    _line_player([0.0, 1.0])
    assert plt.get_fignums() == before


@pytest.mark.parametrize("kwargs, name", [({"frames": [1.0]}, "frames"), ({"fps": 0}, "fps"),
                                          ({"dpi": -1}, "dpi")])
def test_bad_input(kwargs, name):
    fig = plt.figure()
    args = {"frames": [0.0, 1.0], **kwargs}
    with pytest.raises(ValueError, match=name):
        players.player(fig, lambda v: None, args.pop("frames"), **args)
    plt.close(fig)


def test_unknown_icon_is_an_error():
    with pytest.raises(ValueError, match="fa-rocket"):
        players._self_contained('<i class="fa fa-rocket"></i>')
