"""Chapter 14's sentences, chosen from the measured intervals.

The chapter's verdicts ("the views made no clear difference to the pooling head", "16 of 26
errors go to p = 0", "the split cannot tell mono from poly") are read off the numbers by these
small functions, so that the text says what the numbers say in every profile (smoke, cpu, gpu).
:mod:`dldna.experiments.solar` holds the setup and :mod:`dldna.experiments.solar_runs` the runs.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..evaluate.intervals import Interval, bootstrap_means

#: Short class names for narrow figure panels, in the order of ``dldna.data.elpv.CLASSES``.
SHORT_CLASSES = ("p=0", "p=1/3", "p=2/3", "p=1")


def _check_interval(value, name: str) -> None:
    if not isinstance(value, Interval):
        raise TypeError(f"{name} must be a dldna.evaluate.Interval (e.g. from "
                        f"paired_difference or bootstrap_ci), got {type(value).__name__}")


def percent(fraction: float, digits: int = 1) -> str:
    """A fraction as the chapter writes percentages: ``0.867`` → ``"86.7 %"``."""
    try:  # a Python or numpy number, or a one-element tensor
        value = float(fraction) if not isinstance(fraction, (str, bool)) else None
    except (TypeError, ValueError, RuntimeError):
        value = None
    if value is None:
        raise TypeError(f"fraction must be a number such as 0.867, got {fraction!r}")
    return f"{100 * value:.{digits}f} %"


def effect(difference: Interval, what: str) -> str:
    """What a change did to ``what``, read from the interval of its paired gain: "helped X"
    (the interval lies above 0), "hurt X" (below 0) or "made no clear difference to X".

    Args:
        difference: the gain of the change, e.g. from
            :func:`dldna.evaluate.paired_difference`.
        what: the model it was measured on, as the sentence names it.
    """
    _check_interval(difference, "difference")
    if difference.low > 0:
        return f"helped {what}"
    if difference.high < 0:
        return f"hurt {what}"
    return f"made no clear difference to {what}"


def independent_difference(values_a, values_b, *, n_boot: int = 2000, level: float = 0.95,
                           seed: int = 0) -> Interval:
    """Mean of ``values_a`` minus mean of ``values_b`` for two *different* groups of examples
    (e.g. mono and poly test cells), with a bootstrap that resamples each group on its own.

    Unlike :func:`dldna.evaluate.paired_difference` nothing is shared between the
    groups, so nothing cancels: the interval is about as wide as the two groups' intervals
    combined.

    Args:
        values_a: one number per example of group A, e.g. 1/0 for right/wrong.
        values_b: the same for group B (any size).
        n_boot: bootstrap resamples.
        level: confidence level, in (0, 1).
        seed: seed of the resampling (group B uses ``seed + 1``).

    Returns:
        An :class:`~dldna.evaluate.Interval` in percentage points.
    """
    a = np.asarray(values_a, dtype=np.float64).ravel()
    b = np.asarray(values_b, dtype=np.float64).ravel()
    if min(a.size, b.size) < 2:
        raise ValueError(f"each group needs at least 2 examples, got {a.size} and {b.size}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    replicates = bootstrap_means(a, n_boot, seed) - bootstrap_means(b, n_boot, seed + 1)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return Interval(float(a.mean() - b.mean()), float(low), float(high), level, "points")


def gap_verdict(difference: Interval, a: str, b: str) -> str:
    """The reading of a difference A − B between two groups, as a clause for the text.

    Args:
        difference: the interval of A − B, e.g. from
            :func:`dldna.experiments.solar_verdicts.independent_difference`.
        a: the name of group A.
        b: the name of group B.
    """
    _check_interval(difference, "difference")
    if difference.includes(0.0):
        return (f"the interval includes 0, so this test split cannot tell whether {a} or {b} "
                "cells are classified better")
    better, worse = (a, b) if difference.low > 0 else (b, a)
    return f"the interval excludes 0: {better} cells are classified better than {worse} cells"


def error_pattern(matrix, names: Sequence[str] = SHORT_CLASSES) -> list[str]:
    """Where the errors of every class go, read from a confusion matrix over ordered classes.

    For each true class with errors it says how many of them land in a neighbouring class (one
    grade away on 0, 1/3, 2/3, 1) and, when most do not, where most of them go; for the last
    class it also counts the cells called the first class (a defective cell called
    functional). The clauses follow the numbers, whichever way they fall.

    Args:
        matrix: counts, rows the true class and columns the predicted one (square).
        names: the classes' names in order, as the text writes them.

    Returns:
        One clause per class that has errors, e.g. "12 of the 20 errors on p=1/3 cells land
        in a neighbouring class".
    """
    m = np.asarray(matrix, dtype=np.int64)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] != len(names):
        raise ValueError(f"matrix must be square with one row per name, got {m.shape}")
    last, clauses = len(names) - 1, []
    for true in range(len(names)):
        errors = int(m[true].sum() - m[true, true])
        if errors == 0:
            continue
        near = int(sum(m[true, j] for j in (true - 1, true + 1) if 0 <= j <= last))
        if errors == 1:
            clause = (f"the one error on {names[true]} cells "
                      f"{'lands' if near else 'does not land'} in a neighbouring class")
        else:
            clause = (f"{_how_many(near, errors)} on {names[true]} cells land in a neighbouring "
                      "class")
        far = [j for j in range(len(names)) if abs(j - true) > 1]
        most = max(far, key=lambda j: m[true, j]) if far else None
        if near * 2 < errors and most is not None and not (true == last and most == 0):
            clause += f", {int(m[true, most])} {'goes' if m[true, most] == 1 else 'go'} to " \
                      f"{names[most]}"
        if true == last and last > 0:
            clause += (f"; {int(m[true, 0])} of all {int(m[true].sum())} {names[true]} cells "
                       f"{'is' if m[true, 0] == 1 else 'are'} called {names[0]}")
        clauses.append(clause)
    return clauses


def _how_many(part: int, whole: int) -> str:
    """"all 4 errors", "none of the 4 errors", "only 1 of the 4 errors", "3 of the 4 errors"."""
    if part == whole:
        return f"all {whole} errors"
    if part == 0:
        return f"none of the {whole} errors"
    return f"{'only ' if part * 2 < whole else ''}{part} of the {whole} errors"


def effect_word(difference: Interval) -> str:
    """"a significant gain", "a significant loss" or "a tie (the interval includes 0)"."""
    _check_interval(difference, "difference")
    if difference.low > 0:
        return "a significant gain"
    if difference.high < 0:
        return "a significant loss"
    return "a tie (the interval includes 0)"


def steps_verdict(reference: str, reference_score: Interval, steps: dict[str, Interval],
                  final_vs_reference: Interval) -> str:
    """Whether any step added after a reference model raised accuracy, as a sentence.

    Args:
        reference: the reference model as the sentence names it, e.g. ``"the pooling head"``.
        reference_score: its accuracy.
        steps: the accuracy of each later model, by the name the sentence uses.
        final_vs_reference: the paired difference final model − reference.
    """
    _check_interval(reference_score, "reference_score")
    _check_interval(final_vs_reference, "final_vs_reference")
    for name, score in steps.items():
        _check_interval(score, f"steps[{name!r}]")
    above = [name for name, score in steps.items() if score.estimate > reference_score.estimate]
    if not above:
        text = (f"none of the steps after {reference} ({', '.join(steps)}) raised binary "
                f"accuracy above the {reference_score} of {reference} alone")
    else:
        named = ", ".join(above[:-1]) + " and " + above[-1] if len(above) > 1 else above[0]
        text = (f"of the steps after {reference}, {named} raised the point estimate "
                f"above the {reference_score} of {reference} alone")
    return (text + f"; the final model against {reference}: {final_vs_reference}, "
            f"{effect_word(final_vs_reference)}")


def goal_verdict(goal: float, scores: dict[str, Interval]) -> str:
    """Which models reach a target accuracy, and whether their intervals can tell.

    Args:
        goal: the target, as a fraction.
        scores: accuracy with interval of each model, by the name the sentence uses.
    """
    if not scores:
        raise ValueError("scores must name at least one model")
    for name, score in scores.items():
        _check_interval(score, f"scores[{name!r}]")
    said = [f"{name} {'reaches' if s.estimate >= goal else 'misses'} it ({s})"
            for name, s in scores.items()]
    text = " and ".join(said)
    straddle = [name for name, s in scores.items() if s.includes(goal)]
    if len(straddle) == len(scores):
        text += (f"; {'both intervals include' if len(scores) == 2 else 'every interval includes'}"
                 f" {percent(goal, 0)}, so this test split cannot say on which side of the target"
                 " the models really lie")
    elif straddle:
        text += (f"; the interval of {' and '.join(straddle)} includes {percent(goal, 0)}, so "
                 "that side of the target is not certain")
    return text


def interval_position(value: float, interval: Interval) -> str:
    """"above", "below" or "inside": where ``value`` lies relative to ``interval``."""
    _check_interval(interval, "interval")
    if value > interval.high:
        return "above"
    if value < interval.low:
        return "below"
    return "inside"


def short_class_names(fig) -> None:
    """Write the classes' short names
    (:data:`dldna.experiments.solar_verdicts.SHORT_CLASSES`) in every axes title of ``fig``, so
    that the titles of narrow panels do not run into each other; then tighten the layout."""
    from ..data.elpv import CLASSES

    for ax in fig.axes:
        title = ax.get_title()
        for long, short in zip(CLASSES, SHORT_CLASSES):
            title = title.replace(long, short)
        ax.set_title(title, fontsize=ax.title.get_fontsize())
    fig.tight_layout()
