"""The frequency view of convolution (chapter 3).

* ``dft_matrix`` / ``dft`` / ``spectrum`` (from :mod:`dldna.filters.fourier`) – the discrete
  Fourier transform written as a matrix product, checked against ``numpy.fft``.
* :func:`conv_via_fft` and :func:`convolution_theorem_check` – spatial convolution equals the
  inverse FFT of the product of the FFTs, once both are zero-padded to the full output size.
* :func:`frequency_response` and :func:`plot_frequency_responses` – magnitude and phase of the
  classic kernels (from :mod:`dldna.filters`).
* :func:`frequency_filter` and :func:`plot_low_high_pass` – low-/high-pass filtering of a photo.
* ``conv1x1_as_matmul`` (from :mod:`dldna.conv.pointwise`) – a 1×1 convolution is a matrix
  product over channels at each pixel.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..plotting import annotate_cells, common_denominator
from ..conv.pointwise import conv1x1_as_matmul, conv1x1_check  # noqa: F401  (chapter 3)
from .core import as_image, as_kernel, convolve2d, get_kernel, to_grey
from .fourier import dft, dft_matrix, spectrum  # noqa: F401  (chapter 3)


def conv_via_fft(image, kernel) -> np.ndarray:
    """Full linear convolution (output (H+k−1)×(W+k−1)) by the convolution theorem.

    Both arrays are zero-padded to the full output size before the FFT; without that padding
    the product of the FFTs gives a *circular* convolution that wraps around the borders.

    Args:
        image: a grey (or colour, converted to grey) image, H × W.
        kernel: a 2-D kernel (or a kernel name), k × k.
    """
    img, ker = to_grey(image), as_kernel(kernel)
    shape = (img.shape[0] + ker.shape[0] - 1, img.shape[1] + ker.shape[1] - 1)
    return np.real(np.fft.ifft2(np.fft.fft2(img, shape) * np.fft.fft2(ker, shape)))


def conv_full_spatial(image, kernel) -> np.ndarray:
    """Full linear convolution in the spatial domain (zero border of k−1, then 'valid').

    Args:
        image: a grey (or colour, converted to grey) image, H × W.
        kernel: a 2-D kernel (or a kernel name), k × k.
    """
    img, ker = to_grey(image), as_kernel(kernel)
    padded = np.pad(img, ((ker.shape[0] - 1,) * 2, (ker.shape[1] - 1,) * 2))
    return convolve2d(padded, ker, padding="valid")


def circular_conv_via_fft(image, kernel) -> np.ndarray:
    """What you get *without* padding: the FFT product at the image size (wraps around).

    Args:
        image: a grey (or colour, converted to grey) image, H × W.
        kernel: a 2-D kernel (or a kernel name), k × k.
    """
    img, ker = to_grey(image), as_kernel(kernel)
    return np.real(np.fft.ifft2(np.fft.fft2(img) * np.fft.fft2(ker, img.shape)))


def convolution_theorem_check(image, kernel) -> dict:
    """Compare the spatial and FFT routes; relative error = max abs(difference) / max abs(spatial).

    Args:
        image: a grey (or colour, converted to grey) image, H × W.
        kernel: a 2-D kernel, k × k.

    Returns:
        A dict with the two results (``"spatial"``, ``"fft"``), the padded route's
        ``"relative_error"``, the unpadded route's largest error ``"circular_relative_error"``,
        the ``"wrap_border"`` (k−1 rows, k−1 columns) that error is confined to, and the
        unpadded error outside that border, ``"circular_interior_error"`` (rounding only).
    """
    spatial = conv_full_spatial(image, kernel)
    via_fft = conv_via_fft(image, kernel)
    scale = max(np.abs(spatial).max(), 1e-12)
    img = to_grey(image)
    circular = circular_conv_via_fft(img, kernel)
    ker = as_kernel(kernel)
    wrong = np.abs(circular - spatial[:img.shape[0], :img.shape[1]])
    border = (ker.shape[0] - 1, ker.shape[1] - 1)  # rows and columns that received wrapped values
    interior = wrong[border[0]:, border[1]:]  # empty when the kernel is as large as the image
    return {
        "spatial": spatial,
        "fft": via_fft,
        "relative_error": float(np.abs(spatial - via_fft).max() / scale),
        # circular result vs the first H×W of the linear one: they differ where it wraps
        "circular_relative_error": float(wrong.max() / scale),
        # the wrap-around only reaches the first k−1 rows and columns; the rest is exact
        "wrap_border": border,
        "circular_interior_error": float(interior.max() / scale) if interior.size else 0.0,
    }


def frequency_response(kernel, size: int = 64) -> np.ndarray:
    """The complex frequency response of a kernel on a size×size grid, zero frequency centred.

    The kernel's centre is placed at the origin (index 0, 0) first, so a symmetric kernel
    (Gaussian, box, Laplacian) has a real response (phase 0 or π) and an antisymmetric one
    (Sobel) a purely imaginary one (phase ±π/2).

    Args:
        kernel: the 2-D kernel (array or tensor), or the name of one of
            :mod:`dldna.filters`' kernels such as ``"laplacian"``.
        size: side of the zero-padded grid; at least the kernel's size. More points draw the
            response more finely, they do not change it.

    Returns:
        The complex response H, size × size, zero frequency at index ``size // 2``.
    """
    ker = as_kernel(kernel)
    if not isinstance(size, int) or size < max(ker.shape):
        raise ValueError(f"size must be an int ≥ the kernel size {max(ker.shape)}, got {size!r}")
    grid = np.zeros((size, size))
    grid[:ker.shape[0], :ker.shape[1]] = ker
    grid = np.roll(grid, (-(ker.shape[0] // 2), -(ker.shape[1] // 2)), axis=(0, 1))
    return np.fft.fftshift(np.fft.fft2(grid))


def plot_frequency_responses(names: Sequence[str] = ("box_blur", "gaussian_blur", "laplacian",
                                                     "sobel_x"), size: int = 64):
    """Kernel, magnitude abs(H) and phase ∠H (where abs(H) is not ~0) for each named kernel.

    Args:
        names: kernel names of :mod:`dldna.filters`, one column each.
        size: side of the zero-padded grid, as in :func:`frequency_response`.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, len(names), figsize=(min(7.0, 1.75 * len(names)), 6.4),
                             squeeze=False, layout="constrained")
    # frequencies in cycles per pixel; with origin="lower" they grow rightwards and upwards
    extent = (-0.5, 0.5, -0.5, 0.5)
    for col, name in enumerate(names):
        kernel = get_kernel(name) if isinstance(name, str) else as_kernel(name)
        response = frequency_response(kernel, size)
        limit = np.abs(kernel).max() or 1.0
        shown = axes[0, col].imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
        # Fractional kernels as whole numbers over a common denominator, as in chapter 1,
        # so that no weight is rounded (1/16 is not "0.062").
        d = common_denominator(kernel)
        exact = np.allclose(kernel * d, np.round(kernel * d), atol=1e-9)
        labels = np.round(kernel * d).astype(int) if exact else None
        annotate_cells(axes[0, col], kernel, shown, labels=labels, fmt="{:.2g}", fontsize=11)
        title = name if isinstance(name, str) else "kernel"
        axes[0, col].set_title(title + (f"\nentries ÷ {d}" if exact and d > 1 else ""))
        axes[0, col].axis("off")
        mag = axes[1, col].imshow(np.abs(response), cmap="magma", extent=extent, vmin=0,
                                  origin="lower")
        axes[1, col].set_title("|H|")
        fig.colorbar(mag, ax=axes[1, col], shrink=0.8, ticks=plt.MaxNLocator(4))
        phase = np.where(np.abs(response) > 1e-9 * np.abs(response).max(), np.angle(response),
                         np.nan)
        ph = axes[2, col].imshow(phase, cmap="twilight", vmin=-np.pi, vmax=np.pi, extent=extent,
                                 origin="lower")
        axes[2, col].set_title("phase ∠H")
        for ax in axes[1:, col]:
            ax.set_xticks((-0.5, 0, 0.5), ("−0.5", "0", "0.5"))
            ax.set_yticks((-0.5, 0, 0.5), ("−0.5", "0", "0.5") if col == 0 else ())
    bar = fig.colorbar(ph, ax=axes[2, :].tolist(), shrink=0.8,
                       ticks=(-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi))
    bar.ax.set_yticklabels(("−π", "−π/2", "0", "π/2", "π"))
    for row in (1, 2):
        axes[row, 0].set_ylabel("vertical frequency")
    fig.supxlabel("horizontal frequency (cycles per pixel); zero frequency in the centre")
    return fig


