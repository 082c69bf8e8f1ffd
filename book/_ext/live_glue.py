"""Read the chapters' live-readable glue on the website (see ``ghostbook/prose.py``).

The chapters write computed values as ``{eval}`glued("key:fmt")``` and place glued
figures with a ``{figure}`` directive that has no image, only ``:name: key`` and a
caption, because those are the forms ``jupyterlab-myst`` renders in a live
JupyterLab.  On the website there is no kernel to evaluate ``{eval}`` (the book
executes its notebooks through the cache), so this extension reads them as myst-nb's
glue:

- ``{eval}`glued("spec")``` is ``{glue:text}`spec```, and
  ``{eval}`glued("key", md=True)``` is ``{glue:md}`key```; any other ``{eval}`` is a
  build warning (an error under ``-W``), since the website could not show it;
- ``{figure}`` without an argument is ``{glue:figure}`` of the figure glued under its
  ``:name:``; with an argument (an image file) it is Sphinx's ``{figure}``.

Registered in ``_config.yml`` under ``sphinx: local_extensions:``; the roles and
directive are installed when the builder starts, after myst-nb registered its own.
"""
import ast

from docutils import nodes
from myst_nb.ext.glue.directives import PasteFigureDirective
from myst_nb.ext.glue.roles import PasteMarkdownRole, PasteTextRole
from sphinx.directives.patches import Figure
from sphinx.util import logging

logger = logging.getLogger(__name__)


def parse_glued(expression):
    """``(spec, md)`` of an expression ``glued("spec")`` or ``glued("spec", md=True)``;
    ``ValueError`` for anything else."""
    try:
        call = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as err:
        raise ValueError(f"not a Python expression: {expression!r}") from err
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == "glued" and len(call.args) == 1
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
            and all(k.arg == "md" and isinstance(k.value, ast.Constant) for k in call.keywords)):
        raise ValueError(f"the website reads only glued(\"key:fmt\") or glued(\"key\", md=True), "
                         f"got {expression!r}")
    md = any(bool(k.value.value) for k in call.keywords)
    return call.args[0].value, md


class GluedRole:
    """``{eval}`glued(...)``` read as ``{glue:text}`` or ``{glue:md}``."""

    def __call__(self, name, rawtext, text, lineno, inliner, options=None, content=()):
        try:
            spec, md = parse_glued(text)
        except ValueError as err:
            message = inliner.reporter.warning(str(err), line=lineno)
            return [nodes.problematic(rawtext, rawtext)], [message]
        role = PasteMarkdownRole() if md else PasteTextRole()
        return role(name, rawtext, spec, lineno, inliner, options, content)


class GluedFigure(Figure):
    """Sphinx's ``{figure}``; without an image, the figure glued under ``:name:``."""

    required_arguments = 0
    optional_arguments = 1
    option_spec = {**Figure.option_spec, **PasteFigureDirective.option_spec}

    def run(self):
        if self.arguments:
            return super().run()
        if "name" not in self.options:
            return [self.state.document.reporter.warning(
                "a {figure} without an image needs :name: (the key of a glued figure)",
                line=self.lineno)]
        glued = PasteFigureDirective(
            self.name, [self.options["name"]], dict(self.options), self.content,
            self.lineno, self.content_offset, self.block_text, self.state,
            self.state_machine)
        return glued.run()


def install(app):
    app.add_role("eval", GluedRole(), override=True)
    app.add_directive("figure", GluedFigure, override=True)


def setup(app):
    app.connect("builder-inited", install)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
