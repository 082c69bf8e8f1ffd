"""The chapters as a live reader meets them: JupyterLab with jupyterlab-myst, in a browser.

A reader on Binder, or one who follows the README's "Running chapters live", opens a
chapter in JupyterLab and runs it.  This file starts JupyterLab from the project's
environment on a free local port (a token, no browser, its settings and configuration
in a temporary folder), opens ``LIVE_CHAPTER`` in headless Chromium, runs all its cells
in a real kernel and checks what the reader sees:

- no cell ends in an error;
- the markdown is rendered: no raw MyST role or directive (``{cite}`...```, a
  ``:name:`` line), no "Unknown Directive" box, no ``{eval}`` left unevaluated, every
  value the prose computes is there and every figure caption is numbered;
- moving the explorer's slider redraws its figure (the image before and after differ).

A second JupyterLab with jupyterlab-myst switched off shows the same chapter's markdown
raw, and the check must see it: a chapter (or an environment) that loses the renderer
fails here.  The static half needs no browser: every chapter's markdown uses only what
jupyterlab-myst renders (values as ``{eval}`glued(...)```, figures as image-less
``{figure}`` directives naming a figure glued in a cell the website hides).

Without JupyterLab, jupyterlab-myst, Playwright or Chromium the browser tests skip
(``pip install -e '.[live,test]'``), except with ``CI=true``, where they fail.
"""
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from browser import offline_context, unavailable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from live_glue import parse_glued  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
LIVE_CHAPTER = "book/toy_model.ipynb"
LIVE_HINT = "JupyterLab and jupyterlab-myst: `pip install -e '.[live]'`"
RUN_TIMEOUT_S = 600

# What a reader must never see in a rendered markdown cell: a role or directive as typed
# (plain markdown shows {cite}`key` as "{cite}" and the key in code),
# a directive's option line, jupyterlab-myst's box for a construct it does not know, an
# {eval} it did not evaluate (shown as its code), an equation label as typed.
RAW_MYST = re.compile(r"\{[a-zA-Z][\w:.-]*\}[`\w]|```|:::|^\s*:(?:name|label|class|width):|"
                      r"Unknown (?:Directive|Role)|glued\(|\(eq-[\w-]+\)", re.M)
# The roles and directives of the chapters' markdown that jupyterlab-myst renders.
LIVE_ROLES = {"eval", "cite", "cite:p", "cite:t", "numref", "eq", "ref", "math"}
LIVE_DIRECTIVES = {"figure", "note", "tip", "important", "warning", "math", "code"}


