"""Hand-designed image filters: the named kernels, 2-D cross-correlation and convolution on
NumPy images with five border modes, a gallery of their effects, enlarged crops and a
sliding-window animation (chapter 1). General plotting helpers are in :mod:`dldna.plotting`."""
from __future__ import annotations

from typing import Iterable

import numpy as np

# The general plotting helpers live in dldna.plotting. They stay importable from here for code
# written before the split (chapter 2 imports annotate_cells, dldna.frequency imports
# _common_denominator, tests/test_widgets_part1.py imports display_limits).
from ..plotting import (DISPLAY_PERCENTILE, annotate_cells, common_denominator, crop_box,
                       display_limits, fraction_labels, limits_note, ordinal, text_colour)

__all__ = ["KERNELS", "BOUNDARIES", "DEFAULT_GALLERY", "GRADIENT_MAGNITUDE", "get_kernel",
           "as_image", "as_kernel", "to_grey", "correlate2d", "convolve2d", "gradient_magnitude",
           "filter_responses", "gaussian_kernel", "is_signed",
           # re-exported from dldna.plotting
           "DISPLAY_PERCENTILE", "annotate_cells", "common_denominator", "crop_box",
           "display_limits", "fraction_labels", "limits_note", "ordinal", "text_colour"]

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
    """A writable copy of a named kernel.

    Args:
        name: a kernel name (a key of ``KERNELS``).
    """
    if name not in KERNELS:
        raise ValueError(f"kernel name {name!r} is unknown; known kernels: {', '.join(KERNELS)}")
    return KERNELS[name].copy()


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    """A size×size Gaussian blur kernel: the outer product of exp(−x²/2σ²) at x = −r … r with
    itself (r = (size − 1)/2), normalised to sum 1 — what ``cv2.getGaussianKernel`` samples.

    The book's ``gaussian_blur`` is the binomial [1 2 1]ᵀ[1 2 1] / 16, which OpenCV also uses
    for size 3 when no σ is given; a sampled Gaussian of size 3 is close to it, not equal.

    Args:
        size: the side in pixels, a positive odd integer.
        sigma: the standard deviation in pixels, > 0.
    """
    if not isinstance(size, (int, np.integer)) or size < 1 or size % 2 == 0:
        raise ValueError(f"size must be a positive odd int, got {size!r}")
    if not (isinstance(sigma, (int, float, np.number)) and sigma > 0):
        raise ValueError(f"sigma must be a positive number, got {sigma!r}")
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-x**2 / (2 * float(sigma) ** 2))
    g /= g.sum()
    return np.outer(g, g)


def as_image(image, *, name: str = "image") -> np.ndarray:
    """Validate an image and return it as float64, H×W or H×W×C (C = 1 or 3; alpha dropped).

    Args:
        image: an array or tensor of pixel values, any numeric dtype.
        name: the argument name used in error messages.
    """
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
    """Validate a kernel: a non-empty, finite, numeric 2-D array.

    Args:
        kernel: an array, a tensor or a kernel name (which returns that kernel).
        name: the argument name used in error messages.
    """
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
    """Luminance of a colour image (ITU-R 601 weights); grey images pass through as float.

    Args:
        image: an H×W or H×W×C image (see :func:`as_image`).
    """
    array = as_image(image)
    if array.ndim == 3:
        array = array @ np.array([0.299, 0.587, 0.114]) if array.shape[2] == 3 else array[..., 0]
    return array


# How correlate2d fills the border for padding='same': our name -> NumPy's np.pad mode. For an
# edge ... a b c | the pad is:  reflect c b | (mirror, edge pixel not repeated; OpenCV's default
# BORDER_REFLECT_101), symmetric c | (edge pixel repeated; BORDER_REFLECT), replicate c c |
# (BORDER_REPLICATE), wrap: the other side of the image (BORDER_WRAP), zero 0 0 | (BORDER_CONSTANT).
BOUNDARIES: dict[str, str] = {"reflect": "reflect", "symmetric": "symmetric", "replicate": "edge",
                              "wrap": "wrap", "zero": "constant"}


def correlate2d(image, kernel, *, padding: str = "same",
                boundary: str = "reflect") -> np.ndarray:
    """Cross-correlate a grey image with a kernel:
    out[i, j] = Σ image[i+u, j+v] · kernel[u, v].

    ``padding='same'`` keeps the size, padding the border as ``boundary`` says (a key
    of ``BOUNDARIES``: 'reflect', 'symmetric', 'replicate', 'wrap' or 'zero');
    ``padding='valid'`` only keeps positions where the kernel fits entirely inside.

    Args:
        image: an H×W grey image.
        kernel: a 2-D array or a kernel name.
        padding: ``'same'`` or ``'valid'``.
        boundary: how ``'same'`` pads the border.
    """
    img = to_grey(image)
    ker = as_kernel(kernel)
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {', '.join(map(repr, BOUNDARIES))}, "
                         f"got {boundary!r}")
    kh, kw = ker.shape
    if padding == "same":
        pads = (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2))
        if boundary != "zero" and (img.shape[0] <= kh // 2 or img.shape[1] <= kw // 2):
            raise ValueError(f"image of shape {img.shape} is too small to pad with "
                             f"boundary={boundary!r} for a {kh}×{kw} kernel; "
                             "use boundary='zero'")
        img = np.pad(img, pads, mode=BOUNDARIES[boundary])
    if kh > img.shape[0] or kw > img.shape[1]:
        raise ValueError(f"kernel of shape {ker.shape} is larger than the (padded) "
                         f"image of shape {img.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(img, ker.shape)
    return np.einsum("ijuv,uv->ij", windows, ker)


def convolve2d(image, kernel, **kwargs) -> np.ndarray:
    """True convolution: cross-correlation with the kernel flipped in both axes.

    Args:
        image: an H×W grey image.
        kernel: a 2-D array or a kernel name.
        kwargs: ``padding`` and ``boundary``, as for :func:`correlate2d`.
    """
    return correlate2d(image, as_kernel(kernel)[::-1, ::-1], **kwargs)


def gradient_magnitude(image, **kwargs) -> np.ndarray:
    """Edge strength sqrt(Gx² + Gy²) from the two Sobel responses.

    Args:
        image: an H×W grey image.
        kwargs: ``padding`` and ``boundary``, as for :func:`correlate2d`.
    """
    gx = correlate2d(image, KERNELS["sobel_x"], **kwargs)
    gy = correlate2d(image, KERNELS["sobel_y"], **kwargs)
    return np.hypot(gx, gy)


def filter_responses(image, names: Iterable[str] = DEFAULT_GALLERY) -> dict[str, np.ndarray]:
    """The float response of each named filter (no clipping, no rescaling).

    Args:
        image: an H×W grey image.
        names: kernel names, or ``GRADIENT_MAGNITUDE`` for :func:`gradient_magnitude`.

    Returns:
        A dict from each name to its response (the size of ``image``).
    """
    responses = {}
    for name in names:
        if name == GRADIENT_MAGNITUDE:
            responses[name] = gradient_magnitude(image)
        else:
            responses[name] = correlate2d(image, get_kernel(name))
    return responses


def is_signed(kernel) -> bool:
    """A kernel whose weights sum to zero answers 'how much change', which can be negative.

    Args:
        kernel: a 2-D array or a kernel name.
    """
    return abs(float(as_kernel(kernel).sum())) < 1e-9
