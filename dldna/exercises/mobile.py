"""Checkers for chapter 8 (MobileNet and EfficientNet)."""
from __future__ import annotations

import torch

from . import Feedback, as_numbers, as_tensor, call_safely, checker

_CASES = [(32, 64, 3, 112, 112), (128, 256, 5, 14, 14), (3, 16, 3, 7, 9)]


@checker("a pair of numbers (standard, separable)")
def check_separable_macs(fn) -> Feedback:
    """Exercise 8.1: ``fn(c_in, c_out, k, h, w)`` → (standard, separable) multiply-adds.

    Args:
        fn: the reader's function, called as ``fn(c_in, c_out, k, h, w)``.
    """
    fb = Feedback("Exercise 8.1 (depthwise-separable cost)")
    for c_in, c_out, k, h, w in _CASES:
        result = call_safely(fb, fn, c_in, c_out, k, h, w)
        if result is None:
            if fb.passed:
                fb.problems.append("your function returned None; return (standard, separable)")
            return fb
        if not (isinstance(result, tuple) and len(result) == 2):
            fb.problems.append("return a pair of two numbers: (standard, separable)")
            return fb
        numbers = as_numbers(fb, result, 2)
        if numbers is None:
            return fb
        standard, separable = (int(round(r)) for r in numbers)
        full = h * w * c_out * c_in * k * k
        dw, pw = h * w * c_in * k * k, h * w * c_in * c_out
        case = f"C_in={c_in}, C_out={c_out}, k={k}, {h}×{w}"
        if standard != full:
            fb.problems.append(f"{case}: the standard convolution costs H·W·C_out·C_in·k² = "
                               f"{full:,} multiply-adds, you returned {standard:,}")
            return fb
        if separable == dw:
            fb.problems.append(f"{case}: you counted only the depthwise part; add the 1×1 "
                               "pointwise convolution (H·W·C_in·C_out)")
            return fb
        if separable == pw:
            fb.problems.append(f"{case}: you counted only the pointwise part; add the depthwise "
                               "k×k convolution (H·W·C_in·k², one filter per channel)")
            return fb
        if separable != dw + pw:
            fb.problems.append(f"{case}: depthwise + pointwise = {dw:,} + {pw:,}, you returned "
                               f"{separable:,}")
            return fb
    fb.expect(True, "standard cost H·W·C_out·C_in·k² in every case", "")
    fb.expect(True, "separable cost H·W·C_in·(k² + C_out) in every case", "")
    return fb


@checker("the rescaled float32 tensor of the input's shape")
def check_squeeze_excite(fn) -> Feedback:
    """Exercise 8.2: ``fn(x, w1, b1, w2, b2)`` is squeeze-and-excitation on (N, C, H, W).

    Args:
        fn: the reader's function, called as ``fn(x, w1, b1, w2, b2)``.
    """
    fb = Feedback("Exercise 8.2 (squeeze-and-excitation by hand)")
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 8, 5, 5, generator=g)
    w1, b1 = torch.randn(2, 8, generator=g), torch.randn(2, generator=g)
    w2, b2 = torch.randn(8, 2, generator=g), torch.randn(8, generator=g)
    out = call_safely(fb, fn, x.clone(), w1, b1, w2, b2)
    if out is None:
        if fb.passed:
            fb.problems.append("your function returned None; return the rescaled tensor")
        return fb
    out = as_tensor(fb, out)
    if out is None:
        return fb
    if out.shape != x.shape:
        fb.problems.append(f"the output must have the input's shape {tuple(x.shape)}, got "
                           f"{tuple(out.shape)}: multiply x by one factor per channel")
        return fb
    squeezed = x.mean(dim=(2, 3))
    gate = torch.sigmoid(torch.relu(squeezed @ w1.T + b1) @ w2.T + b2)
    expected = x * gate[:, :, None, None]
    no_relu = x * torch.sigmoid((squeezed @ w1.T + b1) @ w2.T + b2)[:, :, None, None]
    max_pool = torch.sigmoid(torch.relu(x.amax(dim=(2, 3)) @ w1.T + b1) @ w2.T + b2)
    if torch.allclose(out, no_relu, atol=1e-5):
        fb.problems.append("apply ReLU between the two fully connected layers")
    elif torch.allclose(out, x * max_pool[:, :, None, None], atol=1e-5):
        fb.problems.append("squeeze with the average over H and W, not the maximum")
    elif torch.allclose(out, gate[:, :, None, None].expand_as(x), atol=1e-5):
        fb.problems.append("you returned the gate; multiply it with x")
    else:
        fb.expect(torch.allclose(out, expected, atol=1e-5),
                  "x · σ(W2·ReLU(W1·mean(x) + b1) + b2), channel by channel",
                  "the output differs from x · σ(W2·ReLU(W1·mean(x) + b1) + b2); squeeze "
                  "with x.mean(dim=(2, 3)) and use the weights as W·s + b")
    if fb.passed:
        gates = out / x
        fb.expect(bool(((gates > 0) & (gates < 1)).all()), "every factor lies between 0 and 1",
                  "the factors must lie in (0, 1): end the gate with a sigmoid")
    return fb
