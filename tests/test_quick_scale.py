"""The chapters as a reader without the cached paper-scale results runs them.

With an empty results folder every chapter that loads cached results (itself, or
through the reproduction report, ``ghostbook.report``) computes its quick scale
instead, so each must run top to bottom and keep every phenomenon it asserts at that
scale.  The test run does this in its nbmake pass: the repository's ``conftest.py``
points ``GHOSTBOOK_RESULTS`` at an empty folder for each notebook (and fails one that
writes into it), while the website's build runs the chapters with the committed
results.  This file checks that wiring on two small notebooks run by nbmake in a
subprocess, so a change that lost it (and let nbmake repeat the build's run) fails.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def loads_cached_results(path):
    text = path.read_text()
    return "load_or_compute(" in text or "report.claims(" in text


def test_the_chapters_that_load_cached_results_are_found():
    chapters = {p.stem for p in BOOK.glob("*.ipynb") if loads_cached_results(p)}
    assert {"rank_one", "learning_rates", "confidence", "sloppy_ranks", "randomness",
            "report", "working_memory", "learning_collapse", "nonlinear_tasks"} <= chapters


SEES_AN_EMPTY_FOLDER = """\
import os
from pathlib import Path
from ghostbook import results
folder = Path(os.environ["GHOSTBOOK_RESULTS"])
assert results.results_dir() == folder != results.DEFAULT_DIR
assert folder.is_dir() and not any(folder.iterdir())
"""
WRITES_A_RESULT = SEES_AN_EMPTY_FOLDER + '(folder / "fig3-paper.json").write_text("{}")\n'


def run_nbmake(cells, env):
    """nbmake on notebooks (name -> source of its one code cell) in a folder of the
    repository, where the root ``conftest.py`` applies: pytest's output."""
    folder = ROOT / f".quick-scale-check-{os.getpid()}"
    folder.mkdir()
    try:
        for name, source in cells.items():
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}
            nbformat.write(nb, folder / f"{name}.ipynb")
        environ = {k: v for k, v in os.environ.items()
                   if k not in ("GHOSTBOOK_RESULTS", "GHOSTBOOK_NOTEBOOK_RESULTS")}
        run = subprocess.run([sys.executable, "-m", "pytest", "--nbmake", "-p", "no:cacheprovider",
                              "-q", str(folder)],
                             cwd=ROOT, capture_output=True, text=True, timeout=600,
                             env={**environ, **env})
    finally:
        shutil.rmtree(folder)
    return run.stdout + run.stderr


@pytest.mark.parametrize("given", [None, "/nonexistent/results"])
def test_nbmake_runs_each_notebook_on_an_empty_results_folder(given):
    """Whatever ``GHOSTBOOK_RESULTS`` the run was given, each notebook sees a fresh empty
    folder (so chapters compute their quick scale), and one that writes a result fails."""
    env = {} if given is None else {"GHOSTBOOK_RESULTS": given}
    out = run_nbmake({"sees": SEES_AN_EMPTY_FOLDER, "writes": WRITES_A_RESULT}, env)
    assert "1 failed, 1 passed" in out, out
    assert "FAILED" in out and "writes.ipynb" in out and "must not write results" in out, out


def test_the_committed_results_are_used_when_asked():
    """``GHOSTBOOK_NOTEBOOK_RESULTS=committed`` leaves nbmake on ``results/``: the same
    notebook then fails (which shows the check above is not vacuous)."""
    out = run_nbmake({"sees": SEES_AN_EMPTY_FOLDER}, {"GHOSTBOOK_NOTEBOOK_RESULTS": "committed"})
    assert "1 failed" in out and "KeyError" in out, out
