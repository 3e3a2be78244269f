"""Schematic drawings of convolution and pooling, drawn by code (chapters 2 and 4).

In the style of the CS231n notes: tensors are boxes (channels run into the page),
a convolution's window is a sub-box of the input that spans all its channels, each
filter is a small box of the same depth, and each output position of one filter is
one cell of the output volume. Every size on a drawing is computed with
:func:`dldna.conv.output_size`, so the pictures cannot disagree with the
layers they explain.

* :func:`draw_volume` – one C × H × W box on a matplotlib axes (the building block);
* :func:`conv_volume_figure` – input volume, window, filters and output volume;
* :func:`pooling_figure` – max pooling on one channel, numbers included, beside
  the volume view (the depth is unchanged);
* :func:`groups_figure` – which input channels each output channel reads, for
  several values of ``groups`` (dense, AlexNet's two halves, depthwise).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon, Rectangle

from ..conv.options import output_size

FIGURE_WIDTH = 7.0               # inches: the book's content column
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860",
           "#DA8BC3", "#8C8C8C")


def _positive(value, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _depth_vector(depth_scale: float) -> np.ndarray:
    return np.array([0.55, 0.4]) * depth_scale


def draw_volume(ax, origin, shape, *, depth_scale: float = 0.5, scale: float = 1.0,
                colour="#c9d7ea", edge="#33415c", grid: bool = True,
                alpha: float = 1.0, label: str | None = None,
                fontsize: float = 10) -> dict:
    """Draw a C × H × W box whose front face has its lower-left corner at ``origin``.

    One pixel is ``scale`` units; each channel moves the back face by
    ``depth_scale`` units up and to the right. ``grid`` draws the pixel grid on the
    front face. Returns the corners: ``front`` (x0, y0, x1, y1), ``depth`` (dx, dy).

    Args:
        ax: the matplotlib axes to draw on.
        origin: ``(x, y)`` of the front face's lower-left corner.
        shape: ``(C, H, W)``, each ≥ 1.
        depth_scale: depth drawn per channel, in units.
        scale: size of one pixel, in units.
        colour: fill colour of the front face (the others are shaded darker).
        edge: colour of the outline and the grid.
        grid: draw the pixel grid on the front face.
        alpha: opacity of the faces, in [0, 1].
        label: text written below the box (``None``: none).
        fontsize: size of the label in points.
    """
    c, h, w = (_positive(v, name) for v, name in zip(shape, ("C", "H", "W")))
    x0, y0 = origin
    dx, dy = _depth_vector(depth_scale) * c
    h, w = h * scale, w * scale
    front = [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)]
    top = [(x0, y0 + h), (x0 + w, y0 + h), (x0 + w + dx, y0 + h + dy),
           (x0 + dx, y0 + h + dy)]
    side = [(x0 + w, y0), (x0 + w + dx, y0 + dy), (x0 + w + dx, y0 + h + dy),
            (x0 + w, y0 + h)]
    for face, shade in ((side, 0.75), (top, 0.88), (front, 1.0)):
        rgb = np.array(plt.matplotlib.colors.to_rgb(colour)) * shade
        ax.add_patch(Polygon(face, closed=True, facecolor=rgb, edgecolor=edge,
                             lw=1.0, alpha=alpha))
    if grid and scale == 1 and max(h, w) <= 16:
        h, w = int(h), int(w)
        for i in range(1, h):
            ax.plot([x0, x0 + w], [y0 + i, y0 + i], color=edge, lw=0.4, alpha=0.6)
        for j in range(1, w):
            ax.plot([x0 + j, x0 + j], [y0, y0 + h], color=edge, lw=0.4, alpha=0.6)
    if label:
        ax.text(x0 + (w + dx) / 2, y0 - 0.8, label, ha="center", va="top",
                fontsize=fontsize)
    return {"front": (x0, y0, x0 + w, y0 + h), "depth": (dx, dy)}


def conv_volume_figure(in_channels: int = 3, size=(7, 7), kernel_size: int = 3,
                       out_channels: int = 2, stride: int = 2, padding: int = 1,
                       position=(1, 1)):
    """A multi-channel convolution as volumes: the input (with its zero padding
    dashed), the window of one output position spanning every input channel, the
    ``out_channels`` filters of C_in × k × k weights, and the output volume, where
    that position is one cell per filter.

    Args:
        in_channels: channels of the input.
        size: ``(H, W)`` of the input.
        kernel_size: side k of the square kernel.
        out_channels: number of filters.
        stride: step between windows.
        padding: zero padding on each side, ≥ 0.
        position: ``(row, col)`` of the output position whose window is drawn.

    Returns:
        The matplotlib figure.
    """
    c_in, c_out = _positive(in_channels, "in_channels"), _positive(out_channels,
                                                                   "out_channels")
    h, w = (_positive(v, "size") for v in size)
    k, s = _positive(kernel_size, "kernel_size"), _positive(stride, "stride")
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an int ≥ 0, got {padding!r}")
    h_out, w_out = output_size(h, k, s, padding), output_size(w, k, s, padding)
    i, j = position
    if not (0 <= i < h_out and 0 <= j < w_out):
        raise ValueError(f"position must lie in the {h_out}×{w_out} output, got {position}")
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.3), layout="constrained")
    ax.set_aspect("equal")
    ax.axis("off")
    p = padding
    if p:    # the padded border, dashed
        ax.add_patch(Rectangle((-p, -p), w + 2 * p, h + 2 * p, fill=False, ls="--",
                               lw=0.8, color="#777777"))
    inp = draw_volume(ax, (0, 0), (c_in, h, w), label=f"input {c_in}×{h}×{w}"
                      + (f"\n(padding {p})" if p else ""))
    win = draw_volume(ax, (j * s - p, h - (i * s - p) - k), (c_in, k, k),
                      colour=COLOURS[1], alpha=0.55, grid=False)
    kx = w + 3.5 + _depth_vector(0.5)[0] * c_in
    filters = []
    for f in range(c_out):
        filters.append(draw_volume(ax, (kx, h - k - f * (k + 1.5)), (c_in, k, k),
                                   colour=COLOURS[1] if f == 0 else "#e8e8e8"))
    ax.text(kx + k / 2, filters[-1]["front"][1] - 0.8,
            f"{c_out} filters\neach {c_in}×{k}×{k}", ha="center", va="top", fontsize=10)
    ox = kx + k + 3.5 + _depth_vector(0.5)[0] * c_in
    out = draw_volume(ax, (ox, 0), (c_out, h_out, w_out),
                      label=f"output {c_out}×{h_out}×{w_out}", colour="#d5e8d4")
    cell = (ox + j, h_out - i - 1)
    ax.add_patch(Rectangle(cell, 1, 1, color=COLOURS[1]))
    # lines: window → first filter → its output cell
    wx0, wy0, wx1, wy1 = win["front"]
    fx0, fy0, fx1, fy1 = filters[0]["front"]
    for a, b in (((wx1, wy1), (fx0, fy1)), ((wx1, wy0), (fx0, fy0)),
                 ((fx1, (fy0 + fy1) / 2), (cell[0], cell[1] + 0.5))):
        ax.annotate("", b, a, arrowprops={"arrowstyle": "-", "color": COLOURS[1],
                                          "lw": 1.0})
    ax.set_title(f"one output position ({i}, {j}): a {c_in}×{k}×{k} window times each "
                 f"filter → {c_out} numbers", fontsize=10)
    ax.autoscale_view()
    ax.margins(0.02)
    return fig


def _window_cells(n_out: int, k: int, s: int) -> list[range]:
    return [range(o * s, o * s + k) for o in range(n_out)]


def pooling_figure(values, kernel_size: int = 2, stride: int | None = None,
                   volume=(64, 224, 224)):
    """Max pooling of one channel with its numbers (left; each window and its
    maximum share a colour), beside the same pooling of a whole C × H × W
    ``volume`` (right): each channel is pooled on its own, so the depth is
    unchanged. Returns the figure and the pooled numbers.

    Args:
        values: the H × W numbers of one channel.
        kernel_size: side of the square window.
        stride: step between windows (``None``: the kernel size).
        volume: ``(C, H, W)`` of the volume drawn on the right.
    """
    values = np.asarray(values)
    if values.ndim != 2 or min(values.shape) < 1:
        raise ValueError(f"values must be a 2-D array (H, W), got shape {values.shape}")
    k = _positive(kernel_size, "kernel_size")
    s = k if stride is None else _positive(stride, "stride")
    h, w = values.shape
    h_out, w_out = output_size(h, k, s), output_size(w, k, s)
    pooled = np.array([[values[r.start:r.stop, c.start:c.stop].max()
                        for c in _window_cells(w_out, k, s)]
                       for r in _window_cells(h_out, k, s)])
    fig, (ax, vol) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, 2.9), layout="constrained",
                                  gridspec_kw={"width_ratios": [1.5, 1]})
    for a in (ax, vol):
        a.set_aspect("equal")
        a.axis("off")
    for (oi, rows), (oj, cols) in ((r, c) for r in enumerate(_window_cells(h_out, k, s))
                                   for c in enumerate(_window_cells(w_out, k, s))):
        colour = COLOURS[(oi * w_out + oj) % len(COLOURS)]
        ax.add_patch(Rectangle((cols.start, h - rows.stop), k, k, facecolor=colour,
                               alpha=0.25, edgecolor=colour, lw=2))
        ax.add_patch(Rectangle((w + 2 + oj, h_out - oi - 1 + (h - h_out) / 2), 1, 1,
                               facecolor=colour, alpha=0.45, edgecolor="k", lw=0.8))
    for r in range(h):
        for c in range(w):
            ax.text(c + 0.5, h - r - 0.5, f"{values[r, c]:g}", ha="center",
                    va="center", fontsize=10)
    for r in range(h_out):
        for c in range(w_out):
            ax.text(w + 2.5 + c, h_out - r - 0.5 + (h - h_out) / 2, f"{pooled[r, c]:g}",
                    ha="center", va="center", fontsize=10, fontweight="bold")
    ax.annotate("", (w + 1.8, h / 2), (w + 0.2, h / 2), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(-0.2, w + 2.2 + w_out)
    ax.set_ylim(-0.9, h + 0.2)
    ax.text(w / 2, -0.3, f"one channel, {h}×{w}", ha="center", va="top", fontsize=10)
    ax.text(w + 2 + w_out / 2, (h - h_out) / 2 - 0.3, f"{k}×{k} max,\nstride {s}",
            ha="center", va="top", fontsize=10)
    c, vh, vw = (_positive(v, "volume") for v in volume)
    vh_out, vw_out = output_size(vh, k, s), output_size(vw, k, s)
    unit, depth = 10 / max(vh, vw), 4 / c            # drawing units per pixel, channel
    draw_volume(vol, (0, 0), (c, vh, vw), depth_scale=depth, scale=unit, grid=False,
                label=f"{c}×{vh}×{vw}")
    x_out = vw * unit + 4 * 0.55 + 3
    draw_volume(vol, (x_out, (vh - vh_out) * unit / 2), (c, vh_out, vw_out),
                depth_scale=depth, scale=unit, grid=False, colour="#d5e8d4",
                label=f"{c}×{vh_out}×{vw_out}")
    vol.annotate("", (x_out - 0.3, vh * unit / 2), (x_out - 2.6, vh * unit / 2),
                 arrowprops={"arrowstyle": "->"})
    vol.set_title("every channel pooled alone:\nthe depth stays", fontsize=10)
    vol.autoscale_view()
    return fig, pooled


def dilation_figure(kernel_size: int = 3, dilations=(1, 2, 3)):
    """The taps of one k × k kernel for several dilations, on the pixel grid they span:
    the same k² weights cover d·(k − 1) + 1 pixels a side.

    Args:
        kernel_size: side k of the square kernel.
        dilations: one panel per dilation d ≥ 1.

    Returns:
        The matplotlib figure.
    """
    k = _positive(kernel_size, "kernel_size")
    dilations = [_positive(d, "dilation") for d in dilations]
    size = max(d * (k - 1) + 1 for d in dilations)
    fig, axes = plt.subplots(1, len(dilations), figsize=(FIGURE_WIDTH, 2.6),
                             layout="constrained")
    for ax, d in zip(np.atleast_1d(axes), dilations):
        span = d * (k - 1) + 1
        grid = np.zeros((size, size))
        grid[:span:d, :span:d] = 1                       # the taps
        grid[:span, :span] += 0.25                       # the span they cover
        ax.imshow(grid, cmap="Blues", vmin=0, vmax=1.5)
        ax.set_xticks(np.arange(-0.5, size), minor=True)
        ax.set_yticks(np.arange(-0.5, size), minor=True)
        ax.grid(which="minor", color="#999999", lw=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_title(f"dilation {d}: {k * k} weights\nspan {span}×{span}", fontsize=10)
    return fig


def channel_connections(ax, in_channels: int, out_channels: int, groups: int) -> int:
    """Draw input channels (left) and output channels (right), with a line from each
    output channel to every input channel it reads; one colour per group. Returns
    the number of lines: C_in·C_out / groups, one k×k kernel each.

    Args:
        ax: the matplotlib axes to draw on.
        in_channels: input channels; divisible by ``groups``.
        out_channels: output channels; divisible by ``groups``.
        groups: how many groups the channels split into.
    """
    c_in, c_out = _positive(in_channels, "in_channels"), _positive(out_channels,
                                                                   "out_channels")
    g = _positive(groups, "groups")
    if c_in % g or c_out % g:
        raise ValueError(f"groups={g} must divide in_channels={c_in} and "
                         f"out_channels={c_out}")
    y_in, y_out = np.linspace(1, 0, c_in), np.linspace(1, 0, c_out)
    lines = 0
    for o in range(c_out):
        group = o // (c_out // g)
        colour = COLOURS[group % len(COLOURS)]
        for c in range(group * (c_in // g), (group + 1) * (c_in // g)):
            ax.plot([0, 1], [y_in[c], y_out[o]], color=colour, lw=1.0, alpha=0.8)
            lines += 1
    ax.scatter(np.zeros(c_in), y_in, s=30, color="k", zorder=3)
    ax.scatter(np.ones(c_out), y_out, s=30, color="k", zorder=3)
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylim(-0.08, 1.08)
    ax.axis("off")
    return lines


def groups_figure(in_channels: int = 8, out_channels: int = 8, groups=(1, 2, 8),
                  titles=None):
    """One panel per value of ``groups``: which input channels (left dots) each
    output channel (right dots) reads. Returns the figure and the line counts.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        groups: one panel per value; each must divide both channel counts.
        titles: a title per panel (``None``: ``"groups=g"``).
    """
    titles = titles or [f"groups={g}" for g in groups]
    fig, axes = plt.subplots(1, len(groups), figsize=(FIGURE_WIDTH, 2.8),
                             layout="constrained")
    axes = np.atleast_1d(axes)
    counts = []
    for ax, g, title in zip(axes, groups, titles):
        counts.append(channel_connections(ax, in_channels, out_channels, g))
        ax.set_title(f"{title}\n{counts[-1]} kernels", fontsize=10)
        ax.text(0, -0.12, "in", ha="center", va="top", fontsize=9)
        ax.text(1, -0.12, "out", ha="center", va="top", fontsize=9)
    return fig, counts


__all__ = ["draw_volume", "conv_volume_figure", "pooling_figure", "dilation_figure",
           "channel_connections",
           "groups_figure", "FIGURE_WIDTH"]
