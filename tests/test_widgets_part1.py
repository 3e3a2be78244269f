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


def test_static_figures_and_widgets_build():
    assert plot_output_size(7, 3, 2, 1) is not None
    fig = plot_receptive_field()
    assert len(fig.axes) == 3  # input, output, per-layer table
    pytest.importorskip("ipywidgets")
    box = output_size_widget()
    assert len(box.children) == 3
    box = receptive_field_widget()
    assert len(box.children) == 4


# ------------------------------------------------------------------ kernel editor (chapter 1)

def test_kernel_editor_figure_draws_sharpen_readably():
    import numpy as np

    from dldna.filter_utils import display_limits
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
    pytest.importorskip("ipywidgets")
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
