"""dldna.models.resnet (ImageNet layout): small-input stem, width, stochastic depth, zero-init.

Parameter counts, state dicts and FLOPs against torchvision: tests/test_models_registry.py."""
from __future__ import annotations

import pytest
import torch

from dldna.models import BasicBlock, Bottleneck, ResNet18, ResNet50
from model_probe import count


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


def test_resnet_rejects_bad_arguments():
    with pytest.raises(ValueError, match="stochastic_depth"):
        ResNet18(stochastic_depth=1.0)
    with pytest.raises(ValueError, match="positive"):
        ResNet18(width=0)
