"""The sliding-window animation of chapter 1: a 3×3 window moves over a small integer grid and
writes each output number as it is made ('valid' cross-correlation)."""
from __future__ import annotations

import numpy as np

from ..plotting import animation_html, annotate_cells, text_colour
from . import core as _filters


def create_conv_animation(grid=None, kernel=None, *, fps: int = 2, dpi: int = 72):
    """An animation of a 3×3 window sliding over a small integer grid ('valid' correlation).

    Returns an ``IPython.display.HTML`` object holding a self-contained JavaScript player, so it
    plays in Jupyter, in Colab and in the built HTML book without any server.

    Args:
        grid: a small 2-D array of pixel values (``None``: a 6×6 vertical edge).
        kernel: a 2-D array or a kernel name (``None``: ``'sobel_x'``).
        fps: frames (window positions) per second.
        dpi: resolution of each frame, in dots per inch.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation
    from matplotlib.patches import Rectangle
    from IPython.display import HTML

    if grid is None:  # a dark-to-bright vertical edge, and one mid-grey pixel on the dark side
        grid = np.array([[0, 0, 0, 9, 9, 9], [0, 0, 0, 9, 9, 9], [0, 0, 5, 9, 9, 9],
                         [0, 0, 0, 9, 9, 9], [0, 0, 0, 9, 9, 9], [0, 0, 0, 9, 9, 9]])

    grid = _filters.as_image(grid, name="grid")
    if grid.ndim != 2:
        raise ValueError(f"grid must be 2-D, got shape {grid.shape}")
    ker = _filters.as_kernel("sobel_x" if kernel is None else kernel)
    out = _filters.correlate2d(grid, ker, padding="valid")
    kh, kw = ker.shape
    oh, ow = out.shape

    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=(7.0, 2.8), dpi=dpi, gridspec_kw={"width_ratios": [grid.shape[1], kw, ow]})
    k_limit = np.abs(ker).max() or 1.0
    for ax, data, label, cmap, lims in ((ax_in, grid, "input", "gray", (None, None)),
                                        (ax_k, ker, "kernel", "RdBu_r", (-k_limit, k_limit))):
        image = ax.imshow(data, cmap=cmap, vmin=lims[0], vmax=lims[1])
        annotate_cells(ax, data, image, fontsize=11)
        ax.set_title(label, fontsize=11)
        ax.set_xticks([]), ax.set_yticks([])
    limit = np.abs(out).max() or 1.0
    shown = np.full_like(out, np.nan)
    out_img = ax_out.imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit)
    out_text = [[ax_out.text(c, r, "", ha="center", va="center", fontsize=11,
                             color=text_colour(out_img.cmap(out_img.norm(out[r, c]))))
                 for c in range(ow)] for r in range(oh)]
    ax_out.set_title("output", fontsize=11)
    ax_out.set_xticks([]), ax_out.set_yticks([])
    window = Rectangle((-0.5, -0.5), kw, kh, fill=False, edgecolor="tab:red", linewidth=3)
    ax_in.add_patch(window)
    caption = fig.text(0.5, 0.03, "", ha="center", fontsize=11)

    def draw(frame: int):
        r, c = divmod(frame, ow)
        window.set_xy((c - 0.5, r - 0.5))
        shown[r, c] = out[r, c]
        out_img.set_data(shown)
        out_text[r][c].set_text(f"{out[r, c]:g}")
        caption.set_text(f"output[{r}, {c}] = Σ input[{r}:{r + kh}, {c}:{c + kw}] · kernel "
                         f"= {out[r, c]:g}")
        return [window, out_img, out_text[r][c], caption]

    fig.tight_layout(rect=(0, 0.1, 1, 1))
    animation = FuncAnimation(fig, draw, frames=oh * ow, interval=1000 / fps, blit=False)
    html = HTML(animation_html(animation, fps=fps))
    plt.close(fig)
    return html
