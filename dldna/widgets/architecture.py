"""Architecture explorer: pick a registry model, see where its parameters and its arithmetic sit.

:func:`architecture_table` is pure and tested (per-layer table, counted on the ``meta`` device, so
even VGG-19 costs nothing to inspect); :func:`plot_architecture` draws bars of parameters and
multiply-adds per layer (the static figure); :func:`architecture_widget` adds a model menu and an
image-size menu (ipywidgets API common to 7.7 and 8).
"""
from __future__ import annotations

import inspect

import torch

from ..measure.architectures import layer_costs
from ..models import create, get_entry

#: Input (channels, side) of the models built for small images; every other model gets 3×224².
SMALL_INPUTS = {"lenet5": (1, 32), "googlenet_mini": (1, 28)}


def architecture_table(name: str, image_size: int | None = None, **kwargs):
    """Per-layer output shape, parameters, MACs and activation memory of the layers that have
    parameters or do arithmetic (convolutions, linear layers, normalisations), in forward order.

    Args:
        name: registry name of the model.
        image_size: side of the square input; ``None`` tries the usual sizes until one fits.
        **kwargs: passed to the model factory (``in_channels`` …).

    Returns:
        A DataFrame from :func:`dldna.measure.architectures.layer_costs`; its ``attrs`` hold the model
        name, the input shape and the totals.
    """
    entry = get_entry(name)  # a ValueError listing the known models for an unknown name
    if image_size is not None and (not isinstance(image_size, int)
                                   or isinstance(image_size, bool) or image_size < 1):
        raise ValueError(f"image_size must be a positive int, got {image_size!r}")
    default = inspect.signature(entry.factory).parameters.get("in_channels")
    channels = kwargs.get("in_channels", default.default if default else 3)
    channels, first = SMALL_INPUTS.get(name, (channels, 224))
    # Without an image size, try the usual sizes until the model accepts one.
    sides = [image_size] if image_size is not None else [first, 224, 32, 28, 8]
    for side in dict.fromkeys(sides):
        with torch.device("meta"):
            model = create(name, **kwargs)
        try:
            table = layer_costs(model, (1, channels, side, side), meta=True)
            break
        except (ValueError, RuntimeError):
            if side == sides[-1]:
                raise
    total = table.loc["total"]
    layers = table.drop(index="total")
    layers = layers[(layers["params"] > 0) | (layers["MACs"] > 0)]
    layers.attrs.update(model=name, input=f"{channels}×{side}×{side}",
                        total_params=int(total["params"]), total_macs=int(total["MACs"]),
                        total_activation_mb=float(total["activation MB"]))
    return layers


def plot_architecture(name: str = "vgg16", image_size: int | None = None, **kwargs):
    """Two bar charts, one bar per layer in forward order: parameters (top) and multiply-adds
    (bottom), with each model's totals in the titles.

    Args:
        name: registry name of the model.
        image_size: side of the square input; ``None`` picks one the model accepts.
        **kwargs: passed to the model factory.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    table = architecture_table(name, image_size, **kwargs)
    info = table.attrs
    fig, (ax_p, ax_m) = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True, layout="constrained")
    x = range(len(table))
    colours = ["tab:orange" if t == "Linear" else "tab:blue" for t in table["type"]]
    ax_p.bar(x, table["params"] / 1e6, color=colours, width=0.8)
    ax_m.bar(x, table["MACs"] / 1e6, color=colours, width=0.8)
    ax_p.set_ylabel("parameters (M)")
    ax_m.set_ylabel("multiply-adds (M)")
    ax_p.set_title(f"{name} at {info['input']}: {info['total_params'] / 1e6:,.2f} M parameters "
                   f"(orange: fully connected)", fontsize=10)
    ax_m.set_title(f"{info['total_macs'] / 1e9:,.2f} G multiply-adds per image", fontsize=10)
    step = max(1, len(table) // 12)
    ax_m.set_xticks(list(x)[::step], [str(i + 1) for i in list(x)[::step]])
    ax_m.set_xlabel("layer (in forward order, layers with parameters or arithmetic)")
    return fig


def architecture_widget(name: str = "vgg16", image_size: int = 224):
    """Model menu (every registry model) and image-size menu; shows the figure and the table's
    first rows. ipywidgets 7.7 and 8 API only.

    Args:
        name: the model selected at first.
        image_size: the image side selected at first: 28, 32, 64, 128 or 224.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from ..models import list_models

    model = widgets.Dropdown(options=list_models(), value=name, description="model")
    size = widgets.Dropdown(options=[28, 32, 64, 128, 224], value=image_size,
                            description="image side")

    def draw(name, side):
        try:
            side = SMALL_INPUTS[name][1] if name in SMALL_INPUTS else side
            plot_architecture(name, side)
            plt.show()
            table = architecture_table(name, side)
            rows = table[["type", "output", "params", "MACs", "activation MB"]].head(12)
            display(rows.style.format({"params": "{:,}", "MACs": "{:,}",
                                       "activation MB": "{:.2f}"}))
        except (ValueError, TypeError, RuntimeError) as err:
            print(f"Cannot draw {name} at {side}×{side}: {err}")

    out = widgets.interactive_output(draw, {"name": model, "side": size})
    return widgets.VBox([widgets.HBox([model, size]), out])
