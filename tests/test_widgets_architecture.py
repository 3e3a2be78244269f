"""Architecture explorer: the pure table, the figure, the widget's construction."""
from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from dldna.widgets.architecture import (architecture_table, architecture_widget,  # noqa: E402
                                        plot_architecture)


def test_table_for_vgg16_and_small_models():
    table = architecture_table("vgg16")
    assert table.attrs["total_params"] == 138_357_544 and table.attrs["input"] == "3×224×224"
    assert list(table["type"]).count("Conv2d") == 13 and list(table["type"]).count("Linear") == 3
    lenet = architecture_table("lenet5")
    assert lenet.attrs["input"] == "1×32×32" and lenet.attrs["total_params"] == 61_706
    assert architecture_table("alexnet", 64).attrs["input"] == "3×64×64"
    with pytest.raises(ValueError, match="unknown model"):
        architecture_table("vgg17")
    with pytest.raises(ValueError, match="image_size"):
        architecture_table("vgg16", 0)


def test_figure_and_widget():
    import matplotlib.pyplot as plt

    fig = plot_architecture("googlenet")
    assert len(fig.axes) == 2 and "googlenet" in fig.axes[0].get_title()
    plt.close(fig)
    box = architecture_widget("alexnet")
    assert box.children[0].children[0].value == "alexnet"