def markdown_cells(path):
    cells = json.loads(Path(path).read_text())["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]


def code_cells(path):
    cells = json.loads(Path(path).read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def raw_myst(text):
    """The raw MyST in a cell's rendered text: matches of ``RAW_MYST``, with context."""
    return [text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ")
            for m in RAW_MYST.finditer(text)]


# --------------------------------------------------------------------- static check

def test_raw_myst_pattern_knows_what_raw_myst_looks_like():
    raw = ["The ghost paper {cite}`dinc2024ghost` asks", "paper {cite}dinc2024ghost asks",
           ":name: fig-toy-flow",
           "glue:figure - Unknown Directive", "about glued(\"r-star:.3g\") for",
           "$$ x $$ (eq-toy)", "```{figure}"]
    rendered = ["The ghost paper dinc2024ghost asks", "Figure 1: The toy model's flow",
                "about 0.000247 for T = 100", "Eq. (1) and time: 12:30"]
    assert all(raw_myst(t) for t in raw)
    assert not any(raw_myst(t) for t in rendered)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_markdown_uses_only_what_jupyterlab_myst_renders(path):
    """myst-nb's glue roles and directives show raw in JupyterLab: values must be
    ``{eval}`glued(...)``` (which ``book/_ext/live_glue.py`` reads as glue on the
    website) and figures image-less ``{figure}`` directives whose ``:name:`` a code
    cell glues with ``display=True`` (so a live reader sees it) in a cell tagged
    ``remove-output`` (so the website shows it once, in the figure)."""
    problems = []
    shown = {}
    for cell in code_cells(path):
        source = "".join(cell["source"])
        hidden = "remove-output" in cell.get("metadata", {}).get("tags", [])
        for m in re.finditer(r'glue\(\s*"([^"]+)"[^\n]*display=True', source):
            shown[m.group(1)] = hidden
    for i, text in markdown_cells(path):
        for role in re.findall(r"\{([a-z][\w:.-]*)\}`", text):
            if role not in LIVE_ROLES:
                problems.append(f"cell {i}: role {{{role}}} does not render live")
        for expr in re.findall(r"\{eval\}`([^`]+)`", text):
            try:
                parse_glued(expr)
            except ValueError as err:
                problems.append(f"cell {i}: {err}")
        for fence, directive, arg, body in re.findall(
                r"^(```+|:::+)\{([^}]+)\}[ \t]*(\S*)[^\n]*\n(.*?)^\1", text, re.M | re.S):
            if directive not in LIVE_DIRECTIVES:
                problems.append(f"cell {i}: directive {{{directive}}} does not render live")
            elif directive == "figure" and not arg:
                name = re.search(r"^:name:\s*(\S+)", body, re.M)
                if name is None:
                    problems.append(f"cell {i}: an image-less figure needs :name:")
                elif name.group(1) not in shown:
                    problems.append(f"cell {i}: no cell glues {name.group(1)!r} with "
                                    "display=True, so a live reader would not see it")
                elif not shown[name.group(1)]:
                    problems.append(f"cell {i}: the cell gluing {name.group(1)!r} needs the "
                                    "remove-output tag, or the website shows it twice")
    assert not problems, f"{path.name}: " + "; ".join(problems)


# --------------------------------------------------------------------- JupyterLab

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server of this environment, rooted at the repository."""

    def __init__(self, myst=True):
        if not all(importlib.util.find_spec(m) for m in ("jupyterlab", "jupyterlab_myst")):
            unavailable("JupyterLab and jupyterlab-myst", LIVE_HINT)
        self.tmp = tempfile.TemporaryDirectory(prefix="ghostbook-lab-")
        tmp = Path(self.tmp.name)
        settings = tmp / "settings"
        # every cell rendered (not only those in view), no news or update checks, and no
        # autosave: the run's outputs must never be written into the repository's chapters
        for plugin, value in (("notebook-extension/tracker", {"windowingMode": "none"}),
                              ("apputils-extension/notification",
                               {"fetchNews": "false", "checkForUpdates": False}),
                              ("docmanager-extension/plugin", {"autosave": False})):
            path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        config = tmp / "config"
        (config / "labconfig").mkdir(parents=True)
        if not myst:
            (config / "labconfig" / "page_config.json").write_text(
                json.dumps({"disabledExtensions": {"jupyterlab-myst": True}}))
        self.port, self.token = _free_port(), os.urandom(16).hex()
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
               "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "OMP_NUM_THREADS": "1"}
        self.log = open(tmp / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={ROOT}", "--LabApp.expose_app_in_browser=True",
             f"--LabApp.user_settings_dir={settings}",
             f"--LabApp.workspaces_dir={tmp / 'workspaces'}"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    pytest.fail("JupyterLab did not start:\n" + self.server_log())
                time.sleep(0.5)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/lab/tree/{path}?token={self.token}"

    def server_log(self):
        self.log.flush()
        return (Path(self.tmp.name) / "server.log").read_text()[-3000:]

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        self.tmp.cleanup()


NOTEBOOK_JS = "window.jupyterapp.shell.currentWidget"
KERNEL_IDLE = f"""() => {{ const w = {NOTEBOOK_JS};
    const k = w && w.sessionContext && w.sessionContext.session
              && w.sessionContext.session.kernel;
    return k && k.status === 'idle'; }}"""
RAN_ALL = f"""() => {{ const w = {NOTEBOOK_JS}; const m = w.content.model;
    const busy = [...w.node.querySelectorAll('.jp-InputPrompt')]
                 .some(e => e.textContent.includes('*'));
    let waiting = 0;
    for (let i = 0; i < m.cells.length; i++) {{
        const c = m.cells.get(i);
        if (c.type === 'code' && c.executionCount === null) waiting++; }}
    return !busy && waiting === 0 && w.sessionContext.session.kernel.status === 'idle'; }}"""
# jupyterlab-myst evaluates a markdown cell's {eval} roles after the run has passed the
# cell, in a request of its own (answered into the cell's metadata, then re-rendered):
# the kernel can be idle, every code cell done, before that request is even sent.
EVAL_CELLS = f"""() => {{ const m = {NOTEBOOK_JS}.content.model; let cells = 0, answered = 0;
    for (let i = 0; i < m.cells.length; i++) {{ const c = m.cells.get(i);
        if (c.type !== 'markdown' || !c.sharedModel.getSource().includes('{{eval}}`')) continue;
        cells++; const done = c.getMetadata('user_expressions');
        if (done && done.length) answered++; }}
    return [cells, answered]; }}"""
EVALUATED = f"() => {{ const [cells, answered] = ({EVAL_CELLS})(); return cells === answered; }}"
ERRORS = f"""() => {{ const m = {NOTEBOOK_JS}.content.model; const out = [];
    for (let i = 0; i < m.cells.length; i++) {{ const c = m.cells.get(i);
        if (c.type !== 'code') continue;
        for (const o of c.outputs.toJSON())
            if (o.output_type === 'error') out.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`); }}
    return out; }}"""
MARKDOWN_TEXT = f"""() => [...{NOTEBOOK_JS}.node.querySelectorAll(
    '.jp-MarkdownCell .jp-Cell-inputWrapper')].map(e => e.innerText)"""


def open_notebook(context, lab, path):
    page = context.new_page()
    page.goto(lab.url(path))
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=120_000)
    page.wait_for_function(f"""() => {{ const t = ({MARKDOWN_TEXT})();
                           return t.length > 0 && t.every(s => s.trim()); }}""")
    return page


@pytest.fixture(scope="module")
def live(chromium):
    """``LIVE_CHAPTER`` run top to bottom in JupyterLab: the page after the run."""
    lab = Lab()
    try:
        with offline_context(chromium, timeout_ms=60_000) as context:
            page = open_notebook(context, lab, LIVE_CHAPTER)
            try:        # a fresh server asks which kernel to start: the notebook's own
                page.click(".jp-Dialog-button.jp-mod-accept", timeout=15_000)
            except Exception:
                pass
            page.wait_for_function(KERNEL_IDLE, timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(RAN_ALL, timeout=RUN_TIMEOUT_S * 1000, polling=1000)
            page.wait_for_function(EVALUATED, timeout=120_000, polling=500)
            try:        # the answers are in the cells' metadata; let them render
                page.wait_for_function(f"() => !({MARKDOWN_TEXT})().some(t => t.includes('glued('))",
                                       timeout=30_000, polling=250)
            except Exception:
                pass    # the tests below say what is still raw
            yield page
    finally:
        lab.close()


def test_chapter_runs_live_without_errors(live):
    assert live.evaluate(ERRORS) == []


def test_the_live_run_leaves_the_chapter_file_as_committed(live):
    """Autosave is off in the test's JupyterLab (a run longer than its two-minute interval
    would write the outputs into the repository's chapter), and the file has none."""
    autosave = live.evaluate("""async () => {
        const s = await window.jupyterapp.serviceManager.settings.fetch(
            '@jupyterlab/docmanager-extension:plugin');
        return s.settings.autosave; }""")                # as the server gives it to the page
    assert autosave is False
    assert all(not c.get("outputs") for c in code_cells(ROOT / LIVE_CHAPTER))


def test_live_markdown_shows_no_raw_myst(live):
    texts = live.evaluate(MARKDOWN_TEXT)
    assert len(texts) == len(markdown_cells(ROOT / LIVE_CHAPTER))
    raw = [hit for text in texts for hit in raw_myst(text)]
    assert not raw, f"{LIVE_CHAPTER} shows raw MyST in JupyterLab: {raw}"


def test_live_prose_shows_its_values_and_numbered_figures(live):
    from ghostbook import toy
    from ghostbook.prose import PENDING
    from ghostbook.settings import TOY

    cells, answered = live.evaluate(EVAL_CELLS)
    assert cells == sum("{eval}`" in t for _, t in markdown_cells(ROOT / LIVE_CHAPTER)) > 0
    assert answered == cells
    text = "\n".join(live.evaluate(MARKDOWN_TEXT))
    assert f"about {toy.optimal_r(TOY.T):.3g} for" in text
    assert PENDING not in text
    figures = sum(len(re.findall(r"^(```+|:::+)\{figure\}", t, re.M))
                  for _, t in markdown_cells(ROOT / LIVE_CHAPTER))
    captions = re.findall(r"Figure\s(\d+):", text)             # the space is a no-break one
    assert figures and captions == [str(k) for k in range(1, figures + 1)], text
    images = live.evaluate(f"""() => {NOTEBOOK_JS}.node.querySelectorAll(
        '.jp-OutputArea-output img').length""")
    assert images >= figures


def test_moving_the_explorer_slider_redraws_its_figure(live):
    cell = live.locator(".jp-CodeCell", has=live.locator(".widget-slider")).first
    image = cell.locator(".jp-OutputArea-output img").first
    before = image.get_attribute("src")
    readout = cell.locator(".widget-slider .widget-readout").first
    readout.click()
    live.keyboard.press("Control+A")
    live.keyboard.type("5")
    live.keyboard.press("Enter")
    live.wait_for_function(
        """([el, before]) => { const img = el.querySelector('.jp-OutputArea-output img');
                               return img && img.getAttribute('src') !== before; }""",
        arg=[cell.element_handle(), before], timeout=60_000)
    assert image.get_attribute("src") != before


def test_without_jupyterlab_myst_the_chapter_shows_raw_myst(chromium):
    """The check above is not vacuous: the same chapter in a JupyterLab whose
    jupyterlab-myst is switched off shows its roles as typed, and ``raw_myst`` finds them."""
    lab = Lab(myst=False)
    try:
        with offline_context(chromium, timeout_ms=60_000) as context:
            page = open_notebook(context, lab, LIVE_CHAPTER)
            text = "\n".join(page.evaluate(MARKDOWN_TEXT))
    finally:
        lab.close()
    assert any("{cite}dinc2024ghost" in hit for hit in raw_myst(text)), text[:500]


def test_live_chapter_is_a_chapter_of_the_book():
    toc = (ROOT / "_toc.yml").read_text()
    assert f"file: {Path(LIVE_CHAPTER).with_suffix('').as_posix()}\n" in toc
