"""The chapters as a reader without the cached paper-scale results runs them.

With an empty results directory every chapter that loads cached results (itself, or
through the reproduction report, ``ghostbook.report``) computes its quick scale instead,
so each must run top to bottom and keep every phenomenon it asserts at that scale. (The
normal notebook run, ``pytest --nbmake book/``, covers the paper-scale path: the
committed results are fresh, which test_experiments checks.)
"""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[1] / "book"


def loads_cached_results(path):
    text = path.read_text()
    return "load_or_compute(" in text or "report.claims(" in text


CHAPTERS = sorted(p.stem for p in BOOK.glob("*.ipynb") if loads_cached_results(p))


def test_the_chapters_that_load_cached_results_are_found():
    assert {"rank_one", "learning_rates", "confidence", "sloppy_ranks", "randomness",
            "report"} <= set(CHAPTERS)


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_at_quick_scale(name, tmp_path, monkeypatch):
    monkeypatch.setenv("GHOSTBOOK_RESULTS", str(tmp_path))
    nb = nbformat.read(BOOK / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": str(BOOK)}}).execute()
    assert not list(tmp_path.iterdir()), "a chapter must not write results"
