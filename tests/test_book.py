"""The book's structure: every chapter in the TOC exists, ships without outputs,
starts from a fresh kernel's point of view, and the site shows static figures
where a live kernel shows widgets."""
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def notebooks():
    return sorted((ROOT / "book").glob("*.ipynb"))


def test_toc_entries_exist_and_every_notebook_is_in_the_toc():
    paths = {f: [p for p in (ROOT / (f + ext) for ext in (".md", ".ipynb")) if p.exists()]
             for f in toc_files()}
    assert all(len(found) == 1 for found in paths.values()), paths
    in_toc = {p[0] for p in paths.values()}
    assert set(notebooks()) <= in_toc


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a chapter without code"
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    colab, first = ("".join(c["source"]) for c in code[:2])
    assert "google.colab" in colab and "remove-cell" in code[0]["metadata"].get("tags", []), \
        "the first code cell installs the package on Colab (hidden on the site)"
    assert "import" in first and "google.colab" not in first, "imports belong in the next code cell"
    sources = "".join("".join(c["source"]) for c in code)
    assert "sys.path" not in sources, "notebooks import the installed package"
    titles = [line for c in nb["cells"] if c["cell_type"] == "markdown"
              for line in "".join(c["source"]).splitlines() if line.startswith("# ")]
    assert len(titles) == 1, f"one top-level title per chapter, found {titles}"


def test_site_prefers_static_figures_over_widget_views():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    overrides = config["sphinx"]["config"]["nb_mime_priority_overrides"]
    assert ["html", "application/vnd.jupyter.widget-view+json", None] in overrides
    assert config["execute"]["allow_errors"] is False


def test_colab_installs_from_the_repository_of_the_config():
    """The repository URL lives in _config.yml; the Colab cell of every chapter uses it."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    for path in notebooks():
        cell = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        assert f"git+{url}'" in "".join(cell["source"]), path.name


def test_binder_installs_the_root_requirements_on_the_tested_python():
    """Binder reads .binder/ only: it must pull in the root requirements (pip resolves
    ``-r`` relative to the including file) on the Python that CI tests (3.11)."""
    lines = (ROOT / ".binder" / "requirements.txt").read_text().splitlines()
    includes = [line.split(None, 1)[1] for line in lines if line.startswith("-r ")]
    assert [(ROOT / ".binder" / inc).resolve() for inc in includes] == [ROOT / "requirements.txt"]
    assert (ROOT / ".binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert (ROOT / "requirements.txt").read_text().count("-e .[") == 1


def test_bibliography_labels_read_like_the_citations():
    """book/_ext/bib_labels.py labels every entry "Name[ and Name| et al.], year", one
    label per entry, so two entries by the same authors in a year need years 2025a/b."""
    import importlib.util

    from pybtex.database import parse_file

    spec = importlib.util.spec_from_file_location("bib_labels", ROOT / "book" / "_ext" / "bib_labels.py")
    bib_labels = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bib_labels)
    entries = parse_file(ROOT / "references.bib").entries
    labels = {key: bib_labels.label(entry) for key, entry in entries.items()}
    assert len(set(labels.values())) == len(labels), labels
    assert labels["schuessler2020interplay"] == "Schuessler et al., 2020"
    assert labels["strogatz2018nonlinear"] == "Strogatz, 2018"
    assert labels["sussillo2013opening"] == "Sussillo and Barak, 2013"
    assert {labels["dinc2024ghost"], labels["dinc2025ghostrecurrent"]} == {"Dinc et al., 2025a",
                                                                         "Dinc et al., 2025b"}
