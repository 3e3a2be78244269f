"""The chapter 13 checkers accept right answers and explain wrong ones without raising."""
from __future__ import annotations

import numpy as np
import torch

from dldna.exercises.evaluation import check_bootstrap_interval, check_ece


def ece_right(probs, labels, n_bins):
    confidence, predicted = probs.max(1)
    total = 0.0
    for m in range(n_bins):
        inside = (confidence > m / n_bins) & (confidence <= (m + 1) / n_bins)
        if inside.any():
            gap = (predicted[inside] == labels[inside]).float().mean() - confidence[inside].mean()
            total += inside.float().mean() * gap.abs()
    return float(total)


def ece_unweighted(probs, labels, n_bins):
    confidence, predicted = probs.max(1)
    gaps = []
    for m in range(n_bins):
        inside = (confidence > m / n_bins) & (confidence <= (m + 1) / n_bins)
        if inside.any():
            gaps.append(abs(float((predicted[inside] == labels[inside]).float().mean()
                                  - confidence[inside].mean())))
    return sum(gaps) / n_bins


def ece_overall(probs, labels, n_bins):
    confidence, predicted = probs.max(1)
    return abs(float((predicted == labels).float().mean() - confidence.mean()))


def test_ece_checker_passes_a_right_answer_and_names_the_mistakes():
    assert check_ece(ece_right)
    unweighted = check_ece(ece_unweighted)
    assert not unweighted and "share of the examples" in str(unweighted)
    overall = check_ece(ece_overall)
    assert not overall and "in each bin" in str(overall)


def test_ece_checker_reports_unattempted_and_crashing_answers():
    def todo(probs, labels, n_bins):
        raise NotImplementedError

    assert "not attempted yet" in str(check_ece(todo))
    assert "raised ZeroDivisionError" in str(check_ece(lambda p, y, b: 1 / 0))
    assert "returned None" in str(check_ece(lambda p, y, b: None))
    assert "one number" in str(check_ece(lambda p, y, b: "0.1"))


def bootstrap_right(values, n_boot, level, seed):
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(1)
    tail = 100 * (1 - level) / 2
    return tuple(np.percentile(means, [tail, 100 - tail]))


def bootstrap_without_replacement(values, n_boot, level, seed):
    rng = np.random.default_rng(seed)
    means = [rng.permutation(values).mean() for _ in range(n_boot)]  # always the same mean
    tail = 100 * (1 - level) / 2
    return tuple(np.percentile(means, [tail, 100 - tail]))


def test_bootstrap_checker_passes_a_right_answer_and_catches_common_mistakes():
    result = check_bootstrap_interval(bootstrap_right)
    assert result, str(result)
    no_replacement = check_bootstrap_interval(bootstrap_without_replacement)
    assert not no_replacement and "with replacement" in str(no_replacement)
    unseeded = check_bootstrap_interval(
        lambda v, n, level, seed: bootstrap_right(v, n, level, None))
    assert not unseeded and "with seed 0 gave different" in str(unseeded)
    assert "two numbers" in str(check_bootstrap_interval(lambda v, n, level, seed: 0.5))
    assert "not attempted" in str(check_bootstrap_interval(
        lambda v, n, level, seed: (_ for _ in ()).throw(NotImplementedError)))


def test_checkers_do_not_change_the_inputs_they_are_given():
    probs = torch.full((3, 2), 0.5)
    assert check_ece(ece_right)  # the cases are rebuilt for every call
    assert torch.equal(probs, torch.full((3, 2), 0.5))
