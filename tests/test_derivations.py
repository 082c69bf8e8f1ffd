"""The derivations chapter fails if a formula typed in from the paper is changed.

Every ``paper_*`` assignment in ``book/derivations.ipynb`` holds a formula typed in
from the paper (Eqs. 7-15 and r*). A mutant changes one piece of one of them: a
formula is multiplied by 8/7 or shifted by 1, or the ``r`` in a condition of a
piecewise formula is rescaled, which moves that regime boundary. The chapter's
symbolic cells must then stop with an AssertionError, raised by a statement that
uses the changed formula.

Cells before the one holding the changed line cannot depend on it, so a mutant
starts from a snapshot of the namespace that a clean run had just before that cell
(functions rebound to the copy), rather than re-running the whole chapter. The
clean runs themselves start from an empty namespace.
"""
import ast
import functools
import json
import re
import traceback
import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "derivations.ipynb"
FILENAME = "<book/derivations.ipynb>"
EXPECTED = {f"paper_eq{n}" for n in (7, 9, 10, 11, 12, 13, 14, 15)} | {"paper_r_star"}
PERTURB = {
    "scale": "({}) * (1 + sp.Rational(1, 7))",
    "shift": "({}) + 1",
}
RESCALE_R = {"down": "(r * (1 + sp.Rational(1, 7)))", "up": "(r * (1 - sp.Rational(1, 7)))"}


def code_cells():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def tags():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return [c["metadata"].get("tags", []) for c in cells if c["cell_type"] == "code"]


def n_symbolic():
    """Number of code cells up to and including the last one tagged ``symbolic``."""
    return 1 + max(i for i, cell_tags in enumerate(tags()) if "symbolic" in cell_tags)


def paper_assignments(tree):
    """Module-level ``paper_* = ...`` statements of a parsed cell, by name."""
    return {node.targets[0].id: node for node in tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id.startswith("paper_")}


def pieces(value):
    """``(kind, slot)`` for each piece of a formula: ``expr`` pieces and ``cond`` pieces.

    A tuple's elements, a Piecewise's formulas and conditions (``True`` excluded), or
    the whole right-hand side.
    """
    if isinstance(value, (ast.Tuple, ast.List)):
        return [("expr", (i,)) for i in range(len(value.elts))]
    if isinstance(value, ast.Call) and getattr(value.func, "attr", None) == "Piecewise":
        out = []
        for i, branch in enumerate(value.args):
            out.append(("expr", (i, 0)))
            condition = branch.elts[1]
            if not (isinstance(condition, ast.Constant) and condition.value is True):
                out.append(("cond", (i, 1)))
        return out
    return [("expr", ())]


def get_slot(assign, slot):
    node = assign.value
    for i in slot:
        node = node.elts[i] if isinstance(node, (ast.Tuple, ast.List)) else node.args[i]
    return node


def set_slot(assign, slot, new):
    if not slot:
        assign.value = new
        return
    parent = get_slot(assign, slot[:-1])
    (parent.elts if isinstance(parent, (ast.Tuple, ast.List)) else parent.args)[slot[-1]] = new


class _RescaleR(ast.NodeTransformer):
    def __init__(self, replacement):
        self.replacement = replacement

    def visit_Name(self, node):
        if node.id != "r":
            return node
        return ast.copy_location(ast.parse(self.replacement, mode="eval").body, node)


def perturbed(node, how):
    """The AST of ``node`` changed by ``how`` (a key of PERTURB or RESCALE_R)."""
    if how in PERTURB:
        new = ast.parse(PERTURB[how].format(ast.unparse(node)), mode="eval").body
    else:
        new = _RescaleR(RESCALE_R[how]).visit(ast.parse(ast.unparse(node), mode="eval").body)
    for child in ast.walk(new):
        ast.copy_location(child, node)
    return new


def locate():
    """``{name: index of the code cell holding its assignment}`` over the whole notebook."""
    found = {}
    for index, cell in enumerate(code_cells()):
        for name in paper_assignments(ast.parse(cell)):
            found.setdefault(name, []).append(index)
    return found


def mutants():
    """``(name, kind, slot, how)`` for every mutant, in notebook order."""
    out = []
    for index, cell in enumerate(code_cells()[:n_symbolic()]):
        for name, assign in paper_assignments(ast.parse(cell)).items():
            for kind, slot in pieces(assign.value):
                if kind == "cond":
                    out.append((name, kind, slot, "rescale-r"))
                    continue
                node = get_slot(assign, slot)
                is_zero = isinstance(node, ast.Constant) and node.value == 0
                out += [(name, kind, slot, how) for how in PERTURB if not (how == "scale" and is_zero)]
    return out


def mutant_id(mutant):
    """E.g. ``paper_eq7-piece1-scale``, ``paper_eq13-branch2-shift``, ``paper_eq12-branch0-condition``."""
    name, kind, slot, how = mutant
    where = "" if not slot else f"-piece{slot[0]}" if len(slot) == 1 else f"-branch{slot[0]}"
    return f"{name}{where}-{'condition' if kind == 'cond' else how}"


