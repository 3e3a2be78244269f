"""dldna.activation_speed: steps to a training error, several activations and seeds."""
from __future__ import annotations

import pytest
import torch

from dldna.experiments.activation_speed import (activation_race, head_to_head, race_summary,
                                                race_verdict, steps_to_error, tiny_cnn)
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


def _runs(relu, tanh):
    """Fake race results: steps per seed for ReLU and tanh (None: target not reached)."""
    return ([{"activation": "relu", "seed": s, "steps": n, "curve": []} for s, n in enumerate(relu)]
            + [{"activation": "tanh", "seed": s, "steps": n, "curve": []}
               for s, n in enumerate(tanh)])


def test_head_to_head_pairs_runs_by_seed():
    pairs = head_to_head(_runs([10, 20, 30, None], [20, 20, 10, None]))
    assert pairs == {"first": 1, "second": 1, "tied": 2, "seeds": 4}
    assert head_to_head(_runs([10, None], [None, 5]))["second"] == 1
    with pytest.raises(ValueError, match="no seed"):
        head_to_head(_runs([10], [10]), "relu", "sigmoid")


@pytest.mark.parametrize("relu, tanh, outcome", [
    ([80], [70], "one seed"),
    ([10, None], [20, 20], "incomplete"),
    ([10, 20, 30], [40, 50, 60], "relu"),
    ([80, 80, 90], [70, 70, 80], "tanh"),
    ([80, 70, 90], [70, 70, 80], "tanh or tie"),
    ([60, 70], [60, 70], "tie"),
    ([60, 70], [60, 80], "relu or tie"),
    ([60, 80], [70, 70], "mixed"),
])
def test_race_verdict_has_a_branch_for_every_outcome(relu, tanh, outcome):
    verdict = race_verdict(_runs(relu, tanh))
    assert verdict["outcome"] == outcome
    assert verdict["text"] and verdict["short"]
    shows = "did not show" in verdict["text"]
    assert shows == (outcome in ("tanh", "tanh or tie", "tie"))


def test_race_verdict_reports_the_medians_and_the_pairs():
    verdict = race_verdict(_runs([80, 80, 90, 80, 100], [70, 70, 80, 70, 70]))
    assert verdict["outcome"] == "tanh"
    assert "(median 80 steps for ReLU, 70 for tanh)" in verdict["text"]
    mixed = race_verdict(_runs([60, 80], [70, 70]))["text"]
    assert "first on 1 of the 2 seeds, tanh on 1 (median 70" in mixed
    assert verdict["pairs"] == {"first": 0, "second": 5, "tied": 0, "seeds": 5}


@pytest.mark.parametrize("runs, error, match", [
    ([], TypeError, "non-empty list"),
    ([{"activation": "relu"}], ValueError, "'activation', 'seed' and 'steps'"),
    ([{"activation": "relu", "seed": 0, "steps": 5}], ValueError, "no tanh runs"),
])
def test_race_verdict_names_what_is_wrong_with_its_runs(runs, error, match):
    with pytest.raises(error, match=match):
        race_verdict(runs)
