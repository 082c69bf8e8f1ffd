"""Live explorers that read completely without a kernel.

An :class:`Explorer` displays as an ipywidgets panel (controls + a figure that
redraws) in a live Jupyter kernel, and carries in the same output a PNG of the
figure at the controls' initial values, which are the paper's settings. The
static site is configured (``nb_mime_priority_overrides`` in ``_config.yml``)
to drop the widget view, so a reader of the website sees that PNG in the
widget's place and never an empty widget area.
"""
import base64
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display


def _png_base64(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


class Explorer:
    """``draw(fig, **values)`` redrawn whenever one of ``controls`` changes.

    ``controls`` maps each keyword of ``draw`` to an ipywidgets control; the
    controls' initial values are the settings of the static figure.
    """

    def __init__(self, draw, controls, figsize=(9, 3.5)):
        unknown = [k for k, w in controls.items() if not isinstance(w, widgets.ValueWidget)]
        if unknown:
            raise ValueError(f"controls must be ipywidgets value widgets, not for {unknown}")
        self.draw, self.controls, self.figsize = draw, dict(controls), figsize

    @property
    def defaults(self):
        return {name: w.value for name, w in self.controls.items()}

    def figure(self, **values):
        """A new figure drawn at the defaults, overridden by ``values``."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(self.controls)}")
        fig = plt.figure(figsize=self.figsize, layout="constrained")
        self.draw(fig, **{**self.defaults, **values})
        return fig

    def _show(self, **values):
        fig = self.figure(**values)
        display(fig)
        plt.close(fig)

    def widget(self):
        """The live panel: a row of controls above the redrawn figure."""
        out = widgets.interactive_output(self._show, self.controls)
        row = widgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"})
        return widgets.VBox([row, out])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        fig = self.figure()
        bundle["image/png"] = _png_base64(fig)
        plt.close(fig)
        return bundle


def log_slider(description, value, lo, hi, step=0.05, fmt=".3g"):
    """A slider over ``10**lo .. 10**hi`` (learning rates, confidences)."""
    return widgets.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=step,
                                  description=description, readout_format=fmt,
                                  continuous_update=False)


def slider(description, value, lo, hi, step):
    """A linear slider that redraws on release, not on every pixel."""
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step,
                               description=description, continuous_update=False)
