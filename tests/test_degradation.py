"""dldna.degradation: the experiment's bookkeeping, gradient norms and block deletion."""
from __future__ import annotations

import pandas as pd
import pytest
import torch

from dldna import data
from dldna.config import RunSize
from dldna.experiments import degradation
from dldna.models import create


def test_smoke_run_records_every_net_depth_and_seed():
    s = degradation.degradation_settings("smoke")
    result = degradation.degradation()
    assert result.dataset == data.load("digits").name
    assert set(result.histories) == {(k, d, seed) for k in ("plain", "residual")
                                     for d in s["depths"] for seed in s["seeds"]}
    table = result.table()
    assert len(table) == 2 * len(s["depths"]) * len(s["seeds"])
    summary = result.summary()
    assert (summary.loss_min <= summary.loss_mean).all()
    assert (summary.acc_mean <= summary.acc_max).all()
    fig = result.plot()
    assert "digits" in fig._suptitle.get_text()
    assert set(result.models) == {(k, d) for k in ("plain", "residual") for d in s["depths"]}


def test_profiles_name_depths_of_the_form_6n_plus_2():
    for profile in ("smoke", "cpu", "gpu"):
        s = degradation.degradation_settings(profile)
        assert all((d - 2) % 6 == 0 for d in s["depths"]) and len(s["depths"]) >= 2
    assert degradation.degradation_settings("gpu")["dataset"] == "cifar10"
    with pytest.raises(ValueError, match="smoke, cpu, gpu"):  # the known profiles are listed
        degradation.degradation_settings("tpu")
    with pytest.raises(ValueError, match="kind"):
        degradation.build("dense", 8, data.load("digits"), 4)


def test_settings_are_a_run_size_plus_the_experiment_and_can_be_changed():
    s = degradation.degradation_settings("cpu")
    assert isinstance(s.size, RunSize) and s["epochs"] == s.size.epochs == 3
    shorter = s.changed(epochs=1, depths=(8, 14))
    assert (shorter["epochs"], shorter["depths"], shorter["width"]) == (1, (8, 14), s["width"])
    assert s["epochs"] == 3  # a copy
    with pytest.raises(ValueError, match="unknown settings"):
        s.changed(epoch=1)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        s.changed(epochs=0)
    with pytest.raises(ValueError, match="6n \\+ 2"):
        s.changed(depths=(10,))
    with pytest.raises(KeyError, match="known settings"):
        s["depth"]


def test_gradient_norms_one_per_convolution_in_order():
    torch.manual_seed(0)
    model = create("plain_cifar", depth=8, in_channels=1, width=4)
    images, labels = data.load("digits").tensors()
    norms = degradation.gradient_norms(model, images[:16], labels[:16])
    assert list(norms.index)[:2] == ["conv1", "layer1.0.conv1"] and len(norms) == 7
    assert (norms > 0).all()
    assert all(p.grad is None for p in model.parameters())
    with pytest.raises(ValueError, match="images"):
        degradation.gradient_norms(model, images[0], labels[:1])
    profiles = degradation.gradient_norm_profiles(8, data.load("digits", "train"), width=4,
                                                  steps=2, batch_size=16)
    assert profiles.shape == (7, 4) and profiles.attrs["steps"] == 2
    assert degradation.gradient_spread(pd.Series([2.0, 0.5, 1.0])) == 4.0
    with pytest.raises(ValueError, match="positive"):
        degradation.gradient_spread(pd.Series([1.0, 0.0]))


def test_block_deletion_replaces_one_block_by_the_identity():
    torch.manual_seed(0)
    model = create("resnet_cifar", depth=14, in_channels=1, width=4).eval()
    names = degradation.deletable_blocks(model)
    assert names == ["layer1.0", "layer1.1", "layer2.1", "layer3.1"]  # not the stride-2 blocks
    pruned = degradation.delete_block(model, "layer2.1")
    assert isinstance(pruned.layer2[1], torch.nn.Identity)
    assert isinstance(model.layer2[1], torch.nn.Module) and model.layer2[1] is not pruned.layer2[1]
    with pytest.raises(ValueError, match="deletable"):
        degradation.delete_block(model, "layer2.0")
    with pytest.raises(TypeError):
        degradation.deletable_blocks(torch.nn.Linear(2, 2))
    test = data.load("digits", "test")
    table = degradation.block_deletion(model, test)
    assert list(table["deleted block"]) == names
    assert table.attrs["dataset"] == test.name
    assert (table["drop"] == table.attrs["intact"] - table["test accuracy"]).all()
