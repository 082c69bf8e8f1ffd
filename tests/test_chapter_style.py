"""Chapters read as prose: the code a reader sees fits the column.

Visible code (cells not tagged ``hide-input``, ``remove-input`` or ``remove-cell``) is
part of the text; its lines must fit the book's column, about 88 characters, or a phone
shows them cut off at the right edge.
"""
import json
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
HIDDEN = {"hide-input", "remove-input", "remove-cell"}
WIDTH = 88


def visible_code(path):
    """(cell index, line) of every line of every visible code cell."""
    cells = json.loads(path.read_text())["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and not HIDDEN & set(cell["metadata"].get("tags", [])):
            for line in "".join(cell["source"]).splitlines():
                yield i, line


@pytest.mark.parametrize("path", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.stem)
def test_visible_code_fits_the_column(path):
    long = [(i, len(line)) for i, line in visible_code(path) if len(line) > WIDTH]
    assert not long, f"{path.name}: visible code lines over {WIDTH} characters (cell, length): {long}"


def test_the_check_sees_visible_cells_only(tmp_path):
    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["hide-input"]}, "source": ["x" * 100]},
                    {"cell_type": "code", "metadata": {}, "source": ["y" * 100]}]}
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps(nb))
    assert [len(line) for _, line in visible_code(path)] == [100]
