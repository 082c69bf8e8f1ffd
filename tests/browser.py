"""What the browser tests share (``test_site.py``: the website; ``test_live.py``: the
chapters in a live JupyterLab): finding Chromium, skipping or failing without it, and
one headless Chromium context whose requests to other hosts are cut off."""
import contextlib
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
INSTALL_HINT = ("install Debian's Chromium with `apt-get install chromium` (or set "
                "GHOSTBOOK_CHROMIUM to a Chromium/Chrome executable) and Playwright with "
                "`pip install -e '.[test]'`")
# Debian's Chromium as root in a container with no network beyond the package registries:
# no sandbox, no GPU, and none of Chromium's own background connections.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
DESKTOP = {"width": 1280, "height": 800}


def chromium():
    """The Chromium (or Chrome) executable, or None."""
    exe = os.environ.get("GHOSTBOOK_CHROMIUM")
    if exe:
        return exe if Path(exe).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def unavailable(why, hint=INSTALL_HINT):
    """Skip (fail under CI=true) a test whose browser or tools are missing."""
    message = f"browser tests need {why}: {hint}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing browser is a failure, not a skip)")
    pytest.skip(message)


@contextlib.contextmanager
def launch():
    """One headless Chromium (skips, or fails under CI=true, without it or Playwright).
    Playwright's sync API allows one of these per process at a time: the tests share
    the session's (the ``chromium`` fixture of ``conftest.py``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright")
    exe = chromium()
    if exe is None:
        unavailable("Chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def offline_context(browser, viewport=DESKTOP, timeout_ms=30_000):
    """A context of ``browser`` in which every request to a host other than localhost
    is aborted and recorded in ``context.off_site``."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(timeout_ms)
    off_site = []

    def cut_off(route):
        url = route.request.url
        scheme = urlsplit(url).scheme
        if scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOCAL_HOSTS:
            off_site.append(url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route("**/*", cut_off)
    context.off_site = off_site
    try:
        yield context
    finally:
        context.close()
