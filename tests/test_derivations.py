"""The derivations chapter fails if a formula typed in from the paper is changed.

Every ``paper_*`` assignment in ``book/derivations.ipynb`` holds a formula typed in
from the paper (Eqs. 7-15 and r*); ``tests/mutants.py`` changes one piece of one of
them at a time, and the chapter's symbolic cells must then stop at a statement that
uses the changed formula.
"""
import ast
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402

from mutants import RESCALE_R, Chapter, mutant_id, paper_assignments  # noqa: E402

CHAPTER = Chapter(Path(__file__).resolve().parents[1] / "book" / "derivations.ipynb")
EXPECTED = {f"paper_eq{n}" for n in (7, 9, 10, 11, 12, 13, 14, 15)} | {"paper_r_star"}


def is_real_change(name, namespace, tree):
    """Does the changed formula differ from the typed-in one for some r > 0?"""
    original = {**namespace}
    exec(compile(ast.Module([paper_assignments(tree)[name]], []), CHAPTER.filename, "exec"), original)
    r, T = namespace["r"], namespace["T"]
    u = np.geomspace(0.0123, 87.6, 997)  # avoids the boundaries 1/4, 1 and their rescalings
    for T_value in (7.0, 100.0):
        r_values = u * np.pi**2 / (4 * T_value**2)
        values = [np.broadcast_to(sp.lambdify((r, T), f, "numpy")(r_values, T_value), u.shape)
                  for f in (original[name], namespace[name])]
        if not np.allclose(*values, rtol=1e-9, equal_nan=True):
            return True
    return False


def test_every_formula_is_typed_in_once_in_a_symbolic_cell():
    assert set(CHAPTER.locate()) == EXPECTED, f"paper_* lines found: {sorted(CHAPTER.locate())}"
    for name in EXPECTED:
        CHAPTER.assert_marked(name)


def test_every_formula_has_mutants():
    assert {mutant[0] for mutant in CHAPTER.mutants()} == EXPECTED
    assert len(CHAPTER.mutants()) >= 30


def test_symbolic_cells_run_clean():
    assert EXPECTED <= set(CHAPTER.snapshots[-1])


def test_whole_chapter_runs_clean():
    namespace = {"__name__": "derivations"}
    exec(compile("\n".join(CHAPTER.code), CHAPTER.filename, "exec"), namespace)
    assert abs(namespace["alpha_empirical"] / namespace["alpha_analytic"] - 1) < 0.05


@pytest.mark.parametrize("mutant", [m for m in CHAPTER.mutants() if m[1] == "expr"], ids=mutant_id)
def test_changed_formula_fails_the_chapter(mutant):
    name, _, slot, how = mutant
    error, _, text, tree = CHAPTER.run_mutant(name, slot, how)
    CHAPTER.assert_caught(error, name, text, tree)


@pytest.mark.parametrize("mutant", [m for m in CHAPTER.mutants() if m[1] == "cond"], ids=mutant_id)
def test_moved_boundary_fails_the_chapter(mutant):
    """Rescaling ``r`` in a condition moves its boundary; one direction may be masked
    by an earlier branch of the Piecewise, so the other must be caught, and a
    direction that is not caught must leave the formula unchanged for all r > 0."""
    name, _, slot, _ = mutant
    caught = 0
    for how in RESCALE_R:
        error, namespace, text, tree = CHAPTER.run_mutant(name, slot, how)
        if error is None:
            assert not is_real_change(name, namespace, tree), f"{how}: a real change was missed"
        else:
            CHAPTER.assert_caught(error, name, text, tree)
            caught += 1
    assert caught >= 1
