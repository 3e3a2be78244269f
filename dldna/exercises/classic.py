"""Checkers for chapter 5 (LeNet-5, AlexNet, VGG)."""
from __future__ import annotations

from ..measure.architectures import stack_vs_single
from ..measure.counting import count_parameters
from ..models.vgg import CONFIGS, make_layers
from . import Feedback, as_number, as_numbers, call_safely, checker

_VGG_CASES = ([64, "M", 128], [16, 16, "M", 32, 32, "M"], CONFIGS["vgg11"], CONFIGS["vgg16"])


@checker("the parameter count as an int")
def check_vgg_conv_params(fn) -> Feedback:
    """Exercise 5.1: ``fn(config, in_channels)`` = parameters of VGG's convolutions (weights and
    biases) for a configuration list of channel counts and "M".

    Args:
        fn: the reader's function, called as ``fn(config, in_channels)``.
    """
    fb = Feedback("Exercise 5.1 (parameters of a VGG configuration)")
    for config, in_channels in [(c, 3) for c in _VGG_CASES] + [([8, "M", 8], 1)]:
        expected = count_parameters(make_layers(config, in_channels=in_channels))
        got = call_safely(fb, fn, list(config), in_channels)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the count as an int")
            return fb
        got = as_number(fb, got)
        if got is None:
            return fb
        label = str(config) if len(config) < 8 else f"VGG config with {len(config)} entries"
        label += f", {in_channels} input channel{'s' if in_channels > 1 else ''}"
        if got == expected:
            fb.passed_checks.append(f"{label}: {expected:,}")
            continue
        channels = [c for c in config if c != "M"]
        biases = sum(channels)
        if got == expected - biases:
            hint = "the biases are missing (one per filter)"
        elif got == count_parameters(make_layers(config, in_channels=3)) and in_channels != 3:
            hint = "the first layer's input must be in_channels, not always 3"
        elif got == _without_chaining(channels, in_channels):
            hint = "each layer's input is the previous layer's output, not in_channels"
        else:
            hint = "sum C_out·C_in·3·3 + C_out over the convolutions; 'M' adds nothing"
        fb.problems.append(f"{label}: got {got:,}, expected {expected:,}; {hint}")
        return fb
    return fb


def _without_chaining(channels, in_channels: int) -> int:
    return sum(c * in_channels * 9 + c for c in channels)


@checker("a tuple of three ints (layers, stacked weights, single weights)")
def check_stack_cost(fn) -> Feedback:
    """Exercise 5.2: ``fn(k, c)`` = (number of 3×3 layers with the field of one k×k, their
    weights, the k×k layer's weights), C → C channels, no biases.

    Args:
        fn: the reader's function, called as ``fn(k, c)``.
    """
    fb = Feedback("Exercise 5.2 (same field, fewer weights)")
    for k, c in ((5, 64), (7, 64), (7, 256), (9, 32), (11, 16)):
        ref = stack_vs_single(k, c)
        expected = (ref["layers"], ref["weights_stack"], ref["weights_single"])
        got = call_safely(fb, fn, k, c)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return a tuple of three ints")
            return fb
        if not isinstance(got, tuple) or len(got) != 3:
            fb.problems.append(f"k={k}, C={c}: return a tuple (layers, stacked weights, "
                               f"single weights), got {got!r}")
            return fb
        got = as_numbers(fb, got, 3)
        if got is None:
            return fb
        if tuple(got) == expected:
            fb.passed_checks.append(f"k={k}, C={c}: {expected[0]} layers, "
                                    f"{expected[1]:,} vs {expected[2]:,} weights")
            continue
        layers, stacked, single = got
        if layers != expected[0]:
            hint = (f"{layers} layers of 3×3 is not it: each layer adds 2 pixels to the field, "
                    f"so k×k needs (k − 1)/2 = {expected[0]}")
        elif single != expected[2]:
            hint = f"one k×k layer has k²·C² = {expected[2]:,} weights"
        elif stacked == expected[0] * 9 * c:
            hint = "each 3×3 layer maps C channels to C channels: 9·C² weights, not 9·C"
        else:
            hint = f"the stack has (k − 1)/2 · 9·C² = {expected[1]:,} weights"
        fb.problems.append(f"k={k}, C={c}: got {got}, expected {expected}; {hint}")
        return fb
    return fb
