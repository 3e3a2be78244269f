"""Hand-designed image filters: the named kernels, 2-D cross-correlation and convolution on
NumPy images, a gallery of their effects and a sliding-window animation (chapter 1)."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .photos import photo

# The classic 3×3 kernels. CNN layers apply kernels by cross-correlation, and so do we.
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "box_blur": np.full((3, 3), 1 / 9),
    "gaussian_blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "edge": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
    "sobel_x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "sobel_y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
}
for _k in KERNELS.values():
    _k.setflags(write=False)

# A pseudo-kernel: sqrt(sobel_x² + sobel_y²) is not one correlation but two combined.
GRADIENT_MAGNITUDE = "gradient_magnitude"
DEFAULT_GALLERY = ("box_blur", "gaussian_blur", "sharpen", "laplacian",
                   "emboss", "sobel_x", "sobel_y", GRADIENT_MAGNITUDE)


def get_kernel(name: str) -> np.ndarray:
    """A writable copy of a named kernel."""
    if name not in KERNELS:
        raise ValueError(f"kernel name {name!r} is unknown; known kernels: {', '.join(KERNELS)}")
    return KERNELS[name].copy()


def as_image(image, *, name: str = "image") -> np.ndarray:
    """Validate an image and return it as float64, H×W or H×W×C (C = 1 or 3; alpha dropped)."""
    if isinstance(image, (str, bytes)) or image is None:
        raise TypeError(f"{name} must be an array of pixel values, got {type(image).__name__}")
    if hasattr(image, "detach"):  # a torch tensor
        image = image.detach().cpu().numpy()
    array = np.asarray(image)
    if array.dtype == bool:
        array = array.astype(np.uint8)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must have a numeric dtype (integers or floats), got {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[..., :3]
    if array.ndim not in (2, 3):
        raise ValueError(f"{name} must be 2-D (H×W) or 3-D (H×W×C), got shape {array.shape}")
    if array.ndim == 3 and array.shape[2] not in (1, 3):
        raise ValueError(f"{name} must have 1 or 3 channels in the last axis (H×W×C), "
                         f"got {array.shape[2]} channels (shape {array.shape})")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def as_kernel(kernel, *, name: str = "kernel") -> np.ndarray:
    """Validate a kernel: a non-empty, finite, numeric 2-D array."""
    if isinstance(kernel, str):
        return get_kernel(kernel)
    if hasattr(kernel, "detach"):
        kernel = kernel.detach().cpu().numpy()
    array = np.asarray(kernel)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must have a numeric dtype, got {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); expected a 2-D array like 3×3")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (kh×kw), got shape {array.shape}")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def to_grey(image) -> np.ndarray:
    """Luminance of a colour image (ITU-R 601 weights); grey images pass through as float."""
    array = as_image(image)
    if array.ndim == 3:
        array = array @ np.array([0.299, 0.587, 0.114]) if array.shape[2] == 3 else array[..., 0]
    return array


def correlate2d(image, kernel, *, padding: str = "same", boundary: str = "reflect") -> np.ndarray:
    """Cross-correlate a grey image with a kernel: out[i, j] = Σ image[i+u, j+v] · kernel[u, v].

    ``padding='same'`` keeps the size (pads with ``boundary``: 'reflect' or 'zero');
    ``padding='valid'`` only keeps positions where the kernel fits entirely inside.
    """
    img = to_grey(image)
    ker = as_kernel(kernel)
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    if boundary not in ("reflect", "zero"):
        raise ValueError(f"boundary must be 'reflect' or 'zero', got {boundary!r}")
    kh, kw = ker.shape
    if padding == "same":
        pads = ((( kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2))
        if boundary == "reflect" and (img.shape[0] <= kh // 2 or img.shape[1] <= kw // 2):
            raise ValueError(f"image of shape {img.shape} is too small to reflect-pad for a "
                             f"{kh}×{kw} kernel; use boundary='zero'")
        img = np.pad(img, pads, mode="reflect" if boundary == "reflect" else "constant")
    if kh > img.shape[0] or kw > img.shape[1]:
        raise ValueError(f"kernel of shape {ker.shape} is larger than the (padded) image "
                         f"of shape {img.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(img, ker.shape)
    return np.einsum("ijuv,uv->ij", windows, ker)


def convolve2d(image, kernel, **kwargs) -> np.ndarray:
    """True convolution: cross-correlation with the kernel flipped in both axes."""
    return correlate2d(image, as_kernel(kernel)[::-1, ::-1], **kwargs)


def gradient_magnitude(image, **kwargs) -> np.ndarray:
    """Edge strength sqrt(Gx² + Gy²) from the two Sobel responses."""
    gx = correlate2d(image, KERNELS["sobel_x"], **kwargs)
    gy = correlate2d(image, KERNELS["sobel_y"], **kwargs)
    return np.hypot(gx, gy)


def filter_responses(image, names: Iterable[str] = DEFAULT_GALLERY) -> dict[str, np.ndarray]:
    """The float response of each named filter (no clipping, no rescaling)."""
    responses = {}
    for name in names:
        if name == GRADIENT_MAGNITUDE:
            responses[name] = gradient_magnitude(image)
        else:
            responses[name] = correlate2d(image, get_kernel(name))
    return responses


def is_signed(kernel) -> bool:
    """A kernel whose weights sum to zero answers 'how much change', which can be negative."""
    return abs(float(as_kernel(kernel).sum())) < 1e-9


# Colour limits of response maps: this percentile of the values (of |values| when signed), so
# that a handful of extreme pixels cannot squeeze everything else into one flat shade.
DISPLAY_PERCENTILE = 99.0


def display_limits(response, *, signed: bool, percentile: float = DISPLAY_PERCENTILE
                   ) -> tuple[float, float]:
    """Robust colour limits (vmin, vmax) for drawing a filter response; the data stay unclipped.

    ``signed=True``: symmetric limits ±(``percentile`` of the absolute values), so zero sits in the
    middle of a diverging colour map. ``signed=False``: the (100 − p)th and pth percentiles.
    """
    values = as_image(response, name="response")
    if not 50 < percentile <= 100:
        raise ValueError(f"percentile must be in (50, 100], got {percentile!r}")
    if signed:
        limit = float(np.percentile(np.abs(values), percentile))
        return (-limit, limit) if limit > 0 else (-1.0, 1.0)
    low, high = (float(v) for v in np.percentile(values, [100 - percentile, percentile]))
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def ordinal(value: float) -> str:
    """99 → '99th', 1 → '1st', 99.5 → '99.5th'."""
    if float(value) != int(value):
        return f"{value:g}th"
    n = int(value)
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def limits_note(signed: bool | None = None, percentile: float = DISPLAY_PERCENTILE) -> str:
    """How ``display_limits`` chose the colour limits, in words (``None``: both kinds of map)."""
    grey = f"{ordinal(100 - percentile)}–{ordinal(percentile)} percentile"
    sign = f"±{ordinal(percentile)} percentile of |value|"
    if signed is None:
        return f"colour limits: {grey}, signed maps {sign}; data not clipped"
    return f"colour limits: {sign if signed else grey}"


def text_colour(rgba) -> str:
    """'white' on a dark background colour, 'black' on a light one (by relative luminance)."""
    r, g, b = (float(v) for v in tuple(rgba)[:3])
    if not all(0.0 <= v <= 1.0 for v in (r, g, b)):
        raise ValueError(f"rgba must hold colour components in [0, 1], got {tuple(rgba)!r}")
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else "black"


def annotate_cells(ax, values, shown, *, labels=None, fmt: str = "{:g}", fontsize: float = 11):
    """Write each value of a small matrix in its cell, black on light cells and white on dark.

    ``shown`` is the ``AxesImage`` that draws ``values`` (its colour map and limits decide each
    cell's colour); ``labels`` (same shape) replaces the formatted values when given.
    """
    values = np.asarray(values)
    for (r, c), v in np.ndenumerate(values):
        text = fmt.format(v) if labels is None else str(np.asarray(labels)[r, c])
        colour = text_colour(shown.cmap(shown.norm(v)))
        ax.text(c, r, text, ha="center", va="center", fontsize=fontsize, color=colour)


def _common_denominator(kernel: np.ndarray, largest: int = 64) -> int:
    """The smallest d ≤ largest with kernel·d all integers (1 if there is none)."""
    for d in range(1, largest + 1):
        if np.allclose(kernel * d, np.round(kernel * d), atol=1e-9):
            return d
    return 1


def plot_kernels(names: Sequence[str] = tuple(KERNELS), *, ncols: int = 5):
    """Draw named kernels as coloured grids with every weight written in its cell.

    Fractional kernels are written as integers over a common denominator (the title then says
    e.g. "entries ÷ 16"), so no weight is rounded; each title gives the sum of the weights.
    """
    import matplotlib.pyplot as plt

    names = list(names)
    if not names:
        raise ValueError("names must list at least one kernel")
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.9 * ncols, 2.5 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        ker = get_kernel(name)
        d = _common_denominator(ker)
        limit = np.abs(ker).max() or 1.0
        shown = ax.imshow(ker, cmap="RdBu_r", vmin=-limit, vmax=limit)
        annotate_cells(ax, ker, shown, labels=np.round(ker * d).astype(int), fontsize=12)
        scale = f", entries ÷ {d}" if d > 1 else ""
        ax.set_title(f"{name}\nsum {ker.sum():g}{scale}", fontsize=11)
    fig.tight_layout()
    return fig


def show_filter_effects(image=None, kernels: Sequence[str] = DEFAULT_GALLERY, *,
                        title: str | None = None, ncols: int = 3):
    """Apply each named kernel to a photo and draw the results.

    Zero-sum kernels (edges, Laplacian, Sobel) give signed responses: they are drawn with a
    diverging colour map centred on zero instead of being clipped to 0–255, which would hide
    every negative value. Other responses are drawn in grey. Colour limits come from
    ``display_limits`` (a high percentile, so a few extreme pixels cannot flatten the picture);
    the data are not clipped, and each title gives the response's full range.
    """
    import matplotlib.pyplot as plt

    source = "bundled photo 'camera'" if image is None else "your image"
    grey = to_grey(photo("camera", grey=True) if image is None else image)
    responses = filter_responses(grey, kernels)
    panels = [("original", grey)] + list(responses.items())
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 3.1 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, response) in zip(axes.flat, panels):
        if name == "original":
            ax.imshow(response, cmap="gray")
            ax.set_title("original", fontsize=11)
            continue
        signed = name != GRADIENT_MAGNITUDE and is_signed(get_kernel(name))
        low, high = display_limits(response, signed=signed)
        shown = ax.imshow(response, cmap="RdBu_r" if signed else "gray", vmin=low, vmax=high)
        ax.set_title(f"{name}\ndata [{response.min():.0f}, {response.max():.0f}]", fontsize=11)
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.03)
    fig.suptitle(f"{title or f'Filter responses on the {source}'}\n{limits_note()}", fontsize=12)
    fig.tight_layout()
    return fig


def create_conv_animation(grid=None, kernel=None, *, fps: int = 2, dpi: int = 72):
    """An animation of a 3×3 window sliding over a small integer grid ('valid' correlation).

    Returns an ``IPython.display.HTML`` object holding a self-contained JavaScript player, so it
    plays in Jupyter, in Colab and in the built HTML book without any server.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation
    from matplotlib.patches import Rectangle
    from IPython.display import HTML

    from .notebook import animation_html

    if grid is None:  # a dark-to-bright vertical edge, and one mid-grey pixel on the dark side
        grid = np.array([[0, 0, 0, 9, 9, 9], [0, 0, 0, 9, 9, 9], [0, 0, 5, 9, 9, 9],
                         [0, 0, 0, 9, 9, 9], [0, 0, 0, 9, 9, 9], [0, 0, 0, 9, 9, 9]])
    grid = as_image(grid, name="grid")
    if grid.ndim != 2:
        raise ValueError(f"grid must be 2-D, got shape {grid.shape}")
    ker = as_kernel("sobel_x" if kernel is None else kernel)
    out = correlate2d(grid, ker, padding="valid")
    kh, kw = ker.shape
    oh, ow = out.shape

    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=(9.5, 3.6), dpi=dpi, gridspec_kw={"width_ratios": [grid.shape[1], kw, ow]})
    k_limit = np.abs(ker).max() or 1.0
    for ax, data, label, cmap, lims in ((ax_in, grid, "input", "gray", (None, None)),
                                        (ax_k, ker, "kernel", "RdBu_r", (-k_limit, k_limit))):
        image = ax.imshow(data, cmap=cmap, vmin=lims[0], vmax=lims[1])
        annotate_cells(ax, data, image, fontsize=13)
        ax.set_title(label, fontsize=13)
        ax.set_xticks([]), ax.set_yticks([])
    limit = np.abs(out).max() or 1.0
    shown = np.full_like(out, np.nan)
    out_img = ax_out.imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit)
    out_text = [[ax_out.text(c, r, "", ha="center", va="center", fontsize=13,
                             color=text_colour(out_img.cmap(out_img.norm(out[r, c]))))
                 for c in range(ow)] for r in range(oh)]
    ax_out.set_title("output", fontsize=13)
    ax_out.set_xticks([]), ax_out.set_yticks([])
    window = Rectangle((-0.5, -0.5), kw, kh, fill=False, edgecolor="tab:red", linewidth=3)
    ax_in.add_patch(window)
    caption = fig.text(0.5, 0.03, "", ha="center", fontsize=13)

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
