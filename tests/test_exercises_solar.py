"""The chapter 14 checkers accept right answers, and explain (never raise on) wrong ones."""
from __future__ import annotations

import numpy as np

from dldna.exercises import solar


def test_class_mapping_accepts_rounding_and_explains_float_equality():
    assert solar.check_class_mapping(lambda p: round(3 * p))
    exact = {0.0: 0, 0.3333333333333333: 1, 0.6666666666666666: 2, 1.0: 3}
    feedback = solar.check_class_mapping(lambda p: exact.get(p, -1))
    assert not feedback and "float32" in str(feedback)
    assert "not attempted" in str(solar.check_class_mapping(_not_yet))
    assert "raised ZeroDivisionError" in str(solar.check_class_mapping(lambda p: 1 / 0))


def _not_yet(*args):
    raise NotImplementedError


def _stratified(labels, types, fraction, seed):
    from sklearn.model_selection import train_test_split

    return train_test_split(np.arange(len(labels)), test_size=fraction,
                            stratify=labels * 2 + types, random_state=seed)


def test_stratified_split_accepts_a_stratified_split_only():
    assert solar.check_stratified_split(_stratified)
    def by_order(labels, types, fraction, seed):
        n = int(len(labels) * (1 - fraction))
        return np.arange(n), np.arange(n, len(labels))
    feedback = solar.check_stratified_split(by_order)
    assert not feedback and "stratify" in str(feedback)
    overlap = solar.check_stratified_split(lambda l, t, f, s: (np.arange(400), np.arange(100)))
    assert "in both parts" in str(overlap)
    assert "two sequences" in str(solar.check_stratified_split(lambda l, t, f, s: 3))


def test_threshold_accepts_the_cheapest_and_explains_the_default():
    def best(p, defective, miss_cost):
        costs = [miss_cost * np.sum((p < t) & defective) + np.sum((p >= t) & ~defective)
                 for t in p]
        return float(p[int(np.argmin(costs))])
    assert solar.check_threshold(best)
    feedback = solar.check_threshold(lambda p, d, c: 0.5)
    assert not feedback and "below 0.5" in str(feedback)
    assert "one number" in str(solar.check_threshold(lambda p, d, c: "high"))
