"""Widgets of chapters 2 and 4: the pure functions, the static figures, the wrappers build."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dldna.conv import output_size
from dldna.widgets.output_size import output_size_widget, plot_output_size, window_positions
from dldna.widgets.receptive_field import (PRESETS, explore, plot_receptive_field,
                                           receptive_field_widget)


def test_window_positions_example():
    info = window_positions(7, 3, 2, 1)
    assert info["output"] == 4 and info["starts"] == [0, 2, 4, 6] and info["unused"] == 0
    assert info["formula"].endswith("= 4")
    info = window_positions(8, 3, 2, 0)
    assert info["output"] == 3 and info["unused"] == 1


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.integers(1, 9), st.integers(1, 5), st.integers(0, 4))
def test_windows_fit_and_cover(n, k, s, p):
    if k > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            window_positions(n, k, s, p)
        return
    info = window_positions(n, k, s, p)
    assert info["output"] == output_size(n, k, s, p) == len(info["starts"])
    assert info["starts"][-1] + k <= info["padded"]          # every window fits
    assert 0 <= info["unused"] < s                            # one more step would not fit


def test_explore_presets():
    info = explore(PRESETS["two 3×3 convs"], 9)
    assert info["output_size"] == 9 and info["position"] == (4, 4)
    assert info["rows"] == (2, 6) and info["table"][-1] == ("3/1", 1, 5)
    info = explore(PRESETS["LeNet-5 features"], 32)
    assert info["output_size"] == 5 and info["table"][-1][2] == 16
    with pytest.raises(ValueError, match="not 'kernel/stride'"):
        explore("3/x", 8)


def test_output_size_figure_draws_the_padded_row_and_every_window():
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig = plot_output_size(7, 3, 2, 1)
    ax = fig.axes[0]
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == 9                                          # 7 pixels + 2 padding
    assert [c.get_x() for c in cells if c.get_hatch()] == [0, 8]    # hatched: the padding
    windows = [line.get_xdata() for line in ax.lines]
    assert [round(x[0]) for x in windows] == [0, 2, 4, 6]           # one bar per output pixel
    assert all(round(x[1] - x[0] + 0.2) == 3 for x in windows)      # each k = 3 wide
    labels = [t.get_text() for t in ax.texts]
    assert [t for t in labels if t.startswith("out[")] == [f"out[{i}]" for i in range(4)]
    assert [t for t in labels if t.isdigit()] == [str(i) for i in range(7)]
    assert "= 4" in ax.get_title() and "hatched" in ax.get_title()
    assert "hatched" not in plot_output_size(7, 3, 2, 0).axes[0].get_title()
    plt.close("all")


def test_receptive_field_figure_has_input_output_and_table():
    fig = plot_receptive_field()
    assert len(fig.axes) == 3  # input, output, per-layer table


def _sliders(box):
    import ipywidgets as widgets

    found, todo = {}, [box]
    while todo:
        w = todo.pop()
        todo.extend(getattr(w, "children", ()))
        if isinstance(w, (widgets.IntSlider, widgets.Text, widgets.Dropdown)):
            found[w.description] = w
    return found


def test_output_size_widget_redraws_and_explains_impossible_settings(capsys):
    import matplotlib.pyplot as plt

    controls = _sliders(output_size_widget())
    assert {k: controls[k].value for k in ("input n", "kernel k", "stride s", "padding p")} \
        == {"input n": 7, "kernel k": 3, "stride s": 2, "padding p": 1}
    plt.close("all")
    controls["kernel k"].value = 5                                   # a new drawing
    assert "k=5" in plt.gcf().axes[0].get_title()
    controls["padding p"].value = 0
    controls["kernel k"].value = 9                                   # 9 > 7: no window fits
    assert "No output:" in capsys.readouterr().out


def test_receptive_field_widget_follows_presets_and_sizes():
    controls = _sliders(receptive_field_widget(PRESETS["two 3×3 convs"], input_size=9))
    assert controls["output row"].max == 8 and controls["output row"].value == 4
    controls["preset"].value = "LeNet-5 features"
    assert controls["layers"].value == PRESETS["LeNet-5 features"]
    controls["input size"].value = 32
    assert controls["output row"].max == 4                           # LeNet: 32 → 5 outputs


# ------------------------------------------------------------------ kernel editor (chapter 1)

def test_kernel_editor_figure_draws_sharpen_readably():
    import numpy as np

    from dldna.filters import display_limits
    from dldna.widgets.kernel_editor import kernel_editor_figure

    fig = kernel_editor_figure(kernel="sharpen")
    ax_k, ax_out = fig.axes[1], fig.axes[2]
    colours = {t.get_text(): t.get_color() for t in ax_k.texts}
    assert colours["5"] == "white" and colours["-1"] == "black"   # readable on every cell
    shown = ax_out.images[0]
    data = np.asarray(shown.get_array())
    assert shown.get_cmap().name == "gray"                        # sums to 1: not signed
    assert shown.get_clim() == display_limits(data, signed=False)  # robust, not min–max
    assert data.min() < shown.get_clim()[0] and "percentile" in ax_out.get_xlabel()


def test_kernel_editor_starts_from_a_meaningful_state(monkeypatch):
    import numpy as np

    from dldna.widgets import kernel_editor as module

    drawn = []
    real = module.kernel_editor_figure
    monkeypatch.setattr(module, "kernel_editor_figure",
                        lambda image, kernel: drawn.append(kernel) or real(image, kernel))
    box = module.kernel_editor(kernel="sharpen")
    cells = box.children[0].children[0].children[1].children
    assert [c.value for c in cells] == [0, -1, 0, -1, 5, -1, 0, -1, 0]
    assert len(drawn) == 1 and np.array_equal(drawn[0], module.KERNELS["sharpen"])
    cells[4].value = 9.0                                           # editing a cell redraws
    assert len(drawn) == 2 and drawn[1][1, 1] == 9
