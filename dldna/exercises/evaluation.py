"""Checkers for chapter 13 (Evaluation, TTA, ensembles and calibration)."""
from __future__ import annotations

import math

import numpy as np
import torch

from ..evaluate import expected_calibration_error
from . import Feedback, call_safely, checker


def _ece_cases() -> list[tuple[str, torch.Tensor, torch.Tensor, int]]:
    g = torch.Generator().manual_seed(13)
    labels = torch.randint(0, 10, (500,), generator=g)
    logits = torch.randn(500, 10, generator=g)
    logits[torch.arange(500), labels] += 1.5
    calibrated = torch.full((10, 2), 0.3)
    calibrated[:, 0] = 0.7
    sure = torch.tensor([[1.0, 0.0], [0.95, 0.05], [0.6, 0.4], [0.6, 0.4]])
    return [
        ("random softmax outputs, 15 bins", (3 * logits).softmax(1), labels, 15),
        ("the same outputs, 5 bins", (3 * logits).softmax(1), labels, 5),
        ("confidence 0.7, right 7 times in 10", calibrated,
         torch.tensor([0] * 7 + [1] * 3), 15),
        ("confidences 1.0, 0.95 and 0.6", sure, torch.tensor([0, 1, 0, 1]), 10),
    ]


def _hint(got: float, want: float, probs: torch.Tensor, labels: torch.Tensor, bins: int) -> str:
    confidence, predicted = probs.max(1)
    unweighted = 0.0
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            acc = (predicted[inside] == labels[inside]).float().mean()
            unweighted += abs(acc - confidence[inside].mean()).item() / bins
    overall = abs((predicted == labels).float().mean() - confidence.mean()).item()
    if math.isclose(got, overall, abs_tol=1e-6):
        return ("that is |mean accuracy − mean confidence| over all examples; compute the gap "
                "in each bin, then take the weighted mean of the absolute gaps")
    if math.isclose(got, unweighted, abs_tol=1e-6):
        return "weight each bin's gap by its share of the examples |B_m| / N, not by 1 / M"
    return ("put each example's top-class confidence into the bin ((m−1)/M, m/M], and add "
            "|B_m|/N · |acc(B_m) − conf(B_m)| over the bins that are not empty")


@checker("the expected calibration error as a float")
def check_ece(fn) -> Feedback:
    """Exercise 13.1: ``fn(probs, labels, n_bins)`` returns the expected calibration error.

    Args:
        fn: the reader's function, called with an N×C probability tensor, N labels and the
            number of bins.
    """
    fb = Feedback("Exercise 13.1 (expected calibration error)")
    for what, probs, labels, bins in _ece_cases():
        got = call_safely(fb, fn, probs.clone(), labels.clone(), bins)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the ECE as a number")
            return fb
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, (int, float, np.number)):
            fb.problems.append(f"return one number, got {type(got).__name__}")
            return fb
        got = float(got)
        want = expected_calibration_error(probs, labels, bins)
        if not math.isclose(got, want, abs_tol=1e-5):
            fb.problems.append(f"{what}: expected ECE {want:.4f}, got {got:.4f}; "
                               f"{_hint(got, want, probs, labels, bins)}")
            return fb
        fb.passed_checks.append(f"{what}: ECE {want:.4f}")
    return fb


def _reference_interval(values: np.ndarray, level: float) -> tuple[float, float]:
    rng = np.random.default_rng(12345)
    means = values[rng.integers(0, values.size, size=(20_000, values.size))].mean(1)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


@checker("a pair of floats (low, high)")
def check_bootstrap_interval(fn) -> Feedback:
    """Exercise 13.2: ``fn(values, n_boot, level, seed)`` returns ``(low, high)``, the
    percentile-bootstrap interval of the mean of ``values``.

    Args:
        fn: the reader's function, called with a 1-D NumPy array (0/1 results, and once
            other numbers), the number of resamples, the confidence level and a seed.
    """
    fb = Feedback("Exercise 13.2 (bootstrap interval)")
    rng = np.random.default_rng(7)
    cases = [("400 results, 80 % right, 95 %", (rng.random(400) < 0.8).astype(float), 0.95),
             ("100 results, 60 % right, 90 %", (rng.random(100) < 0.6).astype(float), 0.90)]
    for what, values, level in cases:
        got = call_safely(fb, fn, values.copy(), 4000, level, 0)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return (low, high)")
            return fb
        try:
            low, high = (float(x) for x in got)
        except (TypeError, ValueError):
            fb.problems.append(f"return two numbers (low, high), got {got!r}")
            return fb
        want_low, want_high = _reference_interval(values, level)
        mean, width = values.mean(), want_high - want_low
        if not low <= mean <= high:
            fb.problems.append(f"{what}: ({low:.3f}, {high:.3f}) does not contain the mean "
                               f"{mean:.3f}; take percentiles of the resampled *means*")
            return fb
        if abs(low - want_low) > 0.1 * width or abs(high - want_high) > 0.1 * width:
            fb.problems.append(
                f"{what}: expected about ({want_low:.3f}, {want_high:.3f}), got ({low:.3f}, "
                f"{high:.3f}); resample len(values) values *with replacement* n_boot times, "
                f"take each resample's mean, then the {50 * (1 - level):g}th and "
                f"{100 - 50 * (1 - level):g}th percentiles")
            return fb
        fb.passed_checks.append(f"{what}: ({low:.3f}, {high:.3f})")
    spread = rng.random(50)  # continuous values, so two different resamplings differ
    again = call_safely(fb, fn, spread.copy(), 500, 0.95, 0)
    first = call_safely(fb, fn, spread.copy(), 500, 0.95, 0)
    if again is not None and first is not None:
        fb.expect(np.allclose(np.asarray(again, float), np.asarray(first, float)),
                  "the same seed gives the same interval",
                  "two calls with seed 0 gave different intervals; draw the resamples from "
                  "np.random.default_rng(seed)")
    return fb
