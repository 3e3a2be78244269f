"""The discrete Fourier transform written as a matrix product (checked against numpy.fft),
and the centred magnitude and phase spectrum of an image (chapter 3)."""
from __future__ import annotations

import numpy as np

from .core import to_grey


def dft_matrix(n: int) -> np.ndarray:
    """The n×n DFT matrix: M[k, t] = exp(−2πi·k·t/n), so ``M @ x`` is the DFT of ``x``.

    Args:
        n: the signal length, ≥ 1.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    k = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(k, k) / n)


def dft(signal) -> np.ndarray:
    """The DFT of a 1-D signal by the definition X[k] = Σ_t x[t]·exp(−2πi·k·t/n) (O(n²)).

    Args:
        signal: a non-empty 1-D array (real or complex).
    """
    x = np.asarray(signal)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"signal must be a non-empty 1-D array, got shape {x.shape}")
    return dft_matrix(x.size) @ x


def spectrum(image) -> tuple[np.ndarray, np.ndarray]:
    """Centred log-magnitude and phase of the 2-D FFT of a grey image (zero frequency in the
    middle).

    Args:
        image: a grey (or colour, converted to grey) image.

    Returns:
        ``(log(1 + abs(F)), angle(F))``, both the image's size.
    """
    f = np.fft.fftshift(np.fft.fft2(to_grey(image)))
    return np.log1p(np.abs(f)), np.angle(f)
