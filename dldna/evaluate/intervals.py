"""Honest uncertainty: bootstrap confidence intervals, paired comparisons and McNemar's test.

An accuracy measured on N test images is an estimate; the bootstrap (Efron, 1979) asks how much
it would move on another N images like them. Resample the per-example results with
replacement many times, recompute the statistic each time, and read the interval off the
percentiles of those replicates.

>>> interval = bootstrap_ci(correct)            # doctest: +SKIP
>>> print(interval)                             # doctest: +SKIP
87.3 % [85.1, 89.4]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import check_positive_int

#: Replicates drawn at once (a chunk of 250 × 10,000 indices is 20 MB).
_CHUNK = 250
UNITS = ("%", "points", "")


@dataclass(frozen=True)
class Interval:
    """An estimate with a confidence interval.

    Args:
        estimate: the statistic on the data as measured.
        low: lower end of the interval.
        high: upper end of the interval.
        level: the confidence level, e.g. 0.95.
        unit: how it prints: ``"%"`` (a fraction shown in percent, "87.3 % [85.1, 89.4]"),
            ``"points"`` (a difference of fractions in percentage points, "+1.2 points
            [−0.3, +2.6]") or ``""`` (the number itself, "0.034 [0.028, 0.041]").
    """

    estimate: float
    low: float
    high: float
    level: float = 0.95
    unit: str = "%"

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}")
        if not self.low <= self.high:
            raise ValueError(f"low must be ≤ high, got low={self.low!r}, high={self.high!r}")

    def includes(self, value: float) -> bool:
        """Whether ``value`` lies in the interval (ends included)."""
        return self.low <= value <= self.high

    @property
    def width(self) -> float:
        """``high − low``, in the statistic's own scale (fractions for accuracies)."""
        return self.high - self.low

    def __str__(self) -> str:
        if self.unit == "%":
            return (f"{100 * self.estimate:.1f} % "
                    f"[{100 * self.low:.1f}, {100 * self.high:.1f}]")
        if self.unit == "points":
            def signed(x: float) -> str:
                return f"{100 * x:+.1f}".replace("-", "−")
            return (f"{signed(self.estimate)} points "
                    f"[{signed(self.low)}, {signed(self.high)}]")
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}]"


