"""ConvNeXt: the block, convnext_tiny's count and keys, equal outputs with torchvision's."""
from __future__ import annotations

import pytest
import torch
import torchvision

from dldna.models import ConvNeXt, ConvNeXtBlock, create
from model_probe import count


def test_same_weights_give_the_same_output_as_torchvision():
    from torchvision.models.convnext import CNBlockConfig

    torch.manual_seed(0)
    setting = [CNBlockConfig(16, 32, 2), CNBlockConfig(32, None, 1)]
    theirs = torchvision.models.convnext.ConvNeXt(setting, num_classes=5).eval()
    ours = ConvNeXt((16, 32), (2, 1), num_classes=5).eval()
    state = {k: torch.randn_like(v) if v.is_floating_point() else v
             for k, v in theirs.state_dict().items()}
    theirs.load_state_dict(state)
    ours.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-4)


def test_block_parameters_and_shape():
    block = ConvNeXtBlock(32)
    dim = 32  # 7×7 depthwise + LN + 1×1 up (4C) + 1×1 down + layer scale
    expected = (49 * dim + dim) + 2 * dim + (dim * 4 * dim + 4 * dim) + (4 * dim * dim + dim) + dim
    assert count(block) == expected
    assert block(torch.randn(2, 32, 9, 9)).shape == (2, 32, 9, 9)


def test_small_convnext_and_bad_configuration():
    model = ConvNeXt((16, 32), (1, 1), num_classes=4, in_channels=1).eval()
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 4)
    with pytest.raises(ValueError, match="widths and depths"):
        ConvNeXt((16, 32), (1,))
