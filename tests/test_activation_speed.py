"""dldna.activation_speed: steps to a training error, several activations and seeds."""
from __future__ import annotations

import pytest
import torch

from dldna.experiments.activation_speed import activation_race, race_summary, steps_to_error, tiny_cnn
from dldna.data import load


def test_steps_to_error_reaches_an_easy_target_and_reports_failure():
    x, y = load("digits", "train").subset(256).tensors()
    done = steps_to_error("relu", x, y, target=0.5, max_steps=200, check_every=5)
    assert done["steps"] is not None and done["curve"][-1][1] <= 0.5
    assert done["steps"] == done["curve"][-1][0]
    never = steps_to_error("sigmoid", x, y, target=0.01, max_steps=10, check_every=5)
    assert never["steps"] is None and len(never["curve"]) == 3
    again = steps_to_error("relu", x, y, target=0.5, max_steps=200, check_every=5)
    assert again["curve"] == done["curve"]  # same seed, same numbers


def test_race_and_summary():
    x, y = load("digits", "train").subset(128).tensors()
    runs = activation_race(x, y, ("relu", "tanh"), seeds=(0, 1), target=0.6, max_steps=60,
                           check_every=5)
    summary = race_summary(runs)
    assert list(summary.index) == ["relu", "tanh"] and (summary["runs"] == 2).all()


def test_bad_arguments():
    x, y = torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="activation"):
        tiny_cnn("gelu")
    with pytest.raises(ValueError, match="target"):
        steps_to_error("relu", x, y, target=1.5)
    with pytest.raises(ValueError, match="image_size"):
        tiny_cnn("relu", image_size=6)
