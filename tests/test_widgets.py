"""Explorers: a live widget and a static PNG at the paper's settings in one output."""
import base64

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from ghostbook import plots, widgets  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def make_explorer(calls):
    def draw(fig, r, c):
        calls.append((r, c))
        plots.flow(fig.subplots(), r)

    return widgets.Explorer(draw, {"r": widgets.slider("r", 0.25, -1, 1, 0.05),
                                   "c": widgets.log_slider("c", 10.0, -2, 2)})


def test_bundle_carries_widget_and_png_at_defaults():
    calls = []
    bundle = make_explorer(calls)._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert (0.25, 10.0) in calls  # the static figure is drawn at the controls' initial values


def test_figure_overrides_and_rejects_unknown_settings():
    calls = []
    explorer = make_explorer(calls)
    explorer.figure(r=-0.5)
    assert calls[-1] == (-0.5, 10.0)
    with pytest.raises(ValueError, match="lr"):
        explorer.figure(lr=1e-3)


def test_controls_must_be_value_widgets():
    with pytest.raises(ValueError, match=r"controls .*\['r'\]"):
        widgets.Explorer(lambda fig, r: None, {"r": 0.5})
