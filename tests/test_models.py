"""LeNet-5 and the ResNet family: shapes, parameter counts equal to torchvision's, options."""
from __future__ import annotations

import pytest
import torch
import torchvision

from dldna.models import (BasicBlock, Bottleneck, LeNet5, ResNet18, ResNet34, ResNet50,
                          ResNet101, ResNet152, lenet5)


def count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("builder, expected", [
    (ResNet18, 11_689_512), (ResNet34, 21_797_672), (ResNet50, 25_557_032),
    (ResNet101, 44_549_160), (ResNet152, 60_192_808),
])
def test_resnet_parameter_counts_equal_torchvision(builder, expected):
    assert count(builder()) == expected


@pytest.mark.parametrize("ours, theirs", [(ResNet18, "resnet18"), (ResNet50, "resnet50")])
def test_torchvision_weights_load_strictly_and_give_the_same_output(ours, theirs):
    torch.manual_seed(0)
    reference = getattr(torchvision.models, theirs)().eval()
    model = ours().eval()
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(model(x), reference(x), atol=1e-5)


def test_block_expansion_and_shapes():
    assert BasicBlock.expansion == 1 and Bottleneck.expansion == 4
    x = torch.randn(2, 3, 32, 32)
    small = ResNet18(10, small_input=True, width=8).eval()
    assert small(x).shape == (2, 10)
    assert small.layer4[0].conv1.out_channels == 64 and small.fc.in_features == 64
    assert ResNet50(7, width=8).eval()(torch.randn(1, 3, 64, 64)).shape == (1, 7)
    grey = ResNet18(10, in_channels=1, small_input=True, width=4).eval()
    assert grey(torch.randn(3, 1, 28, 28)).shape == (3, 10)
    assert isinstance(small.maxpool, torch.nn.Identity) and small.conv1.kernel_size == (3, 3)


def test_stochastic_depth_only_acts_in_training():
    torch.manual_seed(0)
    model = ResNet18(10, small_input=True, width=4, stochastic_depth=0.5)
    probs = [b.drop_path.p for layer in (model.layer1, model.layer2, model.layer3, model.layer4)
             for b in layer]
    assert probs == pytest.approx([0.5 * (i + 1) / 8 for i in range(8)])
    assert count(model) == count(ResNet18(10, small_input=True, width=4))
    x = torch.randn(4, 3, 16, 16)
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(x), model(x))
        model.train()
        outs = [model(x) for _ in range(5)]
    assert any(not torch.allclose(outs[0], o) for o in outs[1:])


def test_zero_init_residual_makes_blocks_start_as_identity_branches():
    model = ResNet50(10, width=8, zero_init_residual=True)
    assert all(torch.count_nonzero(b.bn3.weight) == 0 for b in model.layer1)


def test_lenet5_shapes_and_counts():
    assert count(lenet5()) == 61_706                       # 32×32, as in the paper
    assert count(lenet5(image_size=28, padding=2)) == 61_706
    assert count(lenet5(image_size=28)) == 44_426          # 28×28 without padding: 4×4 maps
    model = LeNet5(activation="relu", pool="max").eval()
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 10)


@pytest.mark.parametrize("kwargs, message", [
    (dict(activation="gelu"), "activation"), (dict(pool="min"), "pool"),
    (dict(image_size=12), "too small"),
])
def test_lenet5_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lenet5(**kwargs)


def test_resnet_rejects_bad_arguments():
    with pytest.raises(ValueError, match="stochastic_depth"):
        ResNet18(stochastic_depth=1.0)
    with pytest.raises(ValueError, match="positive"):
        ResNet18(width=0)
