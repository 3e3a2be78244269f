"""Checkers for chapter 11 (Training recipes)."""
from __future__ import annotations

import math

import torch

from . import Feedback, as_number, as_tensor, call_safely, checker


def warmup_cosine_reference(step: int, total: int, warmup: int, peak: float,
                            floor: float = 0.0) -> float:
    """Linear warm-up to ``peak`` over ``warmup`` steps, then cosine down to ``floor``.

    Args:
        step: the step, counted from 0.
        total: number of steps in all.
        warmup: warm-up steps; the rate reaches ``peak`` at step ``warmup - 1``.
        peak: the highest learning rate.
        floor: the learning rate at the end.
    """
    if step < warmup:
        return peak * (step + 1) / warmup
    t, span = step - warmup, max(1, total - warmup)
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * t / span))


@checker("the learning rate as a float")
def check_warmup_cosine(fn) -> Feedback:
    """Exercise 11.1: ``fn(step, total, warmup, peak, floor)`` gives the learning rate.

    Args:
        fn: the reader's function, called as ``fn(step, total, warmup, peak, floor)``.
    """
    fb = Feedback("Exercise 11.1 (warm-up + cosine schedule)")
    cases = [(s, 100, 10, 0.1, 0.001) for s in (0, 4, 9, 10, 40, 55, 99)]
    cases += [(0, 50, 5, 1.0, 0.0), (30, 50, 5, 1.0, 0.0)]
    for case in cases:
        got = call_safely(fb, fn, *case)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the learning rate")
            return fb
        got = as_number(fb, got)
        if got is None:
            return fb
        want = warmup_cosine_reference(*case)
        step, total, warmup = case[:3]
        if abs(float(got) - want) > 1e-9:
            phase = "warm-up" if step < warmup else "cosine"
            hint = ("during warm-up the rate rises linearly: peak·(step+1)/warmup"
                    if step < warmup else
                    "after warm-up: floor + ½(peak − floor)(1 + cos(π·(step − warmup)/(total − "
                    "warmup)))")
            fb.problems.append(f"step {step} ({phase}) of {case}: expected {want:.6g}, got "
                               f"{float(got):.6g}; {hint}")
            return fb
    fb.expect(True, f"all {len(cases)} steps match (warm-up and cosine phases)", "")
    return fb


@checker("an N×K float32 tensor of target distributions")
def check_smooth_labels(fn) -> Feedback:
    """Exercise 11.2: ``fn(labels, num_classes, eps)`` returns the smoothed target matrix.

    Args:
        fn: the reader's function, called as ``fn(labels, num_classes, eps)``.
    """
    fb = Feedback("Exercise 11.2 (label-smoothed targets)")
    labels, k, eps = torch.tensor([0, 3, 1]), 4, 0.1
    targets = call_safely(fb, fn, labels, k, eps)
    if targets is None:
        if fb.passed:
            fb.problems.append("your function returned None; return an N×K tensor")
        return fb
    targets = as_tensor(fb, targets)
    if targets is None:
        return fb
    if not fb.expect(targets.shape == (3, k), "shape N×K",
                     f"expected shape (3, {k}), got {tuple(targets.shape)}"):
        return fb
    fb.expect(torch.allclose(targets.sum(1), torch.ones(3)), "every row sums to 1",
              f"rows sum to {targets.sum(1).tolist()}; a target distribution must sum to 1")
    right = 1 - eps + eps / k
    fb.expect(torch.allclose(targets[torch.arange(3), labels], torch.full((3,), right)),
              f"the true class gets 1 − ε + ε/K = {right:g}",
              f"the true class should get 1 − ε + ε/K = {right:g}, got "
              f"{targets[torch.arange(3), labels].tolist()} (did you forget the ε/K share?)")
    logits = torch.randn(3, k, generator=torch.Generator().manual_seed(0))
    ours = -(targets * logits.log_softmax(1)).sum(1).mean()
    torch_loss = torch.nn.CrossEntropyLoss(label_smoothing=eps)(logits, labels)
    fb.expect(torch.allclose(ours, torch_loss, atol=1e-6),
              "cross-entropy with your targets equals CrossEntropyLoss(label_smoothing=ε)",
              f"cross-entropy with your targets is {float(ours):.5f} but PyTorch's "
              f"label-smoothed loss is {float(torch_loss):.5f}")
    return fb
