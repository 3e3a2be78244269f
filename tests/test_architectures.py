"""dldna.architectures: per-layer costs with activation memory, weight memory, VGG's stacks."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from dldna.measure.architectures import (compare_models, layer_costs, parameter_split, stack_vs_single,
                                 weight_memory_mb)
from dldna.models import create


def test_layer_costs_on_meta_vgg16_memory_early_parameters_late():
    with torch.device("meta"):
        model = create("vgg16")
    table = layer_costs(model, (1, 3, 224, 224), meta=True)
    assert table.loc["total", "params"] == 138_357_544
    assert table.loc["total", "MACs"] == 15_470_264_320  # torchvision's 15.47 GFLOPS
    assert table.loc["features.0", "activation MB"] == pytest.approx(64 * 224 * 224 * 4 / 1e6)
    assert table.loc["features.1", "activation MB"] == 0  # in-place ReLU: no new memory
    layers = table.drop(index="total")
    half = len(layers) // 2
    assert layers["activation MB"].iloc[:half].sum() > layers["activation MB"].iloc[half:].sum()
    assert layers["params"].iloc[half:].sum() > layers["params"].iloc[:half].sum()
    with pytest.raises(ValueError, match="input_shape"):
        layer_costs(model, (3, 224, 224), meta=True)


def test_layer_costs_real_forward_counts_new_outputs_only():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.ReLU(inplace=True), nn.Dropout())
    table = layer_costs(model, (2, 1, 6, 6))
    per_output = 2 * 4 * 4 * 4 * 4 / 1e6
    assert list(table["activation MB"].iloc[:4]) == pytest.approx([per_output, per_output, 0, 0])
    assert table.loc["total", "activation MB"] == pytest.approx(2 * per_output)


def test_weight_memory_and_parameter_split():
    with torch.device("meta"):
        model = create("alexnet")
    split = parameter_split(model)
    assert sum(split.values()) == 61_100_840
    assert split["fully connected"] > 20 * split["convolutions"] and split["other"] == 0
    assert weight_memory_mb(model) == pytest.approx(61_100_840 * 4 / 1e6)
    assert weight_memory_mb(model, 2) == pytest.approx(61_100_840 * 2 / 1e6)
    with pytest.raises(ValueError, match="bytes_per_value"):
        weight_memory_mb(model, 3)


def test_stack_vs_single():
    five = stack_vs_single(5, 64)
    assert (five["layers"], five["field_stack"], five["per_C2_stack"], five["per_C2_single"]) \
        == (2, 5, 18, 25)
    seven = stack_vs_single(7, 10)
    assert (seven["field_stack"], seven["weights_stack"], seven["weights_single"]) \
        == (7, 27 * 100, 49 * 100)
    assert seven["nonlinearities_stack"] == 3
    for bad in (4, 3, 6):
        with pytest.raises(ValueError, match="k must be"):
            stack_vs_single(bad, 8)


def test_compare_models_googlenet_against_vgg16():
    table = compare_models(["vgg16", "googlenet"])
    assert table.loc["vgg16", "params"] == 138_357_544
    assert table.loc["vgg16", "MACs"] > 10 * table.loc["googlenet", "MACs"]
