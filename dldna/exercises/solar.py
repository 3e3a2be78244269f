"""Checkers for chapter 14 (the solar-cell project): the class mapping, a stratified split and
a threshold chosen for a cost."""
from __future__ import annotations

import numpy as np

from . import Feedback, call_safely, checker

# Labels exactly as float64 and float32 readers meet them (labels.csv, a float32 tensor).
_PROBABILITIES = [(0.0, 0), (0.3333333333333333, 1), (1 / 3, 1), (0.6666666666666666, 2),
                  (2 / 3, 2), (1.0, 3), (float(np.float32(1 / 3)), 1),
                  (float(np.float32(2 / 3)), 2)]


@checker("the class index as an int")
def check_class_mapping(fn) -> Feedback:
    """Exercise 14.1: ``fn(p)`` maps a defect probability in {0, 1/3, 2/3, 1} to 0, 1, 2 or 3.

    Args:
        fn: the reader's function of one float.
    """
    feedback = Feedback("Exercise 14.1 (probabilities to classes)")
    wrong = []
    for p, want in _PROBABILITIES:
        got = call_safely(feedback, fn, p)
        if feedback.problems:
            return feedback
        if not isinstance(got, (int, np.integer)) or isinstance(got, bool) or int(got) != want:
            wrong.append((p, got, want))
    exact = [w for w in wrong if w[0] in (0.0, 1.0)]
    float32 = [w for w in wrong if w[0] not in (0.0, 1.0, 0.3333333333333333, 1 / 3,
                                                0.6666666666666666, 2 / 3)]
    feedback.expect(not exact, "0 and 1 map to classes 0 and 3",
                    "p = 0 must give class 0 and p = 1 class 3: " + ", ".join(
                        f"p={p!r} gave {g!r}" for p, g, _ in exact))
    feedback.expect(not [w for w in wrong if w not in exact and w not in float32],
                    "1/3 and 2/3 as read from labels.csv map to classes 1 and 2",
                    "p = 0.3333333333333333 and 0.6666666666666666 must give 1 and 2 "
                    "(return a Python int)")
    feedback.expect(not float32, "the float32 values of 1/3 and 2/3 map to 1 and 2 as well",
                    "a float32 tensor holds 0.3333333432674408, not 1/3: compare with a "
                    "tolerance or, simpler, return round(3 * p)")
    return feedback


def _strata(seed: int = 14) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.choice(4, size=400, p=[0.57, 0.11, 0.05, 0.27])
    types = rng.choice(2, size=400, p=[0.4, 0.6])
    return labels, types


@checker("a pair (train positions, test positions) of integer arrays")
def check_stratified_split(fn) -> Feedback:
    """Exercise 14.2: ``split_cells(labels, types, test_fraction, seed)`` returns ``(train, test)``
    positions whose every class × type stratum is split in the proportion ``test_fraction``.

    Args:
        fn: the reader's split function (``split_cells`` in the chapter).
    """
    feedback = Feedback("Exercise 14.2 (a split stratified by class × type)")
    labels, types = _strata()
    result = call_safely(feedback, fn, labels, types, 0.25, 0)
    if feedback.problems:
        return feedback
    try:
        train, test = (np.asarray(part, dtype=np.int64).ravel() for part in result)
    except (TypeError, ValueError):
        feedback.problems.append("return two sequences of positions: (train, test)")
        return feedback
    everything = np.concatenate([train, test])
    feedback.expect(len(np.intersect1d(train, test)) == 0, "no cell is in both parts",
                    f"{len(np.intersect1d(train, test))} positions are in both parts")
    feedback.expect(sorted(everything.tolist()) == list(range(len(labels))),
                    "together the parts hold every cell once",
                    "train and test together must hold every position 0 … N−1 exactly once")
    stratum = labels * 2 + types
    off = []
    for s in np.unique(stratum):
        members = np.flatnonzero(stratum == s)
        in_test = np.isin(members, test).sum()
        if abs(in_test - 0.25 * len(members)) > 1.0:
            off.append(f"stratum class {s // 2} / {'mono' if s % 2 == 0 else 'poly'}: "
                       f"{in_test} of {len(members)} in test")
    feedback.expect(not off, "every class × type stratum has a quarter of its cells in test",
                    "the strata are not split 75/25 (" + "; ".join(off[:3]) + "): stratify "
                    "on labels * 2 + types, e.g. train_test_split(..., stratify=...)")
    return feedback


def _costs(p: np.ndarray, defective: np.ndarray, miss_cost: float, t: float) -> float:
    flagged = p >= t
    return float(miss_cost * np.sum(~flagged & defective) + np.sum(flagged & ~defective))


@checker("the threshold as a float")
def check_threshold(fn) -> Feedback:
    """Exercise 14.3: ``fn(p_defective, defective, miss_cost)`` returns the threshold with the
    lowest total cost ``miss_cost · misses + false alarms`` on the given cells.

    Args:
        fn: the reader's function (NumPy arrays in, one float out).
    """
    feedback = Feedback("Exercise 14.3 (a threshold for a stated cost)")
    rng = np.random.default_rng(3)
    defective = rng.random(300) < 0.3
    p = np.clip(0.35 * defective + rng.normal(0.3, 0.18, 300), 0, 1)
    for miss_cost in (1.0, 5.0):
        before = len(feedback.problems)
        got = call_safely(feedback, fn, p.copy(), defective.copy(), miss_cost)
        if len(feedback.problems) > before:
            return feedback
        best = min(_costs(p, defective, miss_cost, t) for t in np.append(p, 1.01))
        try:
            mine = _costs(p, defective, miss_cost, float(got))
        except (TypeError, ValueError):
            feedback.problems.append(f"return one number, got {type(got).__name__}")
            return feedback
        hint = ("try every predicted probability as the threshold and keep the cheapest"
                if miss_cost == 1.0 else "with misses 5× as costly the threshold must drop "
                "below 0.5: weight each missed defective cell by miss_cost")
        feedback.expect(mine <= best + 1e-9, f"miss cost {miss_cost:g}: total cost {mine:g} "
                        "is the lowest possible", f"miss cost {miss_cost:g}: your threshold "
                        f"{float(got):.3f} costs {mine:g}, the best costs {best:g}; {hint}")
    return feedback
