"""The filter figures of chapter 1: the kernels as grids, a photo through several filters, and a
zoomed crop with the pixel values written in."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..data.photos import photo
from ..plotting import (DISPLAY_PERCENTILE, annotate_cells, crop_box, display_limits,
                        fraction_labels, limits_note)
from .core import (DEFAULT_GALLERY, GRADIENT_MAGNITUDE, KERNELS, correlate2d, filter_responses,
                   get_kernel, is_signed, to_grey)

__all__ = ["plot_kernels", "show_filter_effects", "show_zoomed"]


def plot_kernels(names: Sequence[str] = tuple(KERNELS), *, ncols: int = 5):
    """Draw named kernels as coloured grids with every weight written in its cell.

    Fractional kernels are written as integers over a common denominator (the title then says
    e.g. "entries ÷ 16"), so no weight is rounded; each title gives the sum of the weights.

    Args:
        names: the kernels to draw, keys of ``KERNELS``.
        ncols: panels per row.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    names = list(names)
    if not names:
        raise ValueError("names must list at least one kernel")
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.4 * ncols, 2.0 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        ker = get_kernel(name)
        labels, d = fraction_labels(ker)
        limit = np.abs(ker).max() or 1.0
        shown = ax.imshow(ker, cmap="RdBu_r", vmin=-limit, vmax=limit)
        annotate_cells(ax, ker, shown, labels=labels, fmt="{:.3g}", fontsize=10)
        scale = f"\nentries ÷ {d}" if d > 1 else ""
        ax.set_title(f"{name}\nsum {ker.sum():g}{scale}", fontsize=10)
    fig.tight_layout()
    return fig


def show_filter_effects(image=None, kernels: Sequence[str] = DEFAULT_GALLERY, *,
                        crop=None, title: str | None = None, ncols: int = 3,
                        percentile: float = DISPLAY_PERCENTILE):
    """Apply each named kernel to a photo and draw the results.

    Zero-sum kernels (edges, Laplacian, Sobel) give signed responses: they are drawn with a
    diverging colour map centred on zero instead of being clipped to 0–255, which would hide
    every negative value. Other responses are drawn in grey. Colour limits come from
    ``display_limits`` at ``percentile`` (so a few extreme pixels cannot flatten the picture);
    the data are not clipped, and each title gives the shown response's full range.
    ``crop=(top, left, height, width)`` filters the whole image but draws only that part,
    enlarged, so that the effect of a 3×3 kernel is visible pixel by pixel.

    Args:
        image: any image (converted to grey); ``None``: the bundled photo ``'camera'``.
        kernels: kernel names, or ``GRADIENT_MAGNITUDE``.
        crop: ``(top, left, height, width)`` of the part to draw (``None``: all of it).
        title: the figure's heading (``None``: a default naming the source).
        ncols: panels per row.
        percentile: the percentile of the colour limits, in (50, 100].

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    source = "bundled photo 'camera'" if image is None else "your image"
    grey = to_grey(photo("camera", grey=True) if image is None else image)
    panels = [("original", grey)] + list(filter_responses(grey, kernels).items())
    if crop is not None:
        panels = [(name, crop_box(data, crop)) for name, data in panels]
        top, left, height, width = crop
        source += f", rows {top}–{top + height - 1}, columns {left}–{left + width - 1}"
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.3 * ncols, 2.4 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, response) in zip(axes.flat, panels):
        if name == "original":
            ax.imshow(response, cmap="gray", interpolation="nearest")
            ax.set_title("original", fontsize=10)
            continue
        signed = name != GRADIENT_MAGNITUDE and is_signed(get_kernel(name))
        low, high = display_limits(response, signed=signed, percentile=percentile)
        shown = ax.imshow(response, cmap="RdBu_r" if signed else "gray", vmin=low, vmax=high,
                          interpolation="nearest")
        ax.set_title(f"{name}\ndata [{response.min():.0f}, {response.max():.0f}]", fontsize=10)
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=9)
    heading = title or f"Filter responses on the {source}"
    fig.suptitle(f"{heading}\n{limits_note(percentile=percentile)}", fontsize=10)
    fig.tight_layout()
    return fig


def show_zoomed(image=None, kernels: Sequence[str] = ("box_blur", "sharpen"), *,
                box=(150, 260, 48, 48)):
    """The part ``box = (top, left, height, width)`` of a photo and of its filtered versions,
    enlarged so that single pixels show, all on the same grey scale (0–255; values beyond it
    saturate in the drawing only). Blur and sharpen look alike at full size; here they differ.

    Args:
        image: any image (converted to grey); ``None``: the bundled photo ``'camera'``.
        kernels: kernel names (or 2-D arrays) to apply.
        box: ``(top, left, height, width)`` of the part to draw, in pixels.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    grey = to_grey(photo("camera", grey=True) if image is None else image)
    panels = [("original", grey)] + [(k, correlate2d(grey, k)) for k in kernels]
    fig, axes = plt.subplots(1, len(panels), figsize=(1.75 * len(panels), 2.2), squeeze=False)
    for ax, (name, data) in zip(axes.flat, panels):
        ax.imshow(crop_box(data, box), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(name, fontsize=10)
        ax.axis("off")
    top, left, height, width = box
    fig.suptitle(f"rows {top}–{top + height - 1}, columns {left}–{left + width - 1}, enlarged\n"
                 "(one square per pixel; grey scale 0–255 in every panel)", fontsize=10)
    fig.tight_layout()
    return fig
