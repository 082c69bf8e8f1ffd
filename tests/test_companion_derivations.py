"""The companion chapter (Schuessler et al. 2020, Sec. 3) fails if a formula typed in
from that paper is changed: every mutant of every ``paper_*`` line in
``book/randomness.ipynb`` must stop its symbolic cells at a statement using it."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from mutants import Chapter, mutant_id  # noqa: E402

CHAPTER = Chapter(Path(__file__).resolve().parents[1] / "book" / "randomness.ipynb")
EXPECTED = {f"paper_eq{n}" for n in (8, 10, 11, 12, 13, 14, 15)} | {
    "paper_norm_W1", "paper_tau_1", "paper_shuffled"}


def test_every_formula_is_typed_in_once_and_marked():
    assert set(CHAPTER.locate()) == EXPECTED, f"paper_* lines found: {sorted(CHAPTER.locate())}"
    for name in EXPECTED:
        CHAPTER.assert_marked(name)
    assert {m[0] for m in CHAPTER.mutants()} == EXPECTED


@pytest.mark.parametrize("mutant", CHAPTER.mutants(), ids=mutant_id)
def test_changed_formula_fails_the_chapter(mutant):
    name, _, slot, how = mutant
    error, _, text, tree = CHAPTER.run_mutant(name, slot, how)
    CHAPTER.assert_caught(error, name, text, tree)
