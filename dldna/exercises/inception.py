"""Checkers for chapter 6 (GoogLeNet / Inception)."""
from __future__ import annotations

from ..experiments.inception import inception_macs, naive_inception_macs, separable_costs
from ..models.googlenet import INCEPTION_TABLE
from . import Feedback, as_number, as_numbers, call_safely, checker

_MODULE_CASES = ((28, INCEPTION_TABLE["3a"]), (28, INCEPTION_TABLE["3b"]),
                 (14, INCEPTION_TABLE["4a"]), (7, INCEPTION_TABLE["5b"]),
                 (5, (8, 1, 2, 3, 4, 5, 6)))


@checker("the multiply-add count as an int")
def check_inception_macs(fn) -> Feedback:
    """Exercise 6.1: ``fn(size, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)``
    = multiply-adds of an Inception module with 1×1 reductions and a true 5×5 (convolutions
    only).

    Args:
        fn: the reader's function, called with the map size and the module's channel counts.
    """
    fb = Feedback("Exercise 6.1 (cost of an Inception module)")
    for size, row in _MODULE_CASES:
        expected = inception_macs(size, *row)
        got = call_safely(fb, fn, size, *row)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the count as an int")
            return fb
        got = as_number(fb, got)
        if got is None:
            return fb
        label = f"{size}×{size}, row {tuple(row)}"
        if got == expected:
            fb.passed_checks.append(f"{label}: {expected:,}")
            continue
        in_c, c1, r3, c3, r5, c5, pp = row
        hw = size * size
        if got == naive_inception_macs(size, in_c, c1, c3, c5):
            hint = "that is the naive module; the 3×3 and 5×5 see only the reduced channels"
        elif got == expected - hw * in_c * (r3 + r5):
            hint = "the two 1×1 reduction convolutions cost something too"
        elif got == expected - hw * in_c * pp:
            hint = "the 1×1 projection after the max pool is missing"
        elif got == inception_macs(size, *row, k5=3):
            hint = "the exercise asks for a true 5×5 (25 weights per channel pair)"
        else:
            hint = "add H·W·C_out·k²·C_in over the six convolutions"
        fb.problems.append(f"{label}: got {got:,}, expected {expected:,}; {hint}")
        return fb
    return fb


@checker("a pair of numbers (standard, separable)")
def check_separable_macs(fn) -> Feedback:
    """Exercise 6.2: ``fn(c_in, c_out, k, size)`` = (standard MACs, depthwise-separable MACs) of a
    k×k convolution with 'same' padding on a size×size map.

    Args:
        fn: the reader's function, called as ``fn(c_in, c_out, k, size)``.
    """
    fb = Feedback("Exercise 6.2 (depthwise-separable cost)")
    for c_in, c_out, k, size in ((32, 64, 3, 56), (128, 128, 3, 28), (64, 256, 5, 14),
                                 (3, 16, 3, 8)):
        ref = separable_costs(c_in, c_out, k, size)
        expected = (ref["standard MACs"], ref["separable MACs"])
        got = call_safely(fb, fn, c_in, c_out, k, size)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return a tuple of two ints")
            return fb
        if not isinstance(got, tuple) or len(got) != 2:
            fb.problems.append(f"return a tuple (standard, separable), got {got!r}")
            return fb
        got = as_numbers(fb, got, 2)
        if got is None:
            return fb
        label = f"C_in={c_in}, C_out={c_out}, k={k}, {size}×{size}"
        if tuple(got) == expected:
            fb.passed_checks.append(f"{label}: {expected[0]:,} vs {expected[1]:,} "
                                    f"(ratio {expected[1] / expected[0]:.3f})")
            continue
        hw = size * size
        depthwise, pointwise = hw * c_in * k * k, hw * c_in * c_out
        if got[0] != expected[0]:
            hint = "standard: H·W·C_out·k²·C_in"
        elif got[1] == depthwise:
            hint = "the 1×1 pointwise convolution that mixes the channels is missing"
        elif got[1] == pointwise:
            hint = "the depthwise k×k convolution (one filter per input channel) is missing"
        elif got[1] == hw * c_in * k * k * c_out + pointwise:
            hint = "the depthwise step has one k×k filter per input channel, not C_out of them"
        else:
            hint = "separable: H·W·C_in·k² (depthwise) + H·W·C_in·C_out (pointwise)"
        fb.problems.append(f"{label}: got {got}, expected {expected}; {hint}")
        return fb
    return fb
