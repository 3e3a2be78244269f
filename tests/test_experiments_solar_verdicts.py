"""The chapter-14 verdicts follow the measured intervals, whichever way the numbers fall."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dldna.evaluate.intervals import Interval
from dldna.experiments import solar_verdicts as verdicts


def _points(estimate, low, high):
    return Interval(estimate, low, high, unit="points")


def test_effect_follows_the_interval_not_the_estimate():
    assert verdicts.effect(_points(0.02, 0.005, 0.04), "the head") == "helped the head"
    assert verdicts.effect(_points(-0.024, -0.044, -0.006), "the CNN") == "hurt the CNN"
    assert verdicts.effect(_points(-0.008, -0.023, 0.009), "the head") == (
        "made no clear difference to the head")
    assert verdicts.effect_word(_points(0.01, -0.01, 0.03)).startswith("a tie")


def test_independent_difference_resamples_each_group_and_is_wider_than_paired():
    a, b = np.r_[np.ones(90), np.zeros(10)], np.r_[np.ones(160), np.zeros(40)]
    gap = verdicts.independent_difference(a, b, n_boot=500)
    assert gap.unit == "points" and abs(gap.estimate - 0.1) < 1e-12
    assert gap.low < 0.1 < gap.high and gap.width > 0.05
    assert verdicts.independent_difference(a, b, n_boot=500) == gap  # seeded
    assert "cannot tell" in verdicts.gap_verdict(_points(0.03, -0.01, 0.07), "mono", "poly")
    assert "poly cells are classified better" in verdicts.gap_verdict(
        _points(-0.05, -0.09, -0.01), "mono", "poly")
    with pytest.raises(ValueError, match="at least 2"):
        verdicts.independent_difference([1.0], b)


def test_error_pattern_says_where_errors_go_whichever_way_they_fall():
    matrix = np.array([[50, 4, 0, 1], [6, 10, 2, 0], [16, 2, 12, 8], [43, 5, 10, 120]])
    said = verdicts.error_pattern(matrix)
    assert said[0] == "4 of the 5 errors on p=0 cells land in a neighbouring class"
    assert said[1] == "all 8 errors on p=1/3 cells land in a neighbouring class"
    assert said[2] == ("only 10 of the 26 errors on p=2/3 cells land in a neighbouring class, "
                       "16 go to p=0")
    assert said[3] == ("only 10 of the 58 errors on p=1 cells land in a neighbouring class; "
                       "43 of all 178 p=1 cells are called p=0")
    assert verdicts.error_pattern(np.diag([3, 1, 1, 2])) == []
    one = verdicts.error_pattern(np.array([[3, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 2]]))
    assert one == ["the one error on p=0 cells does not land in a neighbouring class, "
                   "1 goes to p=1"]
    with pytest.raises(ValueError, match="square"):
        verdicts.error_pattern(np.ones((3, 4)))


def test_steps_and_goal_verdicts_follow_the_numbers():
    head = Interval(0.867, 0.841, 0.892)
    later = {"views": Interval(0.860, 0.83, 0.89), "TTA": Interval(0.857, 0.83, 0.88)}
    said = verdicts.steps_verdict("the head", head, later, _points(-0.01, -0.024, 0.004))
    assert said.startswith("none of the steps after the head (views, TTA)") and "a tie" in said
    later["TTA"] = Interval(0.87, 0.84, 0.9)
    assert verdicts.steps_verdict("the head", head, later, _points(0.003, -0.01, 0.02)).startswith(
        "of the steps after the head, TTA raised")
    goal = verdicts.goal_verdict(0.86, {"A": Interval(0.857, 0.83, 0.88),
                                        "B": Interval(0.87, 0.865, 0.89)})
    assert goal.startswith("A misses it (85.7 %") and "B reaches it" in goal
    assert "the interval of A includes 86 %" in goal
    assert verdicts.interval_position(0.8842, Interval(0.78, 0.747, 0.812)) == "above"
    assert verdicts.percent(0.8672) == "86.7 %"


def test_verdicts_refuse_bare_numbers_where_an_interval_is_needed():
    with pytest.raises(TypeError, match="difference must be a dldna.evaluate.Interval"):
        verdicts.effect(0.02, "the head")
    with pytest.raises(TypeError, match=r"scores\['A'\]"):
        verdicts.goal_verdict(0.86, {"A": 0.87})
    with pytest.raises(ValueError, match="at least one model"):
        verdicts.goal_verdict(0.86, {})
    with pytest.raises(TypeError, match="fraction"):
        verdicts.percent("86 %")
    with pytest.raises(TypeError, match="fraction"):
        verdicts.percent(torch.tensor([0.1, 0.2]))
    assert verdicts.percent(torch.tensor(0.5976), 0) == verdicts.percent(np.float32(0.5976), 0)
