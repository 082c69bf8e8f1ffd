"""Serve MathJax from the site itself, so the book works offline.

Sphinx's default ``mathjax_path`` points at a CDN.  This extension takes MathJax 3
from the PyPI package ``django-static-mathjax`` (import name ``mathjax``; it has no
Django dependency and ships MathJax's ``es5/`` build as plain files), copies the
part of ``es5/`` a page can ever ask for into ``_static/mathjax/`` of the HTML
build, and points ``mathjax_path`` at it.  MathJax loads everything else it needs
(fonts, autoloaded TeX extensions, the menu's lazily loaded accessibility and
renderer components) relative to the script's own address, so no request of a
page leaves the site.

Registered in ``_config.yml`` under ``sphinx: local_extensions:``.
"""
import shutil
from importlib import metadata, resources
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: the combined component a page loads (TeX and MathML input, CommonHTML output, menu)
COMPONENT = "tex-mml-chtml.js"
#: what that component (or a reader using its menu) may load later, relative to es5/:
#: TeX extensions (autoload, \require), the other inputs, both outputs with their fonts
#: (the menu can switch the renderer to SVG), the menu itself, the accessibility
#: components and the speech rule engine with its locale maps.
#: Left out: the other combined components, node-main.js, the node adaptors and
#: latest.js (which asks a CDN for the newest version).
LAZY = ["input", "output", "ui", "a11y", "sre"]
#: where it goes inside the built _static folder; mathjax_path is relative to _static
TARGET = "mathjax"


def mathjax_es5():
    """The es5/ folder of the installed MathJax distribution."""
    try:
        root = resources.files("mathjax") / "static" / "mathjax" / "es5"
    except ModuleNotFoundError:
        root = None
    if root is None or not (Path(str(root)) / COMPONENT).is_file():
        raise ExtensionError(
            "local_mathjax: MathJax is not installed; the book serves it from the site. "
            "Install the book's requirements: pip install -e '.[book]' "
            "(it brings the PyPI package django-static-mathjax)")
    return Path(str(root))


def _copy_if_changed(src: Path, dst: Path):
    """Copy src to dst unless dst already has the same size and modification time."""
    try:
        s, d = src.stat(), dst.stat()
        if s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime):
            return 0
    except FileNotFoundError:
        pass
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    return 1


def copy_mathjax(app, exception):
    """After an HTML build, put MathJax into <outdir>/_static/mathjax/."""
    if app.builder.format != "html":
        return
    es5 = mathjax_es5()
    out = Path(app.outdir) / "_static" / TARGET
    files = [es5 / COMPONENT] + [p for d in LAZY for p in sorted((es5 / d).rglob("*")) if p.is_file()]
    copied = sum(_copy_if_changed(p, out / p.relative_to(es5)) for p in files)
    logger.info("local_mathjax: MathJax %s in _static/%s (%d files, %d copied)",
                _version(), TARGET, len(files), copied)


def _version():
    try:
        return metadata.version("django-static-mathjax")
    except metadata.PackageNotFoundError:  # pragma: no cover - another packaging of the same files
        return "3"


def set_mathjax_path(app, config):
    mathjax_es5()  # fail early, before any notebook executes, when MathJax is missing
    config.mathjax_path = f"{TARGET}/{COMPONENT}"


def setup(app):
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", set_mathjax_path)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
