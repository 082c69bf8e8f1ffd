"""The website as a reader meets it, tested in a real browser with the network cut off.

The session builds the site (``jupyter-book build . -W -n --keep-going`` into the
repository's ``_build``, the same command as ``python3 dev.py book``, whose later run
then finds every notebook in the execution cache), serves ``_build/html`` on
localhost and opens every page in headless Chromium through Playwright.  Every
request to a host other than localhost is aborted and recorded, so the tests prove
the site works offline.  On each page they assert: no JavaScript errors, no
off-site or missing resource, every equation typeset, every image loaded, every
internal link resolves, and every kernel-free player changes its frame when its
controls are used.  A screenshot of each page at desktop (1280 px) and phone
(390 px) width goes to ``_build/screenshots/`` for a person to look at.

Without Chromium or Playwright the browser tests skip (install Chromium with
``apt-get install chromium``; Playwright with ``pip install -e '.[test]'``), except
when ``CI=true``, where they fail.

Environment:
  GHOSTBOOK_SITE      test an existing build (a folder with index.html) instead of building
  GHOSTBOOK_CHROMIUM  the Chromium (or Chrome) executable; default: chromium on PATH
"""
import functools
import html.parser
import http.server
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from browser import DESKTOP, LOCAL_HOSTS, offline_context

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
PHONE = {"width": 390, "height": 844}
# raw TeX a reader must never see: MathJax delimiters and environments left untypeset
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^$\n]{0,200}?\\[A-Za-z]+[^$\n]{0,200}?\$")

# `python3 dev.py test` runs pytest-xdist with --dist loadfile, so this whole file
# runs on one worker: one build, one browser, while the other worker runs the
# notebooks and unit tests.  (--dist loadgroup with an xdist_group mark would say
# the same, but pytest 9.2 silently ignores it: pytest-dev/pytest-xdist#1386.)
# Under any other distribution a file lock keeps two workers from building at once.


# --------------------------------------------------------------------------- pages

