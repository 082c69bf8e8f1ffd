"""No computed number typed by hand: the numbers in the chapters' prose are settings.

Every number in a chapter's markdown, outside maths, inline code, roles (``{eval}`` of
``glued(...)`` inserts computed values), cross-references and labels, must be a value the settings table
knows (a setting, a ``shown`` or a ``paper`` value of any figure at any scale, as is or
as a percentage), a small integer (0 to 10: counts of things, ranks, ordinals), or the
last seed of a range ``0–K`` of known size. Anything else is a result typed by hand and
must be glued from the cell that computes it (``ghostbook.prose``). The failure names the sentence.
"""
import dataclasses
import json
import math
import re
from pathlib import Path

import pytest

from ghostbook import settings

BOOK = Path(__file__).resolve().parents[1] / "book"
STRIP = [re.compile(p, f) for p, f in (
    (r"\$\$.*?\$\$|\$[^$\n]*\$", re.S),                  # maths
    (r"\{[a-z:]+\}`[^`]*`", 0),                           # roles: eval, numref, cite, eq
    (r"`[^`]*`", 0),                                      # inline code
    (r"^:[a-z-]+:.*$|^```.*$|^\(.*\)=\s*$", re.M),        # directive options, fences, labels
    (r"\]\([^)]*\)", 0),                                  # link targets
    (r"\b(?:Eqs?\.|Figs?\.|Sec\.|Section|Table|Figures?)\s*\(?[A-Z]?\d+[a-z]?\)?"
     r"(?:\s*(?:[–-]|,|and|&)\s*\(?[A-Z]?\d+[a-z]?\)?)*", re.I),   # references
)]
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:e[-−]?\d+)?)(%?)(?![\w])")
SEED_RANGE = re.compile(r"\b0\s*[–-]\s*(\d+)\b")


def known_values():
    """Every number in the settings table, at every scale."""
    out = set()

    def walk(obj):
        if dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name))
        elif isinstance(obj, (tuple, list)):
            for v in obj:
                walk(v)
        elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
            out.add(float(obj))

    for scales in settings.SCALES.values():
        for s in scales.values():
            walk(s)
    walk(settings.RNN)
    walk(settings.LATENT)
    return out


KNOWN = known_values()


def allowed(token, percent):
    value = float(token.replace(",", ""))
    value = value / 100 if percent else value
    if value.is_integer() and 0 <= value <= 10:
        return True
    return any(math.isclose(value, k, rel_tol=1e-9) for k in KNOWN)


def typed_results(text):
    """``(number, sentence)`` for every number in ``text`` that is no setting."""
    for pattern in STRIP:
        text = pattern.sub(" ", text)
    for sentence in re.split(r"(?<=[.;!?])\s+", text):
        ranges = {m.group(1) for m in SEED_RANGE.finditer(sentence)
                  if float(m.group(1)) + 1 in KNOWN}
        for token, percent in NUMBER.findall(sentence):
            if token not in ranges and not allowed(token, percent):
                yield token + percent, " ".join(sentence.split())


def markdown(path):
    cells = json.loads(path.read_text())["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.stem)
def test_prose_types_no_computed_number(path):
    found = list(typed_results(markdown(path)))
    assert not found, f"{path.name}: numbers typed by hand (glue them): " + "; ".join(
        f"{n!r} in: {s[:160]}" for n, s in found)


def test_a_typed_result_is_caught_and_settings_pass():
    typed = "The median network learned at epoch 3217, 43% of them kept it."
    assert [n for n, _ in typed_results(typed)] == ["3217", "43%"]
    fine = ("Seed 40 at $\\alpha = 0.003$ for 500,000 epochs (Fig. 3A, Eq. 17), 100 networks "
            "(seeds 0–99), learned by epoch {eval}`glued('drop-a')`; 5% of the initial loss.")
    assert not list(typed_results(fine))