def frequency_mask(shape: tuple[int, int], cutoff: float, *, kind: str = "low",
                   profile: str = "gaussian") -> np.ndarray:
    """A centred frequency-domain mask; ``cutoff`` in cycles per pixel (0 < cutoff ≤ 0.5).

    Args:
        shape: height and width of the image (and of the mask), in pixels.
        cutoff: the radius, in cycles per pixel, where the low-pass mask falls to
            e^(−1/2) ≈ 0.61 (Gaussian) or from 1 to 0 (ideal).
        kind: ``"low"`` keeps the frequencies inside the cutoff, ``"high"`` is one minus it.
        profile: ``"gaussian"`` for a smooth mask, ``"ideal"`` for a sharp-edged disc.

    Returns:
        The mask, zero frequency in the centre (the layout of ``np.fft.fftshift``).
    """
    if kind not in ("low", "high"):
        raise ValueError(f"kind must be 'low' or 'high', got {kind!r}")
    if profile not in ("gaussian", "ideal"):
        raise ValueError(f"profile must be 'gaussian' or 'ideal', got {profile!r}")
    if not 0 < cutoff <= 0.5:
        raise ValueError(f"cutoff must be in (0, 0.5] cycles per pixel, got {cutoff!r}")
    fy = np.fft.fftshift(np.fft.fftfreq(shape[0]))[:, None]
    fx = np.fft.fftshift(np.fft.fftfreq(shape[1]))[None, :]
    radius = np.hypot(fy, fx)
    low = (np.exp(-0.5 * (radius / cutoff) ** 2) if profile == "gaussian"
           else (radius <= cutoff).astype(float))
    return low if kind == "low" else 1.0 - low


