"""The chapters and the report quote the papers only with registered passages.

Every passage of three or more words in quotation marks (straight or curly; maths
removed) in a chapter's markdown or in a row of the reproduction report must be part of
one of :data:`ghostbook.quotes.QUOTES`, character for character, or be one of the book's
own phrases below (a term the book defines, set in quotation marks).
"""
import json
import re
from pathlib import Path

import pytest

from ghostbook import quotes

BOOK = Path(__file__).resolve().parents[1] / "book"
OWN_PHRASES = {
    "the output never activates",        # what a loss of 1 means (learning dynamics)
    "every run learns", "no run does",   # the edges of a learning-rate window
    "gradient descent from ends in the no-learning zone after 20,000 epochs",   # bisection
}
QUOTED = re.compile(r'"([^"]{3,600}?)"|“([^”]{3,600}?)”', re.S)
MATHS = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)


def quoted_passages(text):
    """Passages of three or more words in quotation marks, whitespace collapsed."""
    for m in QUOTED.finditer(MATHS.sub(" ", text)):
        passage = " ".join((m.group(1) or m.group(2)).split())
        if len(passage.split()) >= 3:
            yield passage


def unregistered(text):
    return [p for p in quoted_passages(text)
            if p not in OWN_PHRASES and quotes.source_of(p) is None]


def markdown(path):
    cells = json.loads(path.read_text())["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.stem)
def test_chapters_quote_only_registered_passages(path):
    assert not unregistered(markdown(path)), f"{path.name} quotes passages not in ghostbook.quotes"


def test_every_registered_passage_is_quoted_somewhere_once_in_the_registry():
    texts = [q.text for q in quotes.QUOTES]
    assert len(set(texts)) == len(texts)
    for q in quotes.QUOTES:
        assert q.text == " ".join(q.text.split()) and q.source


def test_a_misquote_is_caught():
    """Changing one character, dropping a word or paraphrasing fails the check; an
    editorial [sic] and a part of a passage pass."""
    good = 'The paper: "was accompanied with a sharpening of the curvature around the ghost".'
    assert not unregistered(good)
    assert not unregistered('"which proceeded [sic: preceded] sharp transitions in both"')
    for bad in ('"was accompanied by a sharpening of the curvature around the ghost"',
                '"was accompanied with sharpening of the curvature around the ghost"',
                '"sharpens the curvature around the ghost"',
                "“learning is no longer possible for α ≥ 9 ∗ 10⁻⁹”"):
        assert unregistered(bad), bad
    assert not unregistered('"the output never activates" and "learned"')   # own phrase, one word


def test_the_report_quotes_only_registered_passages():
    from ghostbook import report
    rows = report.claims()
    for row in rows:
        for field in (row.paper, row.note, row.criterion):
            assert not unregistered(field), (row.claim, field)
