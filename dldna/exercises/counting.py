"""Checkers for chapter 4 (CNN building blocks)."""
from __future__ import annotations

import torch.nn as nn

from ..measure.receptive_field import receptive_field
from . import Feedback, as_number, call_safely, checker


@checker("the parameter count as an int")
def check_conv_params(fn) -> Feedback:
    """Exercise 4.1: ``fn(c_in, c_out, k, bias)`` equals the parameter count of ``nn.Conv2d``.

    Args:
        fn: the reader's function, called as ``fn(c_in, c_out, k, bias)``.
    """
    fb = Feedback("Exercise 4.1 (parameters of a convolution)")
    for c_in, c_out, k, bias in ((1, 32, 3, True), (3, 64, 3, True), (64, 128, 1, False),
                                 (16, 8, 5, True), (64, 64, 3, False)):
        expected = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, bias=bias).parameters())
        got = call_safely(fb, fn, c_in, c_out, k, bias)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the count as an int")
            return fb
        got = as_number(fb, got)
        if got is None:
            return fb
        label = f"Conv2d({c_in}, {c_out}, {k}, bias={bias})"
        if got == expected:
            fb.passed_checks.append(f"{label}: {expected:,}")
            continue
        weights = c_out * c_in * k * k
        if bias and got == weights:
            fb.problems.append(f"{label}: got {got:,}; the {c_out} biases (one per filter) "
                               "are missing")
        elif not bias and got == weights + c_out:
            fb.problems.append(f"{label}: got {got:,}; with bias=False there are no biases")
        elif got in (c_out * k * k + c_out * bias, c_out * k * k):
            fb.problems.append(f"{label}: got {got:,}; each filter spans all {c_in} input "
                               "channels, so multiply by C_in")
        elif got in (c_out * c_in * k + c_out * bias, c_out * c_in * k):
            fb.problems.append(f"{label}: got {got:,}; a k×k kernel has k² = {k * k} weights")
        else:
            fb.problems.append(f"{label}: got {got:,}, expected {expected:,} "
                               "= C_out·C_in·k² (+ C_out biases)")
        return fb
    return fb


@checker("the receptive field size as an int")
def check_receptive_field(fn) -> Feedback:
    """Exercise 4.2: ``fn(layers)`` with layers = [(kernel, stride), ...] gives the field size.

    Args:
        fn: the reader's function, called as ``fn(layers)`` with a list of
            ``(kernel, stride)`` pairs.
    """
    fb = Feedback("Exercise 4.2 (receptive field of a stack)")
    cases = ([(3, 1), (3, 1)], [(3, 1)] * 3, [(5, 1), (2, 2), (5, 1), (2, 2)],
             [(7, 2), (3, 2), (3, 1), (3, 1)], [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)])
    for layers in cases:
        expected = receptive_field(layers)
        got = call_safely(fb, fn, list(layers))
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the size as an int")
            return fb
        got = as_number(fb, got)
        if got is None:
            return fb
        if got == expected:
            fb.passed_checks.append(f"{layers}: {expected}")
            continue
        no_jump = 1 + sum(k - 1 for k, _ in layers)
        if got == no_jump:
            fb.problems.append(f"{layers}: got {got}, expected {expected}; after a stride-s layer "
                               "each further step of a kernel moves s input pixels: multiply "
                               "(k − 1) by the product of the earlier strides")
        elif got == no_jump - 1 or got == expected - 1:
            fb.problems.append(f"{layers}: got {got}, expected {expected}; start from r = 1 "
                               "(one pixel sees itself)")
        else:
            fb.problems.append(f"{layers}: got {got}, expected {expected}; use r ← r + (k − 1)·j "
                               "then j ← j·s, starting from r = 1, j = 1")
        return fb
    return fb
