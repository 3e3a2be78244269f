"""Scaling explorer: the pure point/figure functions and the widget's construction."""
from __future__ import annotations

import pytest

from dldna.widgets.scaling import scaling_explorer, scaling_figure, scaling_point


def test_scaling_point_at_zero_is_b0_and_grows_about_two_fold_per_step():
    b0, one = scaling_point(0), scaling_point(1)
    assert b0["params"] == 5_288_548 and b0["size"] == 224
    assert (one["depth"], one["width"], one["resolution"]) == pytest.approx((1.2, 1.1, 1.15))
    assert 1.5 < one["macs"] / b0["macs"] < 2.6  # rounding of depth and width moves it off 2
    with pytest.raises(ValueError, match="phi"):
        scaling_point(8)


def test_figure_and_widget_build():
    fig = scaling_figure(1.0, released={0: (5_288_548, 385_814_752)})
    assert len(fig.axes) == 2 and "φ = 1" in fig.axes[0].get_title()
    box = scaling_explorer(1.0)  # the same φ as the figure: computed once (cached)
    assert box.children[0].value == 1.0
    with pytest.raises(ValueError, match="phi"):
        scaling_explorer(-1)
