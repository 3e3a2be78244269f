"""dldna.inception: module costs (formula = counter), factorisations, separable ratio, the
auxiliary-head experiment."""
from __future__ import annotations

import pytest
import torch

from dldna.data import load
from dldna.experiments.inception import (aux_head_experiment, factorisation_savings, inception_macs,
                             module_costs, naive_inception_macs, separable_costs,
                             separable_ratio)
from dldna.models.googlenet import INCEPTION_TABLE


def test_the_120m_example_is_the_192_channel_case():
    assert naive_inception_macs(28, 256, 1, 1, 32) - 28 * 28 * 256 * 10 == 160_563_200
    assert 28 * 28 * 192 * 32 * 25 == 120_422_400


def test_module_costs_formula_equals_counter_and_reduction_is_cheaper():
    table = module_costs(28, INCEPTION_TABLE["3a"])
    assert table.loc["with 1×1 reductions", "output channels"] == 256
    assert table.loc["naive", "output channels"] == 64 + 128 + 32 + 192
    assert table.loc["naive", "MACs"] > 2 * table.loc["with 1×1 reductions", "MACs"]
    assert table.loc["with 1×1 reductions", "MACs"] == inception_macs(28, *INCEPTION_TABLE["3a"])
    with pytest.raises(ValueError, match="ch5x5 must be a positive int"):
        inception_macs(28, 192, 64, 96, 128, 16, 0, 32)


def test_factorisations():
    table = factorisation_savings(channels=8, size=9, n=7)
    assert table.iloc[0]["params after"] / table.iloc[0]["params before"] == pytest.approx(18 / 25)
    assert table.iloc[1]["params after"] / table.iloc[1]["params before"] == pytest.approx(14 / 49)
    assert table.iloc[1]["saving"] == pytest.approx(1 - 14 / 49)


def test_separable_ratio_matches_real_layers():
    for c_in, c_out, k in ((16, 32, 3), (32, 32, 5), (8, 64, 7)):
        costs = separable_costs(c_in, c_out, k, size=10)
        assert costs["measured ratio"] == pytest.approx(separable_ratio(c_out, k))
    with pytest.raises(ValueError, match="k must be"):
        separable_ratio(8, 0)


def test_aux_head_experiment_runs_and_names_the_dataset():
    train, test = load("digits", "train").subset(128), load("digits", "test").subset(64)
    table = aux_head_experiment(train, test, seeds=(0,), epochs=1, batch_size=64)
    assert list(table["aux heads"]) == [False, True]
    assert table["dataset"].eq(train.name).all()
    assert table["test accuracy"].between(0, 1).all()
