"""Checkers for chapter 3 (The frequency view)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..filters.frequency import conv_full_spatial
from . import Feedback, as_tensor, call_safely, checker


@checker("the filtered 2-D array")
def check_fft_convolution(fn) -> Feedback:
    """Exercise 3.1: ``fn(image, kernel)`` gives the full linear convolution through the FFT.

    Args:
        fn: the reader's function, called as ``fn(image, kernel)`` with 2-D arrays.
    """
    fb = Feedback("Exercise 3.1 (convolution through the FFT)")
    rng = np.random.default_rng(3)
    for shape, kshape in (((6, 7), (3, 3)), ((9, 5), (2, 4))):
        image, kernel = rng.normal(size=shape), rng.normal(size=kshape)
        expected = conv_full_spatial(image, kernel)
        got = call_safely(fb, fn, image.copy(), kernel.copy())
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the filtered array")
            return fb
        got = np.real(np.asarray(got))
        label = f"image {shape}, kernel {kshape}"
        if got.shape == image.shape:
            fb.problems.append(f"{label}: output has the image's shape {shape}, so the FFT was "
                               "not padded and the result wraps around (circular convolution); "
                               f"pad both to {expected.shape} = (H + kH − 1, W + kW − 1)")
            return fb
        if got.shape != expected.shape:
            fb.problems.append(f"{label}: output shape {got.shape}, expected {expected.shape}")
            return fb
        if np.allclose(got, expected, atol=1e-8):
            fb.passed_checks.append(f"{label}: equals the spatial convolution")
            continue
        flipped = conv_full_spatial(image, kernel[::-1, ::-1])
        if np.allclose(got, flipped, atol=1e-8):
            fb.problems.append(f"{label}: you computed correlation (flipped kernel); the FFT "
                               "product gives true convolution, so do not flip the kernel")
        else:
            fb.problems.append(f"{label}: values differ by up to "
                               f"{np.abs(got - expected).max():.3g}; multiply fft2(image, s) and "
                               "fft2(kernel, s) for the same size s, then take ifft2(...).real")
        return fb
    return fb


@checker("an N×C_out×H×W float32 tensor")
def check_conv1x1(fn) -> Feedback:
    """Exercise 3.2: ``fn(x, weight)`` with weight C_out × C_in equals a 1×1 ``F.conv2d``.

    Args:
        fn: the reader's function, called as ``fn(x, weight)`` with x N×C_in×H×W.
    """
    fb = Feedback("Exercise 3.2 (1×1 convolution as a matrix product)")
    g = torch.Generator().manual_seed(5)
    x = torch.randn(2, 5, 4, 3, generator=g)
    w = torch.randn(3, 5, generator=g)
    expected = F.conv2d(x, w[:, :, None, None])
    got = call_safely(fb, fn, x.clone(), w.clone())
    if got is None:
        if fb.passed:
            fb.problems.append("your function returned None; return an N × C_out × H × W tensor")
        return fb
    got = as_tensor(fb, got)
    if got is None:
        return fb
    if tuple(got.shape) != tuple(expected.shape):
        fb.problems.append(f"output shape {tuple(got.shape)}, expected {tuple(expected.shape)} "
                           "(N × C_out × H × W): the channels must stay in dimension 1")
        return fb
    fb.passed_checks.append(f"output shape {tuple(expected.shape)}")
    fb.expect(torch.allclose(got, expected, atol=1e-5),
              "equals F.conv2d with a 1×1 kernel",
              "values differ from a 1×1 convolution: every pixel's channel vector x[n, :, h, w] "
              "must be multiplied by weight (C_out × C_in)")
    return fb
