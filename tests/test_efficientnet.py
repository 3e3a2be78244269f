"""EfficientNet: MBConvBlock, B0's stage table, compound scaling and B0–B7 counts."""
from __future__ import annotations

import pytest
import torch
import torchvision

from dldna.models import MBConvBlock, compound_scaling, create
from dldna.models.efficientnet import efficientnet
from dldna.models.efficientnet import VARIANTS, efficientnet_from_phi, scale_stages, B0_STAGES
from model_probe import assert_twin, count, twin_on_meta

@pytest.mark.parametrize("b", [0, 5])  # B5–B7 use TensorFlow's batch-norm settings
def test_keys_shapes_and_batch_norm_settings_equal_torchvision(b):
    ours, theirs = twin_on_meta(f"efficientnet_b{b}")
    assert_twin(ours, theirs)
    norms = [(m.eps, m.momentum) for m in ours.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms == [(m.eps, m.momentum) for m in theirs.modules()
                     if isinstance(m, torch.nn.BatchNorm2d)]


def test_b0_equals_torchvision_outputs_with_the_same_weights():
    torch.manual_seed(0)
    theirs = torchvision.models.efficientnet_b0().eval()
    ours = create("efficientnet_b0").eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-5)


def test_mbconv_block_order_residual_and_stochastic_depth():
    block = MBConvBlock(16, 16, kernel_size=5, expand_ratio=6, stochastic_depth_prob=0.5)
    kinds = [type(m).__name__ for m in block.block]
    assert kinds == ["ConvBNAct", "ConvBNAct", "SqueezeExcitation", "ConvBNAct"]
    assert block.block[1][0].groups == 96 and block.block[1][0].kernel_size == (5, 5)
    assert isinstance(block.block[0][2], torch.nn.SiLU) and len(block.block[3]) == 2
    assert block.use_res_connect and not MBConvBlock(16, 24, stride=2).use_res_connect
    x = torch.randn(8, 16, 6, 6)
    block.eval()
    with torch.no_grad():
        assert torch.equal(block(x), block(x))
        block.train()
        torch.manual_seed(1)
        dropped = block(x) - x
    assert (dropped.flatten(1).abs().sum(1) == 0).any()  # some samples skip the branch


def test_compound_scaling_rule_and_range():
    depth, width, resolution = compound_scaling(1)
    assert (depth, width, resolution) == pytest.approx((1.2, 1.1, 1.15))
    assert depth * width ** 2 * resolution ** 2 == pytest.approx(2, abs=0.1)
    assert compound_scaling(0) == (1.0, 1.0, 1.0)
    for bad in (-1, 7.5, "2", True):
        with pytest.raises(ValueError, match="phi"):
            compound_scaling(bad)
    model, size = efficientnet_from_phi(2, num_classes=3)
    assert size == round(224 * 1.15 ** 2)
    assert count(model) > count(efficientnet(num_classes=3))


def test_scale_stages_rounds_width_to_eight_and_depth_up():
    stages = scale_stages(B0_STAGES, VARIANTS[2].width, VARIANTS[2].depth)
    assert [s.repeats for s in stages] == [2, 3, 3, 4, 4, 5, 2]
    assert all(s.out_channels % 8 == 0 for s in stages)
    with pytest.raises(ValueError, match="width_mult"):
        efficientnet(width_mult=0)
