"""dldna.models.layers: each shared layer equals its torchvision counterpart (keys and outputs)."""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.models._utils import _make_divisible
from torchvision.models.convnext import LayerNorm2d as TVLayerNorm2d
from torchvision.ops import Conv2dNormActivation
from torchvision.ops import SqueezeExcitation as TVSqueezeExcitation
from torchvision.ops import StochasticDepth as TVStochasticDepth

from dldna.models.layers import (ConvBNAct, LayerNorm2d, SqueezeExcitation, StochasticDepth,
                                 make_divisible, stochastic_depth)


def _randomise(module: nn.Module) -> None:
    """Non-trivial weights and BN statistics, so equal outputs mean something."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for tensor in list(module.parameters()) + list(module.buffers()):
            if tensor.is_floating_point():
                tensor.copy_(torch.rand(tensor.shape, generator=gen) + 0.5)


def _same(ours: nn.Module, theirs: nn.Module, x: torch.Tensor) -> None:
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _randomise(theirs)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    ours.eval(), theirs.eval()
    torch.testing.assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(kernel_size=1),
    dict(kernel_size=3, stride=2, groups=4, activation_layer=nn.Hardswish),
    dict(kernel_size=5, dilation=2, activation_layer=nn.SiLU, inplace=None),
    dict(norm_layer=None),
    dict(activation_layer=None),
    dict(bias=True, padding=0),
])
def test_conv_bn_act_matches_conv2d_norm_activation(kwargs):
    ours, theirs = ConvBNAct(4, 8, **kwargs), Conv2dNormActivation(4, 8, **kwargs)
    assert [type(m) for m in ours] == [type(m) for m in theirs]
    assert ours.out_channels == 8
    _same(ours, theirs, torch.randn(2, 4, 11, 11))


def test_conv_bn_act_keeps_size_at_stride_one_and_halves_at_two():
    x = torch.randn(1, 3, 15, 15)
    assert ConvBNAct(3, 5, 7)(x).shape == (1, 5, 15, 15)
    assert ConvBNAct(3, 5, 3, stride=2)(x).shape == (1, 5, 8, 8)
    assert ConvBNAct(3, 5, 3)[0].bias is None
    assert ConvBNAct(3, 5, 3, norm_layer=None)[0].bias is not None
    with pytest.raises(TypeError, match="kernel_size"):
        ConvBNAct(3, 5, (3, 3))


@pytest.mark.parametrize("activation, scale_activation", [
    (nn.ReLU, nn.Sigmoid), (nn.ReLU, nn.Hardsigmoid), (nn.SiLU, nn.Sigmoid)])
def test_squeeze_excitation_matches_torchvision(activation, scale_activation):
    ours = SqueezeExcitation(16, 4, activation, scale_activation)
    theirs = TVSqueezeExcitation(16, 4, activation, scale_activation)
    assert list(ours.state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    _same(ours, theirs, torch.randn(3, 16, 5, 7))


def test_squeeze_excitation_scales_each_channel_by_its_gate():
    se = SqueezeExcitation(6, 2)
    x = torch.randn(2, 6, 4, 4)
    gate = se.scale(x)
    assert gate.shape == (2, 6, 1, 1) and bool(((gate > 0) & (gate < 1)).all())
    torch.testing.assert_close(se(x), gate * x)


@pytest.mark.parametrize("mode", ["row", "batch"])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_stochastic_depth_draws_what_torchvision_draws(mode, p):
    x = torch.randn(64, 3, 2, 2)
    torch.manual_seed(7)
    expected = TVStochasticDepth(p, mode)(x)
    torch.manual_seed(7)
    torch.testing.assert_close(StochasticDepth(p, mode)(x), expected)


def test_stochastic_depth_row_mode_keeps_or_drops_whole_samples():
    x = torch.randn(400, 3, 2, 2)
    torch.manual_seed(0)
    out = StochasticDepth(0.25, "row")(x)
    kept = out.flatten(1).ne(0).all(dim=1)
    dropped = out.flatten(1).eq(0).all(dim=1)
    assert bool((kept | dropped).all())
    torch.testing.assert_close(out[kept], x[kept] / 0.75)
    assert 0.15 < dropped.float().mean().item() < 0.35  # 100 expected drops of 400; sd ≈ 8.7


def test_stochastic_depth_batch_mode_drops_all_or_nothing():
    x = torch.randn(8, 3)
    outcomes = set()
    torch.manual_seed(0)
    for _ in range(40):
        out = stochastic_depth(x, 0.5, "batch")
        if bool(out.eq(0).all()):
            outcomes.add("dropped")
        else:
            torch.testing.assert_close(out, 2 * x)
            outcomes.add("kept")
    assert outcomes == {"dropped", "kept"}


def test_stochastic_depth_is_identity_in_eval_and_at_zero():
    x = torch.randn(5, 4)
    layer = StochasticDepth(0.9).eval()
    assert layer(x) is x
    assert StochasticDepth(0.0)(x) is x
    assert repr(StochasticDepth(0.2, "batch")) == "StochasticDepth(p=0.2, mode=batch)"
    # a linearly growing rate such as 0.2 * 3 / 16 prints short, not as 0.037500000000000006
    assert repr(StochasticDepth(0.2 * 3 / 16)) == "StochasticDepth(p=0.0375, mode=row)"


@pytest.mark.parametrize("p, mode, match", [(1.5, "row", "p"), (-0.1, "row", "p"),
                                            (0.1, "column", "mode")])
def test_stochastic_depth_rejects_bad_arguments(p, mode, match):
    with pytest.raises(ValueError, match=match):
        StochasticDepth(p, mode)
    with pytest.raises(ValueError, match=match):
        stochastic_depth(torch.ones(2), p, mode)


def test_make_divisible_follows_torchvision_rule():
    for divisor in (1, 4, 8, 16):
        for tenth in range(0, 2000, 7):
            v = tenth / 10
            assert make_divisible(v, divisor) == _make_divisible(v, divisor), (v, divisor)
            assert make_divisible(v, divisor, 3) == _make_divisible(v, divisor, 3), (v, divisor)
    assert make_divisible(32 * 0.75) == 24 and make_divisible(10) == 16


@pytest.mark.parametrize("v, divisor, match",
                         [(-1, 8, "v"), (8, 0, "divisor"), (8, 2.5, "divisor")])
def test_make_divisible_rejects_bad_arguments(v, divisor, match):
    with pytest.raises(ValueError, match=match):
        make_divisible(v, divisor)


def test_layer_norm_2d_matches_convnext_and_normalises_channels():
    ours, theirs = LayerNorm2d(6, eps=1e-6), TVLayerNorm2d(6, eps=1e-6)
    assert list(ours.state_dict()) == ["weight", "bias"]
    x = torch.randn(2, 6, 3, 5) * 4 + 1
    plain = LayerNorm2d(6)(x)
    torch.testing.assert_close(plain.mean(dim=1), torch.zeros(2, 3, 5), atol=1e-5, rtol=0)
    torch.testing.assert_close(plain.var(dim=1, unbiased=False), torch.ones(2, 3, 5),
                               atol=1e-3, rtol=0)
    _same(ours, theirs, x)
    with pytest.raises(ValueError, match="N, C, H, W"):
        ours(torch.randn(6, 3, 5))


def test_fc_head_has_alexnets_and_vggs_layer_order():
    from dldna.models.common import fc_head

    alex, vgg = fc_head(12, 3, hidden=8, dropout_first=True), fc_head(12, 3, hidden=8)
    kinds = lambda head: [type(m).__name__ for m in head]  # noqa: E731
    assert kinds(alex) == ["Dropout", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear"]
    assert kinds(vgg) == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert vgg(torch.zeros(2, 12)).shape == (2, 3)
    with pytest.raises(ValueError, match="dropout"):
        fc_head(12, 3, dropout=1.0)


def test_init_weights_follows_torchvision_and_checks_its_argument():
    from dldna.models.common import init_weights, last_conv_channels

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.Linear(8, 400))
    init_weights(net, linear="uniform")
    assert float(net[3].weight.abs().max()) <= 1 / 400 ** 0.5 and not net[3].bias.any()
    assert float(net[1].weight.min()) == 1.0 and not net[0].bias.any()
    init_weights(net)
    assert abs(float(net[3].weight.std()) - 0.01) < 0.002
    assert last_conv_channels(net) == 8
    with pytest.raises(ValueError, match="linear must be"):
        init_weights(net, linear="xavier")
    with pytest.raises(ValueError, match="nn.Conv2d"):
        last_conv_channels(nn.Sequential(nn.Linear(2, 2)))
