"""Bootstrap intervals, paired differences, McNemar's test and the tie verdict."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dldna.evaluate import (Interval, bootstrap_ci, bootstrap_metric, describe_difference,
                            mcnemar_p, paired_difference, verdict)


def _coin(n: int, p: float, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(n) < p).astype(float)


def test_accuracy_interval_matches_the_normal_approximation():
    correct = _coin(4000, 0.85, 1)
    interval = bootstrap_ci(correct, n_boot=2000, seed=0)
    p = correct.mean()
    half = 1.96 * math.sqrt(p * (1 - p) / correct.size)  # Wald interval, fine at n = 4000
    assert interval.estimate == pytest.approx(p)
    assert interval.low == pytest.approx(p - half, abs=0.004)
    assert interval.high == pytest.approx(p + half, abs=0.004)
    assert interval.unit == "%" and interval.includes(p)


def test_interval_is_seeded_and_narrows_with_more_data():
    small, large = _coin(200, 0.7, 2), _coin(20_000, 0.7, 3)
    assert bootstrap_ci(small, seed=5) == bootstrap_ci(small, seed=5)
    assert bootstrap_ci(small, seed=5) != bootstrap_ci(small, seed=6)
    assert bootstrap_ci(large).width < bootstrap_ci(small).width / 5


def test_interval_prints_readably_in_each_unit():
    assert str(Interval(0.873, 0.851, 0.894)) == "87.3 % [85.1, 89.4]"
    assert str(Interval(0.012, -0.003, 0.026, unit="points")) == "+1.2 points [−0.3, +2.6]"
    assert str(Interval(0.0345, 0.028, 0.041, unit="")) == "0.035 [0.028, 0.041]"
    losses = np.random.default_rng(0).random(50) * 3
    assert bootstrap_ci(losses).unit == ""  # not 0/1 values: printed as numbers
    with pytest.raises(ValueError, match="unit"):
        Interval(0.5, 0.4, 0.6, unit="percent")


def test_bootstrap_refuses_bad_input_naming_the_argument():
    with pytest.raises(ValueError, match="values needs at least 2 samples"):
        bootstrap_ci([1.0])
    with pytest.raises(ValueError, match="values needs at least 2 samples"):
        bootstrap_ci([])
    with pytest.raises(ValueError, match="values must be one value per example"):
        bootstrap_ci(np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_ci([1.0, float("nan")])
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci([0, 1, 1], level=95)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci([0, 1, 1], n_boot=0)


def test_paired_difference_is_narrower_than_unpaired_and_signs_right():
    rng = np.random.default_rng(4)
    hard = rng.random(5000) < 0.2                  # images both models tend to miss
    a = (~hard & (rng.random(5000) < 0.97)).astype(float)
    b = a.copy()
    flip = np.flatnonzero(a == 1)[:60]            # B misses 60 images that A gets right
    b[flip] = 0
    diff = paired_difference(a, b, seed=0)
    assert diff.estimate == pytest.approx(60 / 5000)
    assert diff.low > 0 and verdict(diff, "A", "B") == "A better"
    assert verdict(paired_difference(b, a), "A", "B") == "B better"
    separate = bootstrap_ci(a).width + bootstrap_ci(b).width
    assert diff.width < separate / 3              # what the shared hard images buy
    assert str(diff).startswith("+1.2 points")


def test_a_difference_whose_interval_includes_zero_is_a_tie():
    a, b = _coin(300, 0.8, 7), _coin(300, 0.8, 8)
    diff = paired_difference(a, b)
    assert diff.includes(0.0) and verdict(diff) == "tie"
    with pytest.raises(TypeError, match="difference must be an Interval"):
        verdict(0.01)


def test_paired_inputs_are_checked():
    with pytest.raises(ValueError, match="same test images"):
        paired_difference([1, 0, 1], [1, 0])
    with pytest.raises(ValueError, match="correct_b must be 1"):
        paired_difference([1, 0, 1], [1, 0, 0.5])
    with pytest.raises(ValueError, match="correct_a needs at least 2"):
        paired_difference([1], [1])


def test_mcnemar_matches_the_binomial_formula():
    a = np.array([1] * 20 + [0] * 5 + [1] * 50 + [0] * 25, dtype=float)
    b = np.array([0] * 20 + [1] * 5 + [1] * 50 + [0] * 25, dtype=float)
    # 20 images only A gets right, 5 only B: p = 2·P(X ≤ 5), X ~ Bin(25, ½)
    want = 2 * sum(math.comb(25, i) for i in range(6)) / 2 ** 25
    assert mcnemar_p(a, b) == pytest.approx(want)
    assert mcnemar_p(a, a) == 1.0


def test_bootstrap_metric_resamples_rows_together():
    x = torch.arange(100, dtype=torch.float32)
    y = 2 * x
    # a statistic that is the same on every resample when rows stay paired
    interval = bootstrap_metric(lambda u, v: float((v - 2 * u).abs().max()), x, y, n_boot=50)
    assert interval.low == interval.high == 0.0
    mean = bootstrap_metric(lambda u: float(u.mean()), x.numpy(), n_boot=500, seed=1)
    assert mean.includes(49.5) and mean.low > 40
    with pytest.raises(ValueError, match="same length"):
        bootstrap_metric(lambda u, v: 0.0, x, y[:5])
    with pytest.raises(TypeError, match="metric must be callable"):
        bootstrap_metric(3, x)


def test_describe_difference_glues_the_verdict_into_a_phrase():
    tie = Interval(0.003, -0.005, 0.011, unit="points")
    assert describe_difference(tie, "TTA", "plain") == (
        "a tie (TTA − plain = +0.3 points [−0.5, +1.1]; the interval includes 0)")
    win = Interval(-0.012, -0.02, -0.004, unit="points")
    assert describe_difference(win, "TTA", "plain").startswith("plain is better (TTA − plain")
