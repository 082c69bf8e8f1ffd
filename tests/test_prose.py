"""Computed values in the prose (``ghostbook.prose``) and their website reading
(``book/_ext/live_glue.py``): the live text equals what myst-nb's glue shows."""
import sys
from pathlib import Path

import pytest
from IPython.display import Markdown
from myst_nb.core.variables import format_plain_text

from ghostbook import prose

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from live_glue import parse_glued  # noqa: E402


@pytest.fixture(autouse=True)
def fresh(monkeypatch, capsys):
    monkeypatch.setattr(prose, "_values", {})
    yield
    capsys.readouterr()                 # myst-nb's glue prints outside a kernel


@pytest.mark.parametrize("value, fmt", [(0.000246740110, ".3g"), (0.1268, ".3f"),
                                        (1842, ","), (0.375, ".0%"), (7, "d"),
                                        ("a phrase", "s"), (2.0e-7, ".1e")])
def test_glued_text_is_what_glue_text_shows(value, fmt):
    prose.glue("k", value)
    assert prose.glued(f"k:{fmt}") == format_plain_text(repr(value), fmt)
    assert prose.glued(f"k:{fmt}") == (value if isinstance(value, str) else format(value, fmt))


def test_a_key_without_format_and_keys_with_colons():
    prose.glue("lc:zone", 0.25)
    assert prose.glued("lc:zone:.1f") == "0.2"                 # split at the last colon
    prose.glue("plain", 0.125)
    assert prose.glued("plain") == "0.125"


def test_a_value_not_glued_yet_reads_pending_and_markdown_stays_markdown():
    assert prose.glued("later:.3f") == prose.PENDING
    assert prose.glued("later", md=True) == prose.PENDING
    clause = Markdown("**two** of them")
    prose.glue("clause", clause)
    assert prose.glued("clause", md=True) is clause
    prose.glue("clause", Markdown("none"))                     # a re-run glues anew
    assert prose.glued("clause", md=True).data == "none"


def test_bad_names_and_specs_are_refused():
    for bad in ("", None, 3):
        with pytest.raises(ValueError, match="name"):
            prose.glue(bad, 1.0)
        with pytest.raises(ValueError, match="spec"):
            prose.glued(bad)


def test_the_website_reads_glued_calls_and_nothing_else():
    assert parse_glued('glued("r-star:.3g")') == ("r-star:.3g", False)
    assert parse_glued(" glued('clause', md=True) ") == ("clause", True)
    assert parse_glued('glued("k", md=False)') == ("k", False)
    for bad in ("r_star", "glued(r_star)", 'f"{r_star:.3g}"', 'glued("a", "b")',
                'glued("a", fmt=".3g")', 'other("a")', "glued(", 'glued("a"); x'):
        with pytest.raises(ValueError):
            parse_glued(bad)