def rebind(namespace):
    """A copy of ``namespace`` whose notebook-defined functions read their globals from the copy."""
    copy = dict(namespace)
    for key, value in namespace.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            function = types.FunctionType(value.__code__, copy, value.__name__,
                                          value.__defaults__, value.__closure__)
            function.__kwdefaults__ = value.__kwdefaults__
            copy[key] = function
    return copy


@functools.lru_cache(maxsize=1)
def snapshots():
    """Namespaces before each symbolic code cell and after the last one.

    One clean run per worker, starting from an empty namespace.
    """
    namespace, taken = {"__name__": "derivations"}, []
    for cell in code_cells()[:n_symbolic()]:
        taken.append(rebind(namespace))
        exec(compile(cell, FILENAME, "exec"), namespace)
    return taken + [namespace]


def run_mutant(name, slot, how):
    """Apply one mutation and run the symbolic cells from the changed one on.

    Returns ``(error, namespace, text, tree)``: the exception raised (or None), the
    namespace afterwards, and the source and AST (original line numbers) that ran.
    """
    index = locate()[name][0]
    text = "\n".join(code_cells()[index:n_symbolic()])
    tree = ast.parse(text)
    assign = paper_assignments(tree)[name]
    original = ast.dump(assign)
    set_slot(assign, slot, perturbed(get_slot(assign, slot), how))
    assert ast.dump(assign) != original, "the mutation did not change the code"
    namespace = rebind(snapshots()[index])
    try:
        exec(compile(ast.fix_missing_locations(tree), FILENAME, "exec"), namespace)
    except Exception as error:  # noqa: BLE001 (the test inspects what was raised)
        return error, namespace, text, ast.parse(text)
    return None, namespace, text, ast.parse(text)


def failing_statement(error, text, tree):
    """Source of the top-level statement that was running when ``error`` was raised."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == FILENAME]
    line = frames[0].lineno
    statement = next(s for s in tree.body if s.lineno <= line <= s.end_lineno)
    return ast.get_source_segment(text, statement), statement


def assert_caught(error, name, text, tree):
    assert error is not None, f"the chapter ran clean with {name} changed"
    assert isinstance(error, AssertionError), f"{type(error).__name__}: {error}"
    source, statement = failing_statement(error, text, tree)
    assert not isinstance(statement, ast.Assign), source
    assert re.search(rf"\b{name}\b", source), f"failed at a statement not using {name}: {source}"


def is_real_change(name, namespace, tree):
    """Does the changed formula differ from the typed-in one for some r > 0?"""
    original = {**namespace}
    exec(compile(ast.Module([paper_assignments(tree)[name]], []), FILENAME, "exec"), original)
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
    found = locate()
    assert set(found) == EXPECTED, f"paper_* lines found: {sorted(found)}"
    assert all(len(cells) == 1 for cells in found.values()), found
    cells, cell_tags = code_cells(), tags()
    for name, (index,) in found.items():
        assert "symbolic" in cell_tags[index], f"{name} is not in a symbolic cell"
        assign = paper_assignments(ast.parse(cells[index]))[name]
        line = cells[index].splitlines()[assign.lineno - 1]
        number = name.removeprefix("paper_eq")
        marker = rf"# paper: Eq\. {number}\b" if number.isdigit() else r"# paper: "
        assert re.search(marker, line), f"{name} is not marked '# paper: ...': {line}"


def test_every_formula_has_mutants():
    names = {mutant[0] for mutant in mutants()}
    assert names == EXPECTED
    assert len(mutants()) >= 30


def test_symbolic_cells_run_clean():
    assert EXPECTED <= set(snapshots()[-1])


def test_whole_chapter_runs_clean():
    namespace = {"__name__": "derivations"}
    exec(compile("\n".join(code_cells()), FILENAME, "exec"), namespace)
    assert abs(namespace["alpha_empirical"] / namespace["alpha_analytic"] - 1) < 0.05


@pytest.mark.parametrize("mutant", [m for m in mutants() if m[1] == "expr"], ids=mutant_id)
def test_changed_formula_fails_the_chapter(mutant):
    name, _, slot, how = mutant
    error, _, text, tree = run_mutant(name, slot, how)
    assert_caught(error, name, text, tree)


@pytest.mark.parametrize("mutant", [m for m in mutants() if m[1] == "cond"], ids=mutant_id)
def test_moved_boundary_fails_the_chapter(mutant):
    """Rescaling ``r`` in a condition moves its boundary; one direction may be masked
    by an earlier branch of the Piecewise, so the other must be caught, and a
    direction that is not caught must leave the formula unchanged for all r > 0."""
    name, _, slot, _ = mutant
    caught = 0
    for how in RESCALE_R:
        error, namespace, text, tree = run_mutant(name, slot, how)
        if error is None:
            assert not is_real_change(name, namespace, tree), f"{how}: a real change was missed"
        else:
            assert_caught(error, name, text, tree)
            caught += 1
    assert caught >= 1
