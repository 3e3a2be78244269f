"""dldna.counting: every worked example of chapter 4, FLOP tables, measured receptive fields."""
from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from dldna.measure.counting import (BasicBlockExample, compare_parameter_counts, conv_macs, conv_params,
                            count_parameters, gradient_receptive_field, layer_table,
                            measured_macs, percent_text, show_example)
from dldna.measure.receptive_field import layers_from_model, receptive_field, receptive_field_region


def test_parameter_sharing_table_and_example(capsys):
    table = compare_parameter_counts([8, 16, 32, 64, 128])
    assert list(table.index) == [8, 16, 32, 64, 128]
    assert (table.conv_params == 10).all()
    assert table.loc[32, "linear_params"] == 1_049_600
    assert table.loc[128, "linear_params"] == 128**4 + 128**2
    assert round(table.loc[32, "reduction_percent"], 3) == 99.999
    result = show_example(32)
    assert (result["conv_params"], result["linear_params"]) == (10, 1_049_600)
    printed = capsys.readouterr().out
    assert "1,049,600" in printed and "99.999 %" in printed and printed.count("\n") == 1
    with pytest.raises(ValueError, match="input sizes must be ints ≥ 3"):
        compare_parameter_counts([2])


def test_percent_text_never_rounds_up_to_100():
    assert percent_text(99.75962) == "99.8 %"
    assert percent_text(99.9848) == "99.98 %"
    assert percent_text(99.99905) == "99.999 %"
    assert percent_text(99.99994) == "≈ 100 %"
    assert percent_text(100.0) == "100 %" and percent_text(50.0) == "50.0 %"
    with pytest.raises(ValueError, match="between 0 and 100"):
        percent_text(101)


def test_worked_parameter_counts():
    assert count_parameters(nn.Conv2d(1, 32, 3)) == conv_params(1, 32, 3) == 320
    assert count_parameters(nn.Conv2d(3, 64, 3, padding=1)) == conv_params(3, 64, 3) == 1_792
    assert count_parameters(BasicBlockExample(64)) == 74_112
    assert count_parameters(BasicBlockExample(64, conv_bias=False)) == 74_112 - 128
    assert conv_params(64, 64, 3, bias=False) == 36_864


def test_worked_mac_counts_with_the_flop_counter():
    assert conv_macs(28, 28, 32, 256, 5) == 160_563_200
    assert conv_macs(28, 28, 32, 192, 5) == 120_422_400
    assert measured_macs(nn.Conv2d(256, 32, 5, padding=2, bias=False), (1, 256, 28, 28)) \
        == 160_563_200
    assert measured_macs(nn.Conv2d(192, 32, 5, padding=2, bias=False), (1, 192, 28, 28)) \
        == 120_422_400


def _lenet_features():
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))


def test_layer_table():
    model = nn.Sequential(_lenet_features(), nn.Flatten(), nn.Linear(256, 10))
    model.train()
    table = layer_table(model, (1, 1, 28, 28))
    assert model.training  # mode restored
    assert table.loc["0.0", "output"] == "1×6×24×24"
    assert table.loc["0.0", "MACs"] == conv_macs(24, 24, 6, 1, 5)
    assert table.loc["0.3", "MACs"] == conv_macs(8, 8, 16, 6, 5)
    assert table.loc["2", "MACs"] == 256 * 10
    assert table.loc["total", "params"] == count_parameters(model)
    assert table.loc["total", "FLOPs"] == 2 * table.drop("total").MACs.sum()
    assert not any(m._forward_hooks for m in model.modules())  # hooks removed
    with pytest.raises(ValueError, match="input_shape must include the batch size"):
        layer_table(model, (28,))


@pytest.mark.parametrize("model", [
    _lenet_features(),
    nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Conv2d(2, 2, 3, padding=1),
                  nn.MaxPool2d(2), nn.Conv2d(2, 2, 3, stride=2, padding=1)),
    nn.Sequential(nn.Conv2d(1, 4, 7, stride=2, padding=3), nn.BatchNorm2d(4), nn.ReLU(),
                  nn.MaxPool2d(3, 2, 1), nn.Conv2d(4, 4, 3, padding=1)),
])
def test_gradient_receptive_field_agrees_with_the_formula(model):
    size = 40
    layers = layers_from_model(model)
    measured = gradient_receptive_field(model, (1, 1, size, size))
    row, col = measured["position"]
    assert measured["rows"] == receptive_field_region(layers, row, input_size=size)
    assert measured["cols"] == receptive_field_region(layers, col, input_size=size)
    first, last = receptive_field_region(layers, row)
    if first >= 0 and last < size:  # not clipped: the full field
        assert measured["height"] == receptive_field(layers)
    effective = gradient_receptive_field(model, (1, 1, size, size), theoretical=False)
    assert effective["height"] <= measured["height"]


def test_theoretical_field_is_not_cancelled_by_a_negative_batchnorm_scale():
    # Equal positive conv weights make both channels equal; scales +1 and −1 would cancel them.
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2),
                          nn.Conv2d(2, 1, 3, padding=1))
    with torch.no_grad():
        model[1].weight.copy_(torch.tensor([1.0, -1.0]))
    measured = gradient_receptive_field(model, (1, 1, 9, 9))
    assert measured["height"] == measured["width"] == 5
    assert measured["gradient"][2:7, 2:7].min() > 1e-3  # not a rounding residue of a cancellation