def frequency_filter(image, cutoff: float, *, kind: str = "low",
                     profile: str = "gaussian") -> np.ndarray:
    """Filter a grey image by multiplying its spectrum with a low- or high-pass mask.

    Args:
        image: the image; a colour image is converted to grey first.
        cutoff: the mask's cutoff in cycles per pixel, as in :func:`frequency_mask`.
        kind: ``"low"`` or ``"high"``, as in :func:`frequency_mask`.
        profile: ``"gaussian"`` or ``"ideal"``, as in :func:`frequency_mask`.

    Returns:
        The filtered image, real-valued, of the same height and width.
    """
    img = to_grey(image)
    mask = frequency_mask(img.shape, cutoff, kind=kind, profile=profile)
    f = np.fft.fftshift(np.fft.fft2(img))
    return np.real(np.fft.ifft2(np.fft.ifftshift(f * mask)))


def _draw_cutoff(ax, cutoff: float) -> None:
    from matplotlib.patches import Circle

    ax.add_patch(Circle((0, 0), cutoff, fill=False, ls="--", lw=1.2, color="#2ca02c"))


def plot_low_high_pass(image, cutoff: float = 0.05, *, title: str = "photo"):
    """Photo and its spectrum with the cutoff circle; the Gaussian and ideal low-pass masks with
    the results of the low- and high-pass filters (high-pass mask = 1 − low-pass mask).

    Args:
        image: the photo; a colour image is converted to grey.
        cutoff: the masks' cutoff in cycles per pixel, in (0, 0.5].
        title: the title of the photo's panel (name its source).

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    img = to_grey(as_image(image))
    magnitude, _ = spectrum(img)
    half = 0.5
    extent = (-half, half, -half, half)  # cycles per pixel, zero frequency in the centre
    fig, axes = plt.subplots(3, 3, figsize=(7.0, 7.6), layout="constrained")
    axes[0, 0].imshow(img, cmap="gray")
    axes[0, 0].set_title(title)
    axes[0, 1].imshow(magnitude, cmap="magma", extent=extent, origin="lower")
    _draw_cutoff(axes[0, 1], cutoff)
    axes[0, 1].set_title("log(1 + |FFT|), centred;\ndashed: the cutoff")
    profile = axes[0, 2]
    for name, style in (("gaussian", "-"), ("ideal", "--")):
        line = frequency_mask((1, 401), cutoff, profile=name)[0, 200:]
        profile.plot(np.linspace(0, half, line.size), line, style, label=f"{name} low-pass")
    profile.axvline(cutoff, color="#2ca02c", lw=1)
    profile.set_xlim(0, min(half, 6 * cutoff))
    profile.set_xlabel("distance from the centre\n(cycles per pixel)")
    profile.set_title("mask along a radius")
    profile.legend(fontsize=8, loc="upper right")
    for row, name in ((1, "Gaussian"), (2, "ideal")):
        mask = frequency_mask(img.shape, cutoff, profile=name.lower())
        axes[row, 0].imshow(mask, cmap="gray", vmin=0, vmax=1, extent=extent, origin="lower")
        _draw_cutoff(axes[row, 0], cutoff)
        zoom = min(half, 4 * cutoff)
        axes[row, 0].set_xlim(-zoom, zoom)
        axes[row, 0].set_ylim(-zoom, zoom)
        axes[row, 0].set_title(f"{name} low-pass mask\n(centre; white = 1)")
        low = frequency_filter(img, cutoff, kind="low", profile=name.lower())
        high = frequency_filter(img, cutoff, kind="high", profile=name.lower())
        axes[row, 1].imshow(low, cmap="gray")
        axes[row, 1].set_title(f"low-pass ({name})")
        limit = float(np.percentile(np.abs(high), 99.5)) or 1.0
        axes[row, 2].imshow(high, cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[row, 2].set_title(f"high-pass ({name})")
    for ax in (axes[0, 0], axes[1, 1], axes[1, 2], axes[2, 1], axes[2, 2]):
        ax.axis("off")
    for ax in (axes[0, 1], axes[1, 0], axes[2, 0]):
        ax.tick_params(labelsize=8)
    fig.suptitle(f"low- and high-pass filtering, cutoff {cutoff:g} cycles per pixel")
    return fig
