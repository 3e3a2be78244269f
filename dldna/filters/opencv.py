"""OpenCV beside the book's filters (chapter 1): the same operations as practitioners call them.

* ``OPENCV_BORDERS`` and :func:`opencv_border` – our ``boundary`` names and OpenCV's
  ``cv2.BORDER_*`` flags for the same padding;
* :func:`filter2d` – ``cv2.filter2D`` called so that it equals
  :func:`dldna.filters.correlate2d` (float64, matching anchor and border);
* :func:`plot_border_modes` – what each border mode puts beyond the edge of an image;
* :func:`read_like_opencv` and :func:`plot_bgr_pitfall` – ``cv2.imread`` returns channels in
  B, G, R order;
* :func:`plot_edge_pipelines` – Sobel magnitude and Canny edges (hand-designed) beside the
  response of a learned kernel.

``cv2`` is imported inside the functions, so ``import dldna`` does not load OpenCV.
"""
from __future__ import annotations

import numpy as np

from .core import BOUNDARIES, as_kernel, correlate2d, to_grey
from ..data.photos import photo
from ..plotting import annotate_cells, crop_box, display_limits

# Our boundary name -> the OpenCV flag that pads the same way (cv2.BORDER_DEFAULT is REFLECT_101).
OPENCV_BORDERS: dict[str, str] = {"reflect": "BORDER_REFLECT_101", "symmetric": "BORDER_REFLECT",
                                  "replicate": "BORDER_REPLICATE", "wrap": "BORDER_WRAP",
                                  "zero": "BORDER_CONSTANT"}


def opencv_border(boundary: str) -> int:
    """The ``cv2.BORDER_*`` value that pads like ``correlate2d(..., boundary=boundary)``.

    Args:
        boundary: a key of ``OPENCV_BORDERS``, such as ``'reflect'``.
    """
    import cv2

    if boundary not in OPENCV_BORDERS:
        raise ValueError(f"boundary must be one of {', '.join(map(repr, OPENCV_BORDERS))}, "
                         f"got {boundary!r}")
    return getattr(cv2, OPENCV_BORDERS[boundary])


