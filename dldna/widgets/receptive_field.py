"""Receptive-field explorer: pick layers (kernel/stride) and an output pixel, see the input
region it depends on. :func:`explore` is pure and tested, :func:`plot_receptive_field` draws it
(the static figure) and :func:`receptive_field_widget` adds a text box and sliders."""
from __future__ import annotations

from ..measure.receptive_field import (parse_layers, receptive_field_region, receptive_field_table,
                               stack_output_size)

PRESETS = {
    "two 3×3 convs": "3/1p1, 3/1p1",
    "VGG block + pool ×2": "3/1p1, 3/1p1, 2/2, 3/1p1, 3/1p1, 2/2",
    "LeNet-5 features": "5/1, 2/2, 5/1, 2/2",
    "ResNet stem": "7/2p3, 3/2p1",
}


def explore(layers, input_size: int = 32, row: int | None = None, col: int | None = None) -> dict:
    """Output size, per-layer (jump, field) table and the input box of output (row, col).

    ``layers`` is text like ``"3/1, 2/2"`` or a list of layers; the default position is the
    centre of the output.

    Args:
        layers: text such as ``"3/1p1, 2/2"`` (kernel/stride, optional padding) or a list
            of layers.
        input_size: the input's side in pixels.
        row: output row of the pixel (``None``: the centre).
        col: output column of the pixel (``None``: the centre).
    """
    layers = parse_layers(layers) if isinstance(layers, str) else layers
    out = stack_output_size(layers, input_size)
    row = out // 2 if row is None else row
    col = out // 2 if col is None else col
    return {
        "layers": layers,
        "output_size": out,
        "position": (row, col),
        "rows": receptive_field_region(layers, row, input_size),
        "cols": receptive_field_region(layers, col, input_size),
        "table": [(f"{s.layer.kernel}/{s.layer.stride}", s.jump, s.size)
                  for s in receptive_field_table(layers)],
    }


def plot_receptive_field(layers="3/1p1, 3/1p1, 2/2, 3/1p1", input_size: int = 24,
                         row: int | None = None, col: int | None = None):
    """Three panels: the input with the field of one output pixel, the output grid with that
    pixel, and the per-layer table (jump and field) that the field comes from.

    Args:
        layers: text such as ``"3/1p1, 2/2"`` or a list of layers, as for :func:`explore`.
        input_size: the input's side in pixels.
        row: output row of the pixel (``None``: the centre).
        col: output column of the pixel (``None``: the centre).

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Rectangle

    info = explore(layers, input_size, row, col)
    (r0, r1), (c0, c1) = info["rows"], info["cols"]
    field = info["table"][-1][2]
    n_layers = len(info["table"])
    # The table panel needs one text line per layer; the figure grows with it, never overlaps.
    height = max(3.2, 1.3 + 0.2 * (n_layers + 2))
    fig, (ax_in, ax_out, ax_text) = plt.subplots(
        1, 3, figsize=(7, height), gridspec_kw={"width_ratios": [1, 1, 0.8]})
    grid = np.zeros((input_size, input_size))
    grid[r0:r1 + 1, c0:c1 + 1] = 1
    ax_in.imshow(grid, cmap="Blues", vmin=0, vmax=1.4)
    ax_in.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0 + 1, r1 - r0 + 1, fill=False,
                              edgecolor="tab:red", lw=2, zorder=3))
    seen = f"{r1 - r0 + 1}×{c1 - c0 + 1}"
    clipped = (r1 - r0 + 1, c1 - c0 + 1) != (field, field)
    ax_in.set_title(f"input {input_size}×{input_size}: rows {r0}–{r1}, cols {c0}–{c1}\n"
                    + (f"{seen} pixels (the {field}×{field} field, cut at the border)" if clipped
                       else f"the {seen} pixels that reach the output pixel"), fontsize=10)
    out = info["output_size"]
    marker = np.zeros((out, out))
    marker[info["position"]] = 1
    ax_out.imshow(marker, cmap="Reds", vmin=0, vmax=1.2)
    ax_out.set_title(f"output {out}×{out}\npixel (row, col) = {info['position']}", fontsize=10)
    for ax, n in ((ax_in, input_size), (ax_out, out)):
        ax.set_xticks([]), ax.set_yticks([])
        ax.spines[:].set_visible(True)  # the image border, all four sides
        if n <= 32:  # pixel grid where the pixels are large enough to see it
            ax.set_xticks(np.arange(n + 1) - 0.5, minor=True)
            ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
            ax.grid(which="minor", color="white", lw=0.5)
            ax.tick_params(which="minor", length=0)
    lines = [f"{'layer':<6}{'k/s':>5}{'jump':>6}{'field':>7}"]
    lines += [f"{i + 1:<6}{ks:>5}{j:>6}{r:>7}" for i, (ks, j, r) in enumerate(info["table"])]
    ax_text.axis("off")
    ax_text.text(0, 1, "\n".join(lines), family="monospace", fontsize=10, va="top",
                 transform=ax_text.transAxes, linespacing=1.35)
    ax_text.set_title("per layer (from the input)", fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def receptive_field_widget(layers: str = PRESETS["VGG block + pool ×2"], input_size: int = 32):
    """Text box for the layers ("kernel/stride[p padding]", comma-separated), preset menu,
    and sliders for the output pixel. ipywidgets 7.7 and 8 API only.

    Args:
        layers: the starting text for the layers box.
        input_size: the input's side in pixels.

    Returns:
        The ``ipywidgets`` box.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    text = widgets.Text(value=layers, description="layers")
    # The menu names the starting stack when it is one of the presets.
    preset = widgets.Dropdown(options=list(PRESETS), description="preset",
                              value=next((k for k, v in PRESETS.items() if v == layers), None))
    size = widgets.IntSlider(value=input_size, min=4, max=64, description="input size")
    out_size = stack_output_size(parse_layers(layers), input_size)
    row = widgets.IntSlider(value=out_size // 2, min=0, max=out_size - 1, description="output row")
    col = widgets.IntSlider(value=out_size // 2, min=0, max=out_size - 1, description="output col")

    def use_preset(change):
        if change["new"]:
            text.value = PRESETS[change["new"]]

    preset.observe(use_preset, names="value")

    def draw(layers, input_size, row_value, col_value):
        try:
            out = stack_output_size(parse_layers(layers), input_size)
            row.max = col.max = out - 1
            plot_receptive_field(layers, input_size, min(row_value, out - 1),
                                 min(col_value, out - 1))
            plt.show()
        except (ValueError, TypeError) as err:
            print(f"Cannot draw: {err}")

    out = widgets.interactive_output(draw, {"layers": text, "input_size": size,
                                            "row_value": row, "col_value": col})
    box = widgets.VBox([widgets.HBox([text, preset]), size, widgets.HBox([row, col]), out])
    return box
