"""dldna.hooks: the capture context manager returns detached outputs and never leaves a hook."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from dldna.explain.hooks import capture, feature_maps, hook_count, module_names, resolve
from dldna.models import ResNet18


def small_resnet() -> nn.Module:
    torch.manual_seed(0)
    return ResNet18(10, in_channels=1, small_input=True, width=4).eval()


def test_capture_returns_detached_outputs_named_by_module_path():
    model, x = small_resnet(), torch.randn(2, 1, 28, 28)
    layers = ["layer1", "layer2.0.conv1", "layer4"]
    with capture(model, layers) as features:
        out = model(x)
    assert list(features) == layers
    assert features["layer1"].shape == (2, 4, 28, 28)
    assert features["layer2.0.conv1"].shape == (2, 8, 14, 14)
    assert features["layer4"].shape == (2, 32, 4, 4)
    assert all(not t.requires_grad for t in features.values())
    assert out.requires_grad  # the forward pass itself is untouched
    manual = model.layer1(model.relu(model.bn1(model.conv1(x))))
    torch.testing.assert_close(features["layer1"], manual.detach())
    assert hook_count(model) == 0


def test_captured_tensor_is_not_changed_by_a_later_in_place_relu():
    model, x = small_resnet(), torch.randn(1, 1, 28, 28)
    with capture(model, ["bn1"]) as features:  # bn1's output goes through an in-place ReLU
        model(x)
    assert (features["bn1"] < 0).any()


def test_no_hook_survives_an_exception_in_the_with_block():
    model = small_resnet()
    assert hook_count(model) == 0
    with pytest.raises(RuntimeError, match="boom"):
        with capture(model, ["layer1", "layer3", "fc"]):
            assert hook_count(model) == 3
            model(torch.randn(1, 1, 28, 28))
            raise RuntimeError("boom")
    assert hook_count(model) == 0
    with pytest.raises(ValueError, match="expects 1 input channels"):  # a failing forward pass
        with capture(model, ["layer1"]):
            model(torch.randn(1, 3, 28, 28))
    assert hook_count(model) == 0


def test_unknown_layer_names_list_the_valid_ones():
    model = small_resnet()
    with pytest.raises(ValueError, match="layer5") as info:
        with capture(model, ["layer1", "layer5"]):
            pass
    assert "layer4.1.conv2" in str(info.value) and "fc" in str(info.value)
    assert hook_count(model) == 0
    with pytest.raises(ValueError):
        resolve(model, [])
    with pytest.raises(TypeError, match="model"):
        resolve("not a model", ["fc"])
    assert "layer3.0.downsample.0" in module_names(model) and "" not in module_names(model)


def test_feature_maps_is_one_pass_without_gradients():
    model = small_resnet()
    maps = feature_maps(model, torch.randn(3, 1, 28, 28), "layer3")
    assert set(maps) == {"layer3"} and maps["layer3"].shape == (3, 16, 7, 7)
    assert hook_count(model) == 0


def test_hooked_calls_the_function_per_module_and_always_removes_its_hooks():
    from dldna.explain.hooks import hooked, leaf_modules

    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Sequential(nn.Flatten(), nn.Linear(8, 3)))
    assert list(leaf_modules(net)) == ["0", "1", "2.0", "2.1"]
    calls = []
    with hooked(leaf_modules(net), lambda name, m, inputs, out: calls.append((name, out.shape))):
        net(torch.zeros(1, 1, 4, 4))
    assert [n for n, _ in calls] == ["0", "1", "2.0", "2.1"] and calls[-1][1] == (1, 3)
    assert hook_count(net) == 0
    with pytest.raises(RuntimeError, match="boom"):
        with hooked({"0": net[0]}, lambda *a: (_ for _ in ()).throw(RuntimeError("boom"))):
            net(torch.zeros(1, 1, 4, 4))
    assert hook_count(net) == 0
    with pytest.raises(TypeError, match="mapping of names"):
        with hooked([net[0]], print):
            pass
    with pytest.raises(TypeError, match="fn must be callable"):
        with hooked({"0": net[0]}, None):
            pass


# ---------------------------------------------------------------- layers that never run (issue 22)

class Branchy(nn.Module):
    """A ModuleList whose items forward() calls one by one, and a branch it never uses."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3)])
        self.unused = nn.Conv2d(2, 2, 1)
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.fc(x.mean((2, 3)))


@pytest.mark.parametrize("layers, missing", [
    (["blocks"], r"\['blocks'\] produced no output.*children instead, e.g. blocks.0, blocks.1"),
    (["blocks.0", "unused"], r"\['unused'\] produced no output: Branchy.forward never calls"),
    ("unused", r"\['unused'\] produced no output: .*; pick a layer that forward\(\) calls$"),
])
def test_feature_maps_names_the_layers_that_never_ran(layers, missing):
    with pytest.raises(ValueError, match=missing):
        feature_maps(Branchy(), torch.rand(1, 1, 8, 8), layers)


def test_capture_checks_after_the_block_and_removes_its_hooks():
    model = Branchy()
    with pytest.raises(ValueError, match=r"\['unused'\] produced no output"):
        with capture(model, ["blocks.1", "unused"]) as store:
            model(torch.rand(1, 1, 8, 8))
    assert set(store) == {"blocks.1"} and hook_count(model) == 0
    with capture(model, ["blocks.1", "fc"]) as store:
        model(torch.rand(1, 1, 8, 8))
    assert set(store) == {"blocks.1", "fc"}
