"""How the test run executes the chapters: nbmake runs them at quick scale.

Every chapter is executed twice by ``python3 dev.py test``, each time along a
different path:

- the website's build (``tests/test_site.py``, ``allow_errors: false``) runs every
  chapter with the committed paper-scale results in ``results/``, as a reader of the
  site or of a fresh clone meets them;
- nbmake (``pytest --nbmake``) runs every chapter with an empty results folder
  (``GHOSTBOOK_RESULTS``), so a chapter that loads cached results computes its quick
  scale instead, as it does for a reader who changed a setting or deleted the cache.
  Every phenomenon a chapter asserts must hold at that scale too, and no chapter may
  write into the results folder.

Running them with the cache here as well would only repeat the build's run (and cost
the test run minutes).  ``GHOSTBOOK_NOTEBOOK_RESULTS=committed`` makes nbmake use
``results/`` (or the given ``GHOSTBOOK_RESULTS``) instead.
"""
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest


def is_notebook(item):
    return item.path.suffix == ".ipynb"


@contextmanager
def empty_results():
    """``GHOSTBOOK_RESULTS`` set to an empty folder (inherited by the notebook's
    kernel), and restored after; a chapter that wrote into it fails."""
    before = os.environ.get("GHOSTBOOK_RESULTS")
    with tempfile.TemporaryDirectory(prefix="ghostbook-results-") as folder:
        os.environ["GHOSTBOOK_RESULTS"] = folder
        try:
            yield Path(folder)
        finally:
            if before is None:
                del os.environ["GHOSTBOOK_RESULTS"]
            else:
                os.environ["GHOSTBOOK_RESULTS"] = before
        written = sorted(p.name for p in Path(folder).iterdir())
        if written:
            raise AssertionError(f"a chapter must not write results; it wrote {written}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if not is_notebook(item) or os.environ.get("GHOSTBOOK_NOTEBOOK_RESULTS") == "committed":
        return (yield)
    with empty_results():
        return (yield)
