"""AlexNet: torchvision's twin (count, strict weights, output) and the paper's grouped variant."""
from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from dldna.measure.counting import count_parameters
from dldna.models import alexnet, alexnet_paper, create, get_entry


def test_only_the_torchvision_layout_is_a_twin():
    # count, keys and outputs against torchvision's: tests/test_models_registry.py
    assert get_entry("alexnet").torchvision and not get_entry("alexnet_paper").torchvision


def test_paper_variant_channels_groups_and_split_saving():
    with torch.device("meta"):
        paper, one_gpu = alexnet_paper(), alexnet_paper(groups=1)
    convs = [m for m in paper.features if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [96, 256, 384, 384, 256]
    assert [c.groups for c in convs] == [1, 2, 1, 2, 2]
    assert any(isinstance(m, torch.nn.LocalResponseNorm) for m in paper.features)
    saved = count_parameters(one_gpu) - count_parameters(paper)
    # Halving the input channels of conv 2, 4 and 5 halves their weights.
    assert saved == (256 * 96 * 25 + 384 * 384 * 9 + 256 * 384 * 9) // 2
    assert count_parameters(paper) == 60_965_224


def test_bad_input_names_channels_and_minimum_size():
    model = create("alexnet", num_classes=5).eval()
    with pytest.raises(ValueError, match="expects 3 input channels, got 1"):
        model(torch.zeros(1, 1, 224, 224))
    with pytest.raises(ValueError, match=f"at least {model.min_side}×{model.min_side}"):
        model(torch.zeros(1, 3, model.min_side - 1, model.min_side - 1))
    with torch.no_grad():
        assert model(torch.zeros(1, 3, model.min_side, model.min_side)).shape == (1, 5)
    with pytest.raises(ValueError, match="groups"):
        alexnet_paper(groups=3)


def test_grey_input_and_dropout_only_in_training():
    model = alexnet(num_classes=3, in_channels=1)
    x = torch.randn(2, 1, 96, 96)
    with torch.no_grad():
        model.eval()
        assert torch.equal(model(x), model(x))
        model.train()
        torch.manual_seed(0)
        assert not torch.equal(model(x), model(x))


@pytest.mark.parametrize("name", ["alexnet", "alexnet_paper"])
def test_every_max_pool_is_its_own_module(name):
    """A shared pool instance appears once in named_modules and hides the others from tables."""
    with torch.device("meta"):
        model = create(name)
    pools = [n for n, m in model.named_modules() if isinstance(m, nn.MaxPool2d)]
    assert len(pools) == 3, pools
