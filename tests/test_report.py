"""The reproduction report: its rows, its table, and the page that shows them."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from ghostbook import experiments, report
from ghostbook.settings import SCALES

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
HIDDEN = {"hide-input", "remove-input", "remove-cell"}


def row(**changes):
    fields = dict(claim="a claim", status="reproduced", paper="p", ours="o", scale="paper",
                  link="toy_model.html", note="", criterion="")
    return report.Claim(**{**fields, **changes})


# --- The table --------------------------------------------------------------------------------


def test_a_claim_is_reproduced_or_differs():
    with pytest.raises(ValueError, match="status"):
        row(status="partly")


def test_table_escapes_every_field_and_colours_the_status():
    rows = [row(claim="α < <b>", paper="a & b", ours="\"x\" > 1", scale="<quick>",
                note="<script>", criterion="R <= 10", link="a.html#x\"y"),
            row(status="differs", note="why")]
    out = report.table_html(rows)
    for raw in ("<b>", "<script>", "<quick>", "a & b", "R <= 10", 'x"y'):
        assert raw not in out
    for escaped in ("α &lt; &lt;b&gt;", "a &amp; b", "&quot;x&quot; &gt; 1", "&lt;quick&gt;",
                    "&lt;script&gt;", "R &lt;= 10", "a.html#x&quot;y"):
        assert escaped in out
    assert 'class="reproduction-report"' in out and "overflow-x: auto" in out
    assert out.count('class="status-reproduced"') == 1 and out.count('class="status-differs"') == 1
    assert report.COLOURS["reproduced"] in out and report.COLOURS["differs"] in out
    assert "1 of 2 claims reproduced; 1 differ" in out


def test_status_sits_beside_the_claim():
    """On a phone the first two columns are seen without scrolling: claim, then status."""
    out = report.table_html([row()])
    heads = re.findall(r"<th>(.*?)</th>", out)
    assert heads == ["Claim", "Status", "Paper", "This book", "Scale"]


def test_sci_writes_powers_of_ten_as_the_paper_does():
    assert report.sci(9e-10) == "9 × 10⁻¹⁰"
    assert report.sci(2.2e-2, "∗") == "2.2 ∗ 10⁻²"
    assert report.sci(100) == "1 × 10²"


# --- Claim groups on made-up results -------------------------------------------------------------


def fake_results(monkeypatch, name, arrays):
    def load(which, progress=None):
        assert which == name
        return arrays, "paper", {}
    monkeypatch.setattr(experiments, "load_or_compute", load)


def fig4_run(n_learned, n_stuck, recovered):
    """A Fig. 4 result with ``n_learned`` networks that learned, the first ``n_stuck`` of
    them stuck, and ``recovered[i]`` of those above chance after retraining at c_i."""
    s = SCALES["fig4"]["paper"]
    acc = np.full((200, s.seeds), 0.5)
    acc[10:, :n_learned] = 1.0
    acc[100:, :n_stuck] = 0.5
    final = np.full((s.n_recovery_c, n_stuck), 0.5)
    for i, k in enumerate(recovered):
        final[i, :k] = 1.0
    return {"accuracy": acc, "recovery_c": s.recovery_c, "recovery_final_accuracy": final}


def test_fig4_claims_compare_counts_within_two_standard_errors(monkeypatch):
    s = SCALES["fig4"]["paper"]
    recovered = np.full(s.n_recovery_c, 3)
    recovered[-1] = 0                                   # none at c = 10
    fake_results(monkeypatch, "fig4", fig4_run(s.paper_learned, s.paper_stuck, recovered))
    learned, stuck, again = report.fig4_claims()
    assert [learned.status, stuck.status, again.status] == ["reproduced"] * 3
    assert learned.ours.startswith(f"{s.paper_learned} of {s.seeds}")
    assert "0% at c = 10" in again.ours

    recovered[-1] = 1                                   # one recovers at c = 10 itself
    fake_results(monkeypatch, "fig4", fig4_run(95, 10, recovered))
    learned, stuck, again = report.fig4_claims()
    assert [learned.status, stuck.status, again.status] == ["differs"] * 3


def test_figS1_claim_needs_no_learner_at_the_largest_rate(monkeypatch):
    s = SCALES["figS1"]["paper"]
    final = np.where(s.lrs[:, None] < 0.05, 0.1, 1.0) * np.ones((1, s.seeds))
    fake_results(monkeypatch, "figS1", {"lrs": s.lrs, "final_loss": final})
    (claim,) = report.figS1_claims()
    assert claim.status == "reproduced" and claim.ours.endswith(f"0 at α = {s.lrs[-1]:.2g}")
    final[-1, 0] = 0.1
    (claim,) = report.figS1_claims()
    assert claim.status == "differs"


# --- Every row, computed --------------------------------------------------------------------------


def anchors(chapter):
    """Targets a link ``chapter.html#anchor`` can reach: figure names, labels, and the
    heading anchors of levels 1-3 (``myst_heading_anchors: 3``, myst's slugs)."""
    path = BOOK / f"{chapter}.ipynb"
    if not path.exists():
        path = BOOK / f"{chapter}.md"
        cells = [{"cell_type": "markdown", "source": path.read_text()}]
    else:
        cells = json.loads(path.read_text())["cells"]
    found = set()
    for cell in cells:
        text = "".join(cell["source"])
        found |= set(re.findall(r":name:\s*(\S+)", text))
        found |= set(re.findall(r"^\((\S+)\)=", text, re.M))
        if cell["cell_type"] == "markdown":
            for title in re.findall(r"^#{1,3} (.+)$", text, re.M):
                found.add(re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-"))
    return found


@pytest.fixture(scope="module")
def rows():
    return report.claims()


def test_every_row_is_complete(rows):
    assert len(rows) >= 15
    for r in rows:
        assert r.status in report.STATUSES
        assert all(isinstance(v, str) and v for v in (r.claim, r.paper, r.ours, r.scale,
                                                     r.link, r.criterion)), r
        if r.status == "differs":
            assert r.note, f"a claim that differs says why: {r.claim}"
        assert "nan" not in r.ours.lower().split(), r


def test_every_row_links_to_a_chapter_and_anchor_that_exist(rows):
    for r in rows:
        page, _, anchor = r.link.partition("#")
        assert page.endswith(".html"), r.link
        chapter = page.removesuffix(".html")
        assert (BOOK / f"{chapter}.ipynb").exists() or (BOOK / f"{chapter}.md").exists(), r.link
        if anchor:
            assert anchor in anchors(chapter), r.link


def test_the_papers_values_come_from_the_settings(rows):
    """The paper's numbers in the table are the settings' paper fields (typed once)."""
    text = " ".join(r.paper for r in rows)
    fig3, fig4 = SCALES["fig3"]["paper"], SCALES["fig4"]["paper"]
    toy = SCALES["fig2"]["paper"]
    for value in (f"{fig3.paper_bifurcation_epoch:,}", f"{fig4.paper_learned} of",
                  f"{fig4.paper_stuck} of", report.sci(toy.paper_no_learning_from, "∗")):
        assert value in text


# --- The page ----------------------------------------------------------------------------


def report_cells():
    return json.loads((BOOK / "report.ipynb").read_text())["cells"]


def test_the_report_page_shows_no_code():
    for cell in report_cells():
        if cell["cell_type"] == "code":
            tags = set(cell["metadata"].get("tags", []))
            assert tags & HIDDEN, "every code cell is folded or removed:\n" + "".join(
                cell["source"])


def test_the_report_page_opens_with_one_paragraph_then_the_table():
    cells = report_cells()
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# ")
    blocks = [b for b in first.split("\n\n")[1:] if b.strip()]
    assert len(blocks) == 1, "the title, then one paragraph"
    shown = [c for c in cells[1:] if "remove-cell" not in c["metadata"].get("tags", [])]
    table = "".join(shown[0]["source"])
    assert shown[0]["cell_type"] == "code" and "report.table_html(" in table, \
        "the first thing after the paragraph is the table"
