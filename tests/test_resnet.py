"""dldna.models.resnet, CIFAR-style part: plain and residual nets of depth 6n + 2."""
from __future__ import annotations

import pytest
import torch

from dldna.models import create, get_entry
from dldna.models.resnet import CifarBlock, CifarResNet, ShortcutA
from model_probe import count


@pytest.mark.parametrize("depth", [8, 20, 32, 56])
def test_plain_and_residual_twins_have_the_same_layers_and_parameters(depth):
    plain = create("plain_cifar", depth=depth)
    residual = create("resnet_cifar", depth=depth)
    assert count(plain) == count(residual)
    convs = [m for m in residual.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) + 1 == depth  # 6n + 1 convolutions and one linear layer
    assert not plain.residual and residual.residual
    assert all(b.shortcut is None for b in plain.layer2)


def test_resnet20_size_and_shapes_match_the_paper():
    model = create("resnet_cifar", depth=20).eval()
    assert count(model) == 269_722  # He et al. 2016, Table 6: 0.27 M
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    grey = create("plain_cifar", depth=8, num_classes=4, in_channels=1, width=4).eval()
    assert grey(torch.randn(3, 1, 8, 8)).shape == (3, 4)
    assert get_entry("resnet_cifar").family == "resnet_cifar"
    assert not get_entry("plain_cifar").torchvision


def test_option_a_shortcut_subsamples_and_pads_with_zeros():
    x = torch.randn(2, 4, 6, 6)
    y = ShortcutA(4, 8, 2)(x)
    assert y.shape == (2, 8, 3, 3)
    torch.testing.assert_close(y[:, :4], x[:, :, ::2, ::2])
    assert torch.count_nonzero(y[:, 4:]) == 0
    block = CifarBlock(4, 4).eval()
    torch.nn.init.zeros_(block.bn2.weight)  # F(x) = 0: a residual block passes ReLU(x) on
    torch.testing.assert_close(block(x), torch.relu(x))


def test_depth_and_sizes_are_checked():
    for bad in (7, 9, 21, "20"):
        with pytest.raises(ValueError, match="depth"):
            CifarResNet(bad)
    with pytest.raises(ValueError, match="width"):
        CifarResNet(8, width=0)


def test_a_custom_block_factory_is_used():
    made = []

    def block(i, o, s):
        made.append((i, o, s))
        return CifarBlock(i, o, s, residual=False)

    model = CifarResNet(14, block=block, width=4)
    assert made == [(4, 4, 1), (4, 4, 1), (4, 8, 2), (8, 8, 1), (8, 16, 2), (16, 16, 1)]
    assert model(torch.randn(1, 3, 8, 8)).shape == (1, 10)