def _values(values, name: str) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64) if not isinstance(values, np.ndarray) \
        else values.astype(np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one value per example (1-D), got shape {array.shape}")
    if array.size < 2:
        raise ValueError(f"{name} needs at least 2 samples for a bootstrap, got {array.size}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _check_level(level: float) -> float:
    if not isinstance(level, (float, int)) or isinstance(level, bool) or not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    return float(level)


def _percentile_interval(estimate: float, replicates: np.ndarray, level: float,
                         unit: str) -> Interval:
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return Interval(float(estimate), float(low), float(high), level, unit)


def bootstrap_means(values: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """``n_boot`` means of ``values`` resampled with replacement (seeded, vectorised).

    Args:
        values: one number per example, 1-D.
        n_boot: how many resamples.
        seed: seed of the resampling.
    """
    rng = np.random.default_rng(seed)
    n, means = values.size, []
    for start in range(0, n_boot, _CHUNK):
        index = rng.integers(0, n, size=(min(_CHUNK, n_boot - start), n))
        means.append(values[index].mean(axis=1))
    return np.concatenate(means)


def bootstrap_ci(values, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0,
                 unit: str | None = None) -> Interval:
    """Percentile-bootstrap interval of the mean of per-example ``values``.

    Args:
        values: one number per test example, e.g. 1/0 for right/wrong (then the mean is the
            accuracy) or a per-example loss; at least 2.
        n_boot: bootstrap resamples (2,000 puts the ends of a 95 % interval within about 0.1
            points of their limit for a 10,000-image accuracy).
        level: confidence level, in (0, 1).
        seed: seed of the resampling (same seed, same interval).
        unit: how the interval prints (see :class:`Interval`); ``None``: ``"%"`` when every
            value is 0 or 1, else ``""``.

    Returns:
        An :class:`Interval` around the mean of ``values``.
    """
    array = _values(values, "values")
    n_boot = check_positive_int(n_boot, "n_boot", minimum=10)
    level = _check_level(level)
    if unit is None:
        unit = "%" if np.isin(array, (0.0, 1.0)).all() else ""
    return _percentile_interval(array.mean(), bootstrap_means(array, n_boot, seed), level, unit)


def _paired(correct_a, correct_b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _values(correct_a, "correct_a"), _values(correct_b, "correct_b")
    if a.shape != b.shape:
        raise ValueError(f"correct_a and correct_b must score the same test images: got "
                         f"{a.size} and {b.size} examples")
    for name, array in (("correct_a", a), ("correct_b", b)):
        if not np.isin(array, (0.0, 1.0)).all():
            raise ValueError(f"{name} must be 1 (right) or 0 (wrong) for each example")
    return a, b


def paired_difference(correct_a, correct_b, *, n_boot: int = 2000, level: float = 0.95,
                      seed: int = 0) -> Interval:
    """Accuracy of A minus accuracy of B on the *same* test images, with a paired bootstrap.

    Each resample draws test images (not A's and B's results separately), so what the two
    models share — the easy and the hard images — cancels, and the interval is much narrower
    than two separate intervals would suggest.

    Args:
        correct_a: 1/0 per test image, model A right/wrong.
        correct_b: 1/0 per test image for model B, the same images in the same order.
        n_boot: bootstrap resamples.
        level: confidence level, in (0, 1).
        seed: seed of the resampling.

    Returns:
        An :class:`Interval` in percentage points (``unit="points"``).
    """
    a, b = _paired(correct_a, correct_b)
    n_boot = check_positive_int(n_boot, "n_boot", minimum=10)
    level = _check_level(level)
    diff = a - b
    return _percentile_interval(diff.mean(), bootstrap_means(diff, n_boot, seed), level,
                                "points")


def mcnemar_p(correct_a, correct_b) -> float:
    """Exact McNemar test (McNemar, 1947): the two-sided p-value that A and B are equally
    accurate, from the images exactly one of them gets right (a binomial test with p = ½).

    Args:
        correct_a: 1/0 per test image for model A.
        correct_b: 1/0 per test image for model B, the same images in the same order.
    """
    from scipy.stats import binomtest

    a, b = _paired(correct_a, correct_b)
    only_a = int(((a == 1) & (b == 0)).sum())
    only_b = int(((a == 0) & (b == 1)).sum())
    if only_a + only_b == 0:
        return 1.0
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def verdict(difference: Interval, a: str = "A", b: str = "B") -> str:
    """``"tie"`` when the interval of A − B includes 0; otherwise ``"<a> better"`` or
    ``"<b> better"``.

    Args:
        difference: an interval of A minus B, e.g. from :func:`paired_difference`.
        a: the name of A, as the text calls it.
        b: the name of B.
    """
    if not isinstance(difference, Interval):
        raise TypeError(f"difference must be an Interval, got {type(difference).__name__}")
    if difference.includes(0.0):
        return "tie"
    return f"{a} better" if difference.low > 0 else f"{b} better"


def _take(array, index: np.ndarray):
    if hasattr(array, "index_select"):  # a torch tensor
        import torch

        return array[torch.from_numpy(index)]
    return np.asarray(array)[index]


def describe_difference(difference: Interval, a: str = "A", b: str = "B") -> str:
    """The verdict as a phrase for the text, e.g. "a tie (A − B = +0.3 points [−0.5, +1.1];
    the interval includes 0)" or "A is better (A − B = +1.2 points [+0.4, +2.0])".

    Args:
        difference: an interval of A minus B.
        a: the name of A.
        b: the name of B.
    """
    said = verdict(difference, a, b)
    value = f"{a} − {b} = {difference}"
    if said == "tie":
        return f"a tie ({value}; the interval includes 0)"
    return f"{a if difference.low > 0 else b} is better ({value})"


def bootstrap_metric(metric: Callable[..., float], *arrays, n_boot: int = 1000,
                     level: float = 0.95, seed: int = 0, unit: str = "") -> Interval:
    """Percentile-bootstrap interval of any statistic of whole arrays (e.g. ECE).

    The same resampled rows are taken from every array, so ``metric(probs, labels)`` sees
    matching pairs, and a difference ``metric(p, q, labels)`` is a paired one.

    Args:
        metric: called as ``metric(*resampled_arrays)``, returns a number.
        arrays: tensors or arrays with the same first dimension (the examples), at least 2.
        n_boot: bootstrap resamples (each calls ``metric`` once).
        level: confidence level, in (0, 1).
        seed: seed of the resampling.
        unit: how the interval prints (see :class:`Interval`).

    Returns:
        An :class:`Interval` around ``metric(*arrays)``.
    """
    if not callable(metric):
        raise TypeError(f"metric must be callable, got {type(metric).__name__}")
    if not arrays:
        raise ValueError("arrays: give at least one array to resample")
    n = len(arrays[0])
    if any(len(x) != n for x in arrays):
        raise ValueError(f"arrays must have the same length, got {[len(x) for x in arrays]}")
    if n < 2:
        raise ValueError(f"arrays need at least 2 samples for a bootstrap, got {n}")
    n_boot = check_positive_int(n_boot, "n_boot", minimum=10)
    level = _check_level(level)
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(n_boot):
        index = rng.integers(0, n, size=n)
        replicates.append(float(metric(*(_take(x, index) for x in arrays))))
    return _percentile_interval(float(metric(*arrays)), np.asarray(replicates), level, unit)