def filter2d(image, kernel, *, boundary: str = "reflect") -> np.ndarray:
    """``cv2.filter2D`` on a grey float64 image, set up to equal ``correlate2d`` (padding 'same').

    OpenCV's anchor for an even kernel side k is k // 2; ``correlate2d`` pads (k − 1) // 2 before
    and k // 2 after, so the anchor is passed explicitly. ``cv2.filter2D`` refuses
    ``BORDER_WRAP``; for 'wrap' the image is padded with ``cv2.copyMakeBorder`` first.

    Args:
        image: any image (converted to grey).
        kernel: a 2-D array or a kernel name.
        boundary: how the border is padded, as in ``correlate2d``.
    """
    import cv2

    img = np.ascontiguousarray(to_grey(image))
    ker = as_kernel(kernel)
    kh, kw = ker.shape
    anchor = ((kw - 1) // 2, (kh - 1) // 2)
    if boundary != "wrap":
        return cv2.filter2D(img, cv2.CV_64F, ker, anchor=anchor, borderType=opencv_border(boundary))
    padded = cv2.copyMakeBorder(img, anchor[1], kh - 1 - anchor[1], anchor[0], kw - 1 - anchor[0],
                                cv2.BORDER_WRAP)
    full = cv2.filter2D(padded, cv2.CV_64F, ker, anchor=anchor, borderType=cv2.BORDER_CONSTANT)
    return full[anchor[1]:anchor[1] + img.shape[0], anchor[0]:anchor[0] + img.shape[1]]


def plot_border_modes(values=(1, 2, 3, 4, 5, 6), pad: int = 3):
    """One row of pixels and what each border mode puts in the ``pad`` cells on either side.

    The padding is made by ``cv2.copyMakeBorder`` with the flag of each mode; hatched cells are
    padding, the others the row itself.

    Args:
        values: the pixels of the row, at least 2.
        pad: padding cells on each side, 1 ≤ ``pad`` < len(``values``).

    Returns:
        The matplotlib figure.
    """
    import cv2
    import matplotlib.pyplot as plt

    row = np.asarray(values, dtype=np.float64)[None, :]
    if row.size < 2 or pad < 1 or pad >= row.size:
        raise ValueError(f"need at least 2 values and 1 <= pad < {row.size}, got pad={pad}")
    fig, axes = plt.subplots(len(BOUNDARIES), 1, figsize=(6.8, 0.62 * len(BOUNDARIES) + 0.4))
    for ax, name in zip(axes, BOUNDARIES):
        padded = cv2.copyMakeBorder(row, 0, 0, pad, pad, opencv_border(name))
        shown = ax.imshow(padded, cmap="Blues", vmin=0, vmax=1.6 * row.max())
        annotate_cells(ax, padded, shown, fmt="{:.0f}", fontsize=10)
        for c in (*range(pad), *range(pad + row.size, padded.shape[1])):
            ax.add_patch(plt.Rectangle((c - 0.5, -0.5), 1, 1, fill=False, hatch="///",
                                       edgecolor="grey", linewidth=0))
        ax.axvline(pad - 0.5, color="black", linewidth=2)
        ax.axvline(pad + row.size - 0.5, color="black", linewidth=2)
        ax.set_yticks([0], [f"{name}\n{OPENCV_BORDERS[name]}"], fontsize=9)
        ax.set_xticks([])
    fig.suptitle(f"padding {pad} cells on each side (hatched) of the row "
                 f"{' '.join(f'{v:g}' for v in row.ravel())}", fontsize=10)
    fig.tight_layout()
    return fig


def read_like_opencv(name: str = "chelsea") -> tuple[np.ndarray, np.ndarray]:
    """``(rgb, as_read)``: a bundled photo, and what ``cv2.imread`` returns after
    the photo is written to a temporary PNG file (deleted afterwards).

    Args:
        name: a bundled photo's name.
    """
    import tempfile
    from pathlib import Path

    import cv2
    from PIL import Image

    rgb = photo(name)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.png"
        Image.fromarray(rgb).save(path)
        as_read = cv2.imread(str(path))  # cv2.IMREAD_COLOR: 3 channels in B, G, R order
    if as_read is None:
        raise RuntimeError(f"cv2.imread could not read back the PNG of photo {name!r}")
    return rgb, as_read


def plot_bgr_pitfall(name: str = "chelsea"):
    """The photo as written, as ``cv2.imread`` returns it drawn by matplotlib (which expects
    R, G, B), and after ``cv2.cvtColor(..., cv2.COLOR_BGR2RGB)``.

    Args:
        name: a bundled photo's name.

    Returns:
        The matplotlib figure.
    """
    import cv2
    import matplotlib.pyplot as plt

    rgb, bgr = read_like_opencv(name)
    panels = (("written (RGB)", rgb), ("cv2.imread, shown as is", bgr),
              ("after cv2.cvtColor BGR2RGB", cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    fig, axes = plt.subplots(1, 3, figsize=(6.9, 2.3))
    for ax, (title, image) in zip(axes, panels):
        ax.imshow(image)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_edge_pipelines(image, learned, *, thresholds=(100, 200), box=None):
    """Three ways to find edges: the response of a ``learned`` kernel, the Sobel gradient
    magnitude from ``cv2.Sobel`` and ``cv2.Canny`` (blur-free Sobel, non-maximum suppression,
    hysteresis between the two ``thresholds``); ``box`` draws only that part, enlarged.

    Args:
        image: any image (converted to grey, rounded to uint8).
        learned: a 3×3 (or any 2-D) kernel, e.g. one a network has learned.
        thresholds: ``(low, high)`` for Canny's hysteresis, 0 ≤ low < high.
        box: ``(top, left, height, width)`` of the part to draw (``None``: all of it).

    Returns:
        The matplotlib figure.
    """
    import cv2
    import matplotlib.pyplot as plt

    grey = np.clip(np.round(to_grey(image)), 0, 255).astype(np.uint8)
    lo, hi = thresholds
    if not 0 <= lo < hi:
        raise ValueError(f"thresholds must be (low, high) with 0 <= low < high, got {thresholds!r}")
    learned_response = correlate2d(grey, as_kernel(learned, name="learned"))
    gx = cv2.Sobel(grey, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_64F, 0, 1, ksize=3)
    panels = [("learned kernel (signed)", learned_response, "RdBu_r", True),
              ("cv2.Sobel magnitude", np.hypot(gx, gy), "gray", False),
              (f"cv2.Canny({lo}, {hi})", cv2.Canny(grey, lo, hi), "gray", None)]
    fig, axes = plt.subplots(1, 3, figsize=(6.9, 2.6))
    for ax, (title, data, cmap, signed) in zip(axes, panels):
        data = data if box is None else crop_box(data, box)
        lims = (0, 255) if signed is None else display_limits(data, signed=signed)
        ax.imshow(data, cmap=cmap, vmin=lims[0], vmax=lims[1], interpolation="nearest")
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig
