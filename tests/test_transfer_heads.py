"""dldna.transfer.heads: the classifier found by name and shape, replaced; stages by structure."""
from __future__ import annotations

import pytest
import torch
import torchvision.models as tv
from torch import nn

from dldna import models
from dldna.pretrained.efficientnet_lite import EfficientNetLite0
from dldna.transfer import find_head, replace_head, stages


@pytest.mark.parametrize("build, head, n_stages", [
    (lambda: tv.mobilenet_v2(), "classifier.1", 9),
    (lambda: tv.efficientnet_b0(), "classifier.1", 9),
    (lambda: tv.resnet18(), "fc", 5),
    (lambda: EfficientNetLite0(), "_fc", 9),
    (lambda: models.create("mobilenet_v2"), "classifier.1", 9),
    (lambda: models.create("resnet18", num_classes=10, width=8, small_input=True), "fc", 5),
])
def test_head_and_stages_of_known_networks(build, head, n_stages):
    model = build()
    name, layer = find_head(model)
    assert name == head and isinstance(layer, nn.Linear)
    body = stages(model)
    assert len(body) == n_stages
    # The stages and the head hold every parameter exactly once.
    ids = [id(p) for _, s in body for p in s.parameters()] + [id(p) for p in layer.parameters()]
    assert len(ids) == len(set(ids)) == len(list(model.parameters()))


def test_stage_names_follow_the_architecture():
    names = [n for n, _ in stages(tv.resnet18())]
    assert names == ["conv1+bn1", "layer1", "layer2", "layer3", "layer4"]
    names = [n for n, _ in stages(tv.mobilenet_v2())]
    assert names[2] == "features.2-3" and names[-1] == "features.18"


def test_replace_head_changes_only_the_output_size():
    model = tv.mobilenet_v2().eval()
    torch.manual_seed(0)
    replace_head(model, 7)
    name, layer = find_head(model)
    assert (layer.in_features, layer.out_features) == (1280, 7)
    assert model(torch.rand(2, 3, 32, 32)).shape == (2, 7)


def test_no_head_is_a_clear_error():
    with pytest.raises(ValueError, match="no nn.Linear"):
        find_head(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()))
    odd = nn.Sequential()
    odd.add_module("body", nn.Conv2d(3, 4, 3))
    odd.add_module("projection", nn.Linear(4, 4))
    with pytest.raises(ValueError, match="'projection'.*not named like a classifier"):
        find_head(odd)
    with pytest.raises(TypeError, match="model must be"):
        find_head("resnet18")
    with pytest.raises(ValueError, match="num_classes"):
        replace_head(tv.resnet18(), 0)
