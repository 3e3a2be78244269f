"""Kernel editor: type nine numbers, see the filtered photo at once (chapter 1)."""
from __future__ import annotations

import numpy as np

from ..filters.core import KERNELS, as_kernel, correlate2d, is_signed, to_grey
from ..plotting import annotate_cells, display_limits, limits_note
from ..data.photos import PHOTOS, photo


def kernel_editor_figure(image=None, kernel="sharpen", *, title: str | None = None):
    """The pure part of the widget: the image, the kernel as numbers and the response.

    The response is drawn like the chapter's gallery: signed (zero-sum kernels) on a diverging
    colour map centred on zero, otherwise in grey; colour limits from ``display_limits``.

    Args:
        image: any image (converted to grey); ``None``: the bundled photo ``'camera'``.
        kernel: a 2-D array or a kernel name.
        title: a heading above the three panels (``None``: none).

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    grey = to_grey(photo("camera", grey=True) if image is None else image)
    ker = as_kernel(kernel)
    response = correlate2d(grey, ker)
    fig, (ax_img, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=(7, 3.3), gridspec_kw={"width_ratios": [3, 1.6, 3]})
    ax_img.imshow(grey, cmap="gray")
    ax_img.set_title("input", fontsize=10)
    limit = np.abs(ker).max() or 1.0
    shown_k = ax_k.imshow(ker, cmap="RdBu_r", vmin=-limit, vmax=limit)
    annotate_cells(ax_k, ker, shown_k, fmt="{:.3g}", fontsize=9)
    ax_k.set_title(f"kernel\n(sum {ker.sum():.3g})", fontsize=10)
    signed = is_signed(ker)
    low, high = display_limits(response, signed=signed)
    shown = ax_out.imshow(response, cmap="RdBu_r" if signed else "gray", vmin=low, vmax=high)
    ax_out.set_title("response", fontsize=10)
    ax_out.set_xlabel(f"data [{response.min():.0f}, {response.max():.0f}]\n"
                      f"{limits_note(signed)}", fontsize=9)
    fig.colorbar(shown, ax=ax_out, fraction=0.046, pad=0.03)
    for ax in (ax_img, ax_k, ax_out):
        ax.set_xticks([]), ax.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def kernel_editor(image_name: str = "camera", kernel="sharpen"):
    """A 3×3 grid of number boxes, a preset menu and a photo menu driving the live figure.

    Args:
        image_name: the bundled photo shown first.
        kernel: the starting 3×3 kernel, an array or a kernel name.

    Returns:
        The ``ipywidgets`` box holding the controls and the figure.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    start = as_kernel(kernel)
    if start.shape != (3, 3):
        raise ValueError(f"kernel must be 3×3 for the editor, got shape {start.shape}")
    if image_name not in PHOTOS:
        raise ValueError(f"image_name={image_name!r} is not a bundled photo; known: {', '.join(PHOTOS)}")
    cells = [w.FloatText(value=float(v), step=0.5, layout=w.Layout(width="70px"))
             for v in start.ravel()]
    grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(3, 75px)"))
    # The menu names the starting kernel when it is a preset (by name or by its values).
    first = next((name for name, k in KERNELS.items()
                  if (kernel == name if isinstance(kernel, str) else np.array_equal(start, k))),
                 "(custom)")
    preset = w.Dropdown(options=["(custom)"] + list(KERNELS), value=first, description="preset")
    applying = {"now": False}  # a preset writes nine boxes; only a hand edit makes it "(custom)"
    picture = w.Dropdown(options=list(PHOTOS), value=image_name, description="photo")
    out = w.Output()

    def redraw(*_):
        if applying["now"]:  # one drawing after all nine boxes are set, not nine
            return
        values = np.array([c.value for c in cells]).reshape(3, 3)
        if preset.value in KERNELS and not np.array_equal(values, KERNELS[preset.value]):
            preset.value = "(custom)"
        with out:
            out.clear_output(wait=True)
            fig = kernel_editor_figure(photo(picture.value, grey=True), values)
            display(fig)
            plt.close(fig)

    def apply_preset(change):
        if change["new"] in KERNELS:
            applying["now"] = True
            try:
                for cell, v in zip(cells, KERNELS[change["new"]].ravel()):
                    cell.value = float(v)
            finally:
                applying["now"] = False
            redraw()

    for c in cells:
        c.observe(redraw, names="value")
    picture.observe(redraw, names="value")
    preset.observe(apply_preset, names="value")
    redraw()
    return w.VBox([w.HBox([w.VBox([w.Label("kernel (3×3)"), grid]), w.VBox([preset, picture])]), out])
