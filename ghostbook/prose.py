"""Computed values in a chapter's prose, the same on the website and in a live JupyterLab.

A chapter computes a number in a code cell and writes it into its text, so that no
number in the prose is typed by hand.  On the website myst-nb's ``glue`` does this.
In a live JupyterLab, ``jupyterlab-myst`` renders the markdown but knows nothing of
``glue``; what it does evaluate is MyST's ``{eval}`` role, an expression run in the
kernel when the markdown cell runs.  So the chapters write

    glue("r-star", r_star)                   # in a code cell, as with myst-nb
    ... about {eval}`glued("r-star:.3g")` ... # in the prose

Live, ``glued`` formats the value this kernel glued, exactly as myst-nb's
``{glue:text}`` would (the format spec after the last colon); on the website
``book/_ext/live_glue.py`` reads the same ``{eval}`` as ``{glue:text}`r-star:.3g```,
from the executed notebook, with no kernel.  A value the chapter computes further
down reads ``(computed below)`` until the cell that computes it has run.

Figures work the same way: a code cell glues a figure (``glue("fig-flow", fig,
display=True)``, which shows it in the cell for a live reader, with the cell tagged
``remove-output`` so the website shows it once) and the prose places it with a plain
``{figure}`` directive without an image, ``:name: fig-flow`` naming the glued figure.
JupyterLab numbers the caption and resolves ``{numref}`` to it; the website's
``{figure}`` (from ``live_glue``) pastes the glued figure above the caption.
"""
from __future__ import annotations

from typing import Any

PENDING = "(computed below)"
"""What ``glued`` shows, live, for a value the chapter has not glued yet."""

_values: dict[str, Any] = {}


def glue(name: str, value: Any, display: bool = False) -> None:
    """Glue ``value`` under ``name`` for the website (myst-nb's ``glue``) and keep it
    in this kernel for ``glued``.  ``display`` as in myst-nb, but off by default,
    since a value in the prose needs no output of its own."""
    from myst_nb import glue as myst_glue

    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    _values[name] = value
    myst_glue(name, value, display=display)


def _split(spec: str) -> tuple[str, str]:
    """``"key:fmt"`` into key and format spec, as myst-nb's ``{glue:text}`` splits it
    (at the last colon; no colon: the format ``"s"``)."""
    key, sep, fmt = spec.rpartition(":")
    return (key, fmt) if sep else (spec, "s")


def _format_plain(text: str, fmt: str) -> str:
    """myst-nb's formatting of a glued value's ``text/plain`` (a number if it reads
    as one, else the text without its quotes)."""
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(text, fmt)


def glued(spec: str, md: bool = False) -> Any:
    """The value glued as ``spec``'s key, for ``{eval}`` in a live kernel.

    ``spec`` is what ``{glue:text}`` takes: ``"key"`` or ``"key:fmt"``.  With
    ``md=True`` the value is returned as it was glued (a ``Markdown`` object renders
    as markdown, like ``{glue:md}``); otherwise as the text ``{glue:text}`` shows.
    A key not glued yet gives ``PENDING``."""
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"spec must be a non-empty string, got {spec!r}")
    key, fmt = (spec, "") if md else _split(spec)
    if key not in _values:
        return PENDING
    value = _values[key]
    if md:
        return value
    from IPython.core.formatters import format_display_data

    bundle, _ = format_display_data(value)
    return _format_plain(bundle["text/plain"], fmt)
