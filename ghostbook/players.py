"""Kernel-free players: a figure redrawn frame by frame, exported with its own controls.

A player is a matplotlib animation written out by ``to_jshtml``: every frame is a PNG
embedded in the page, with a slider and buttons in plain JavaScript, so a reader of the
static website can scrub through training epochs or parameter values without a kernel.
Matplotlib's player loads its button icons from a CDN; :func:`player` replaces them by
text symbols, so a page with a player stays self-contained and works offline.
"""
import re

import matplotlib.pyplot as plt
from matplotlib import animation

# matplotlib's Font Awesome 4 icons -> text symbols that need no icon font, all in the
# common text fonts (DejaVu, Liberation), so no button is an empty box
_ICONS = {
    "fa-minus": "\u2212", "fa-plus": "+",
    "fa-fast-backward": "\u2503\u25c0", "fa-step-backward": "\u25c1\u2502",
    "fa-play fa-flip-horizontal": "\u25c0", "fa-pause": "\u2016", "fa-play": "\u25b6",
    "fa-step-forward": "\u2502\u25b7", "fa-fast-forward": "\u25b6\u2503",
}
_ICON = re.compile(r'<i class="fa ([^"]+)"></i>')
_CDN_LINK = re.compile(r"<link[^>]*https?://[^>]*>\s*", re.S)


class Player:
    """HTML of a player; displays itself in a notebook (and on the website)."""

    def __init__(self, html, n_frames):
        self.html, self.n_frames = html, n_frames

    def _repr_html_(self):
        return self.html


def _self_contained(html):
    html = _CDN_LINK.sub("", html)

    def symbol(match):
        name = match.group(1).strip()
        if name not in _ICONS:
            raise ValueError(f"matplotlib's player uses an icon this module does not know: {name!r}")
        return f'<span aria-hidden="true">{_ICONS[name]}</span>'

    return _ICON.sub(symbol, html)


def player(fig, draw, frames, fps=4, dpi=80):
    """A player showing ``draw(frame)`` for each of ``frames``.

    fig: the figure to animate (closed afterwards, so it is not also shown statically).
    draw: called with each element of ``frames``; redraws ``fig`` for it.
    frames: a sequence of at least two frame values (epochs, parameter values, ...).
    fps: initial playback speed; dpi: resolution of the embedded PNG frames.
    """
    frames = list(frames)
    if len(frames) < 2:
        raise ValueError(f"frames must hold at least 2 frames, got {len(frames)}")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    if not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}")
    with plt.rc_context({"savefig.dpi": dpi, "animation.embed_limit": 50.0}):
        anim = animation.FuncAnimation(fig, draw, frames=frames, blit=False, repeat=False)
        html = anim.to_jshtml(fps=fps, default_mode="once")
    plt.close(fig)
    return Player(_self_contained(html), len(frames))