def site_pages():
    """Every HTML page of the site, known before the build: the TOC's files and
    the pages Sphinx and Jupyter Book add (checked against the build below)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [ch["file"] for part in toc.get("parts", []) for ch in part["chapters"]]
    return ["index.html"] + [f"{f}.html" for f in files] + ["genindex.html", "search.html"]


PAGES = site_pages()
PLAYER_PAGES = [page for page in PAGES if (ROOT / page.replace(".html", ".ipynb")).is_file()
                and "players.player(" in (ROOT / page.replace(".html", ".ipynb")).read_text()]
"""Pages whose chapter makes a kernel-free player (``ghostbook.players.player``)."""


def page_id(page):
    return page.removesuffix(".html")


# --------------------------------------------------------------------------- build

def _lock(path):
    """An exclusive lock on `path` (held until the returned file is closed): two
    pytest workers never build into the same _build at once."""
    handle = open(path, "a+")
    try:
        import fcntl
        fcntl.flock(handle, fcntl.LOCK_EX)
    except ImportError:  # pragma: no cover - Windows: no lock, run with --dist loadgroup
        pass
    return handle


@pytest.fixture(scope="session")
def site():
    """(folder of the built site, build result or None when GHOSTBOOK_SITE is used)."""
    given = os.environ.get("GHOSTBOOK_SITE")
    if given:
        html_dir = Path(given).resolve()
        if not (html_dir / "index.html").is_file():
            pytest.fail(f"GHOSTBOOK_SITE={given} holds no index.html")
        return html_dir, None
    BUILD.mkdir(exist_ok=True)
    log = BUILD / "site-build.log"
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jupyter_book if jupyter_book.exists() else "jupyter-book"),
           "build", ".", "-W", "-n", "--keep-going"]
    with _lock(BUILD / ".site-build.lock"):
        # Sphinx rebuilds only what changed and the execution cache re-runs only
        # notebooks whose code changed, so an up-to-date build takes seconds.
        start = time.monotonic()
        with open(log, "w") as out:
            code = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
        took = time.monotonic() - start
    if not (BUILD / "html" / "index.html").is_file():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        pytest.fail(f"the site was not built ({log}):\n{tail}")
    # a build with warnings still wrote its pages (--keep-going): the browser tests
    # run on them and test_site_builds_without_warnings reports the warnings
    return BUILD / "html", {"code": code, "log": log, "seconds": took, "cmd": " ".join(cmd)}


def test_site_builds_without_warnings(site):
    html_dir, build = site
    if build is None:
        pytest.skip("GHOSTBOOK_SITE given: testing an existing build")
    tail = "\n".join(build["log"].read_text(errors="replace").splitlines()[-60:])
    assert build["code"] == 0, f"`{build['cmd']}` failed ({build['log']}):\n{tail}"
    assert (html_dir / "index.html").is_file()


def test_every_page_of_the_site_is_tested(site):
    html_dir, _ = site
    built = {p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html")
             if p.relative_to(html_dir).parts[0] not in ("_static", "_sources", "_images")}
    assert built == set(PAGES), "pages built but untested / tested but not built"


# --------------------------------------------------------------------------- static checks

class _Assets(html.parser.HTMLParser):
    """What a page makes the browser fetch (not the links a reader may click),
    and the ids and names a #fragment can point to."""

    FETCHED = {"script": ["src"], "img": ["src", "srcset"], "source": ["src", "srcset"],
               "iframe": ["src"], "video": ["src", "poster"], "audio": ["src"],
               "embed": ["src"], "object": ["data"], "input": ["src"], "track": ["src"]}
    LINK_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon",
                 "shortcut", "apple-touch-icon", "manifest", "import"}

    def __init__(self):
        super().__init__()
        self.fetched, self.anchors, self.styles, self._in_style = [], set(), [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.anchors.add(attrs[key])
        if tag == "link" and set((attrs.get("rel") or "").lower().split()) & self.LINK_RELS:
            self.fetched.append(("link", attrs.get("href") or ""))
        for attr in self.FETCHED.get(tag, []):
            if attrs.get(attr):
                self.fetched += [(tag, part.split()[0]) for part in attrs[attr].split(",")
                                 if part.strip()] if attr == "srcset" else [(tag, attrs[attr])]
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


@functools.lru_cache(maxsize=None)
def parse_html(path):
    parser = _Assets()
    parser.feed(Path(path).read_text(errors="replace"))
    return parser


REFRESH = re.compile(r"""<meta[^>]*http-equiv=["']?refresh["']?[^>]*url=([^"'>\s]+)""", re.I)
OFF_SITE = re.compile(r"^\s*(https?:)?//", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""", re.I)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_fetches_nothing_from_another_host(site, page):
    """Static check (no browser needed): scripts, stylesheets, fonts and images of
    the page are all served by the site itself."""
    html_dir, _ = site
    parsed = parse_html(html_dir / page)
    off_site = [f"<{tag}> {url}" for tag, url in parsed.fetched if OFF_SITE.match(url)]
    off_site += [f"style: {url}" for style in parsed.styles for url in CSS_URL.findall(style)]
    assert not off_site, f"{page} loads from other hosts: {off_site}"


def test_stylesheets_fetch_nothing_from_another_host(site):
    html_dir, _ = site
    found = {css.relative_to(html_dir).as_posix(): CSS_URL.findall(css.read_text(errors="replace"))
             for css in (html_dir / "_static").rglob("*.css")}
    assert not {k: v for k, v in found.items() if v}


def test_mathjax_is_served_by_the_site(site):
    html_dir, _ = site
    mathjax = html_dir / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").is_file()
    assert list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    for lazy in ("input/tex/extensions/physics.js", "ui/menu.js", "a11y/explorer.js",
                 "sre/mathmaps/en.json", "output/svg.js"):
        assert (mathjax / lazy).is_file(), lazy
    pages_with_math = [p for p in PAGES if 'class="math' in (html_dir / p).read_text(errors="replace")]
    assert pages_with_math, "no page with math: the MathJax checks would test nothing"
    for page in pages_with_math:
        scripts = [url for tag, url in parse_html(html_dir / page).fetched if tag == "script"]
        assert any(url.split("?")[0].endswith("_static/mathjax/tex-mml-chtml.js") for url in scripts), page


# --------------------------------------------------------------------------- browser

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    html_dir, _ = site
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html_dir)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser_context(chromium):
    """One context for the session; every request to a host other than localhost is
    aborted and recorded in `context.off_site`."""
    with offline_context(chromium, DESKTOP) as context:
        yield context


def _is_favicon(url):
    # Chromium asks every host for /favicon.ico; the book declares no icon.
    return urlsplit(url or "").path == "/favicon.ico"


VISIT_JS = {
    "math": """async () => {
        const containers = Array.from(document.querySelectorAll('span.math, div.math'));
        if (containers.length && !window.MathJax) return {containers: containers.length, error: 'MathJax not loaded'};
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
        const typeset = containers.filter(c => c.querySelector('mjx-container')).length;
        const errors = Array.from(document.querySelectorAll('mjx-merror'),
                                  e => e.getAttribute('data-mjx-error') || e.textContent);
        const untypeset = containers.filter(c => !c.querySelector('mjx-container'))
                                    .map(c => c.textContent.slice(0, 80));
        const body = document.body.cloneNode(true);
        body.querySelectorAll('script, style, pre, code, textarea, .highlight, mjx-container, noscript')
            .forEach(e => e.remove());
        return {containers: containers.length, typeset, errors, untypeset, text: body.textContent,
                containers_total: document.querySelectorAll('mjx-container').length};
    }""",
    "images": """async () => {
        const imgs = Array.from(document.images);
        imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
        const settle = i => i.complete ? null : new Promise(r => {
            i.addEventListener('load', r, {once: true}); i.addEventListener('error', r, {once: true}); });
        await Promise.race([Promise.all(imgs.map(settle)), new Promise(r => setTimeout(r, 15000))]);
        return imgs.map(i => ({src: (i.getAttribute('src') || '(no src)').slice(0, 120),
                               alt: i.alt, ok: i.complete && i.naturalWidth > 0}));
    }""",
    "links": """() => ({
        links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
        ids: Array.from(document.querySelectorAll('[id], a[name]'), e => e.id || e.getAttribute('name')),
    })""",
}


def _players(page):
    """Click each kernel-free player's step-forward button and move its slider;
    report whether the displayed frame changed each time."""
    results = []
    for i, player in enumerate(page.locator("div.animation").all()):
        frame = player.locator("img").first
        slider = player.locator("input[type=range]").first
        n_frames = int(slider.get_attribute("max")) + 1
        before = frame.get_attribute("src")
        player.locator("button[title='Next frame']").click()
        changed = _src_changes(page, frame, before)
        after_button = frame.get_attribute("src")
        slider.focus()
        page.keyboard.press("End")  # the reader drags the slider to its last frame
        slider_moved = _src_changes(page, frame, after_button)
        results.append({"player": i, "frames": n_frames, "button_changes_frame": changed,
                        "slider_changes_frame": slider_moved,
                        "slider_at_end": slider.input_value() == slider.get_attribute("max")})
    return results


def _src_changes(page, frame, before):
    try:
        frame.evaluate("(img, before) => new Promise((ok, fail) => { const t0 = Date.now();"
                       " (function poll() { if (img.getAttribute('src') !== before) ok(true);"
                       " else if (Date.now() - t0 > 5000) fail('unchanged'); else setTimeout(poll, 50); })(); })",
                       before)
        return True
    except Exception:
        return False


def _screenshot(page, name, label):
    """A full-page screenshot; returns the page's width in CSS pixels (wider
    than the viewport: the reader has to scroll sideways)."""
    folder = Path(os.environ.get("GHOSTBOOK_SCREENSHOTS", BUILD / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r())))")
    page.screenshot(path=str(folder / f"{name.replace('/', '-')}-{label}.png"), full_page=True)
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture(scope="session")
def visit(site, server, browser_context):
    """visit(page) -> what the browser saw on it.  Each page is opened once at
    desktop width (all checks, then the players are played) and once at phone
    width (errors, requests and the screenshot)."""
    html_dir, _ = site
    seen = {}

    def load(name, viewport, record):
        page = browser_context.new_page()
        page.set_viewport_size(viewport)  # before loading: the theme lays out for this width
        page.on("pageerror", lambda e: record["errors"].append(f"uncaught: {e}"))
        page.on("console", lambda m: m.type == "error" and not _is_favicon(m.location.get("url"))
                and record["errors"].append(f"console.error: {m.text} ({m.location.get('url')})"))
        page.on("response", lambda r: r.status >= 400 and not _is_favicon(r.url)
                and record["missing"].append(f"{r.status} {r.url}"))
        page.on("requestfailed", lambda r: urlsplit(r.url).hostname in LOCAL_HOSTS
                and record["missing"].append(f"{r.failure} {r.url}"))
        redirect = REFRESH.search((html_dir / name).read_text(errors="replace"))
        if redirect:  # index.html sends the reader on to the first chapter
            with page.expect_navigation(url=urljoin(server + name, redirect.group(1)), wait_until="load"):
                page.goto(server + name)
        else:
            page.goto(server + name, wait_until="load")
        return page

    def go(name):
        if name in seen:
            return seen[name]
        record = {"errors": [], "missing": []}
        n_off = len(browser_context.off_site)
        start = time.monotonic()
        try:
            page = load(name, DESKTOP, record)
            try:
                record["math"] = page.evaluate(VISIT_JS["math"])
                record["images"] = page.evaluate(VISIT_JS["images"])
                record["links"] = page.evaluate(VISIT_JS["links"])
                record["url"] = page.url
                record["width"] = {"desktop": _screenshot(page, page_id(name), "desktop")}
                record["players"] = _players(page)
                page.wait_for_timeout(200)  # let late errors and requests arrive
            finally:
                page.close()
            page = load(name, PHONE, record)
            try:
                page.evaluate(VISIT_JS["math"])
                page.evaluate(VISIT_JS["images"])
                record["width"]["phone"] = _screenshot(page, page_id(name), "phone")
            finally:
                page.close()
        finally:
            record["off_site"] = browser_context.off_site[n_off:]
            record["seconds"] = time.monotonic() - start
        seen[name] = record
        return record

    return go


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_works_offline(visit, page):
    record = visit(page)
    assert not record["off_site"], f"{page} tried to fetch from other hosts: {record['off_site']}"
    assert not record["missing"], f"{page} requested files the site does not have: {record['missing']}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_has_no_javascript_errors(visit, page):
    assert not visit(page)["errors"]


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_equation_is_typeset(visit, page):
    math = visit(page)["math"]
    assert "error" not in math, math.get("error")
    assert not math["errors"], f"MathJax errors: {math['errors']}"
    assert math["typeset"] == math["containers"], f"untypeset math: {math['untypeset']}"
    raw = sorted({m.group(0)[:80] for m in RAW_TEX.finditer(math["text"])})
    assert not raw, f"raw TeX left in the visible text: {raw}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_image_loads(visit, page):
    broken = [img for img in visit(page)["images"] if not img["ok"]]
    assert not broken


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_internal_link_resolves(site, server, visit, page):
    html_dir, _ = site
    record = visit(page)
    here = urlsplit(record["url"]).path
    broken = []
    for href in sorted(set(record["links"]["links"])):
        url = urlsplit(href)
        if url.scheme not in ("http", "https") or url.netloc != urlsplit(server).netloc:
            continue  # off-site links a reader clicks (Binder, Colab, GitHub, DOIs) are fine
        target = html_dir / unquote(url.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href}: no such file")
            continue
        if url.fragment and target.suffix == ".html":
            anchors = parse_html(target).anchors
            if url.path == here:
                anchors = anchors | set(record["links"]["ids"])
            if unquote(url.fragment) not in anchors:
                broken.append(f"{href}: no element with id {unquote(url.fragment)!r}")
    assert not broken


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_fits_a_phone_screen(visit, page):
    width = visit(page)["width"]["phone"]
    assert width <= PHONE["width"], f"{width} px wide on a {PHONE['width']} px screen: scrolls sideways"


@pytest.mark.parametrize("page", PLAYER_PAGES, ids=page_id)
def test_every_player_changes_its_frame(visit, page):
    players = visit(page)["players"]
    assert players, f"{page}: its chapter makes a player, but the page shows none"
    stuck = [p for p in players if not (p["frames"] >= 2 and p["button_changes_frame"]
                                         and p["slider_changes_frame"] and p["slider_at_end"])]
    assert not stuck, players


def test_players_are_on_the_pages_that_make_them(visit):
    """The issue's three players (the toy trajectory through the bifurcation, gradient
    descent over the landscape, the ghost forming in the RNN) live on three chapters, and
    no other page shows one."""
    with_players = [page for page in PAGES if visit(page)["players"]]
    assert len(PLAYER_PAGES) >= 3 and with_players == PLAYER_PAGES, (with_players, PLAYER_PAGES)


def test_mathjax_menu_loads_only_from_the_site(site, server, browser_context):
    """A reader who turns on MathJax's accessibility explorer (speech) and switches
    the renderer to SVG makes MathJax load more components, the speech rule
    engine's locale maps and other fonts lazily: all from the site.

    (Turning the explorer on alone blanks the math until the next rerender: an
    upstream MathJax 3.2.2 bug, mathjax/MathJax#3124; the renderer switch
    rerenders it, with speech.)"""
    html_dir, _ = site
    page_with_math = next(p for p in PAGES if 'class="math' in (html_dir / p).read_text(errors="replace"))
    page = browser_context.new_page()
    missing, requested, n_off = [], [], len(browser_context.off_site)
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    page.on("response", lambda r: r.status >= 400 and not _is_favicon(r.url) and missing.append(r.url))
    try:
        page.goto(server + page_with_math, wait_until="load")
        result = page.evaluate("""async () => {
            await MathJax.startup.promise;
            const pool = MathJax.startup.document.menu.menu.pool;
            const n = document.querySelectorAll('mjx-container').length;
            const until = async (test) => { const t0 = Date.now();
                while (!test() && Date.now() - t0 < 30000) await new Promise(r => setTimeout(r, 100));
                return !!test(); };
            const loaded = (file) => performance.getEntriesByType('resource').some(e => e.name.includes(file));
            pool.lookup('explorer').setValue(true);
            const a11y = await until(() => loaded('a11y/explorer.js') && loaded('sre/mathmaps/en.json'));
            pool.lookup('renderer').setValue('SVG');
            const svg = await until(() => document.querySelectorAll('mjx-container[jax="SVG"]').length === n);
            const speech = await until(() => document.querySelector('mjx-container [data-semantic-speech]'));
            return {n, a11y, svg, speech};
        }""")
    finally:
        page.close()
    assert result == {"n": result["n"], "a11y": True, "svg": True, "speech": True} and result["n"] > 0, result
    lazy = {p.split("/_static/mathjax/", 1)[1] for p in requested if "/_static/mathjax/" in p}
    assert {"a11y/explorer.js", "sre/mathmaps/en.json", "output/svg.js"} <= lazy, sorted(lazy)
    assert not browser_context.off_site[n_off:]
    assert not missing
