"""Pages that run without JavaScript errors and fit a phone screen.

Fixes for what Jupyter Book 1's theme stack and the chapters' outputs put into
every page (each one is checked by tests/test_site.py in a real browser):

* sphinx-thebe adds its inline configuration script (``const THEBE_JS_URL = ...``)
  twice, once with filename ``None`` and once with ``''``, so Sphinx's own
  de-duplication misses it; the second ``const`` declaration throws
  "Identifier 'THEBE_JS_URL' has already been declared" on every page.  Repeated
  scripts are dropped from each page's script list.
* pydata-sphinx-theme logs "Got invalid theme mode" as a console error on a first
  visit when the template variable ``default_mode`` is empty; the theme's own
  fallback, ``auto`` (follow the reader's system setting), is set explicitly
  through ``html_context``.
* matplotlib's ``to_jshtml`` players have a fixed-width slider (and frames as wide
  as the figure), wider than a phone's content column: ``page_fixes.css`` lets
  them shrink to the column, so the page never scrolls sideways.

Registered in ``_config.yml`` under ``sphinx: local_extensions:``.
"""
from pathlib import Path

STATIC = Path(__file__).with_name("static")


def _key(script):
    attributes = tuple(sorted((k, str(v)) for k, v in script.attributes.items()))
    return (script.filename or "", attributes)


def unique_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # Sphinx restores the list after each page


def configure(app, config):
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")
    config.html_context = context
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app):
    app.connect("config-inited", configure)
    app.add_css_file("page_fixes.css")
    # late: after other extensions added their page-specific scripts (MathJax ...)
    app.connect("html-page-context", unique_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
