"""Mutation testing of a chapter's formulas typed in from a paper.

Every ``paper_* = ...`` assignment in a chapter's cells tagged ``symbolic`` holds a
formula typed in from a paper, and the chapter asserts its derivation equal to it. A
mutant changes one piece of one formula (multiplied by 8/7 or shifted by 1, or, for a
condition of a Piecewise, ``r`` rescaled, which moves that regime boundary); the
chapter's symbolic cells must then stop with an AssertionError raised by a statement
that uses the changed formula.

Cells before the one holding the changed line cannot depend on it, so a mutant starts
from a snapshot of the namespace that a clean run had just before that cell (functions
rebound to the copy), rather than re-running the whole chapter. Clean runs start from
an empty namespace.
"""
import ast
import functools
import json
import re
import traceback
import types

import sympy as sp

PERTURB = {
    "scale": "({}) * (1 + sp.Rational(1, 7))",
    "shift": "({}) + 1",
}
RESCALE_R = {"down": "(r * (1 + sp.Rational(1, 7)))", "up": "(r * (1 - sp.Rational(1, 7)))"}


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


class Chapter:
    """The ``paper_*`` formulas of one notebook and the machinery to mutate them."""

    def __init__(self, path):
        self.path, self.filename = path, f"<book/{path.name}>"
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        self.code = ["".join(c["source"]) for c in cells]
        self.tags = [c["metadata"].get("tags", []) for c in cells]
        self.n_symbolic = 1 + max(i for i, t in enumerate(self.tags) if "symbolic" in t)

    def locate(self):
        """``{name: indices of the code cells holding its assignment}``."""
        found = {}
        for index, cell in enumerate(self.code):
            for name in paper_assignments(ast.parse(cell)):
                found.setdefault(name, []).append(index)
        return found

    def mutants(self):
        """``(name, kind, slot, how)`` for every mutant, in notebook order."""
        out = []
        for cell in self.code[:self.n_symbolic]:
            for name, assign in paper_assignments(ast.parse(cell)).items():
                for kind, slot in pieces(assign.value):
                    if kind == "cond":
                        out.append((name, kind, slot, "rescale-r"))
                        continue
                    node = get_slot(assign, slot)
                    is_zero = isinstance(node, ast.Constant) and node.value == 0
                    out += [(name, kind, slot, how) for how in PERTURB if not (how == "scale" and is_zero)]
        return out

    @functools.cached_property
    def snapshots(self):
        """Namespaces before each symbolic code cell and after the last one."""
        namespace, taken = {"__name__": self.path.stem}, []
        for cell in self.code[:self.n_symbolic]:
            taken.append(rebind(namespace))
            exec(compile(cell, self.filename, "exec"), namespace)
        return taken + [namespace]

    def run_mutant(self, name, slot, how):
        """Apply one mutation and run the symbolic cells from the changed one on.

        Returns ``(error, namespace, text, tree)``: the exception raised (or None), the
        namespace afterwards, and the source and AST (original line numbers) that ran.
        """
        index = self.locate()[name][0]
        text = "\n".join(self.code[index:self.n_symbolic])
        tree = ast.parse(text)
        assign = paper_assignments(tree)[name]
        original = ast.dump(assign)
        set_slot(assign, slot, perturbed(get_slot(assign, slot), how))
        assert ast.dump(assign) != original, "the mutation did not change the code"
        namespace = rebind(self.snapshots[index])
        try:
            exec(compile(ast.fix_missing_locations(tree), self.filename, "exec"), namespace)
        except Exception as error:  # noqa: BLE001 (the test inspects what was raised)
            return error, namespace, text, ast.parse(text)
        return None, namespace, text, ast.parse(text)

    def failing_statement(self, error, text, tree):
        """Source of the top-level statement that was running when ``error`` was raised."""
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == self.filename]
        line = frames[0].lineno
        statement = next(s for s in tree.body if s.lineno <= line <= s.end_lineno)
        return ast.get_source_segment(text, statement), statement

    def assert_caught(self, error, name, text, tree):
        assert error is not None, f"the chapter ran clean with {name} changed"
        assert isinstance(error, AssertionError), f"{type(error).__name__}: {error}"
        source, statement = self.failing_statement(error, text, tree)
        assert not isinstance(statement, ast.Assign), source
        assert re.search(rf"\b{name}\b", source), f"failed at a statement not using {name}: {source}"

    def assert_marked(self, name):
        """The formula sits once, in a symbolic cell, on a line marked ``# paper: Eq. N``."""
        (index,) = self.locate()[name]
        assert "symbolic" in self.tags[index], f"{name} is not in a symbolic cell"
        assign = paper_assignments(ast.parse(self.code[index]))[name]
        line = self.code[index].splitlines()[assign.lineno - 1]
        number = name.removeprefix("paper_eq")
        marker = rf"# paper: Eq\. {number}\b" if number.isdigit() else r"# paper: "
        assert re.search(marker, line), f"{name} is not marked '# paper: ...': {line}"
