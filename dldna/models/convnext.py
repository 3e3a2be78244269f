"""ConvNeXt (Liu et al., 2022): a ResNet modernised step by step with Transformer-era choices.

Patchify stem (4×4 convolution, stride 4, LayerNorm); four stages of :class:`ConvNeXtBlock`
(7×7 depthwise → LayerNorm → 1×1 to 4C → GELU → 1×1 back to C, scaled by a learned
per-channel layer scale, plus the input); a LayerNorm + 2×2/2 convolution between stages. Names
and keys follow ``torchvision.models.convnext``, so ``convnext_tiny`` loads torchvision's
weights with ``strict=True``.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

import torch
from torch import Tensor, nn

from .input_check import Shrink, check_input, min_input_side
from .layers import ConvBNAct, LayerNorm2d, StochasticDepth
from .registry import public_factory

__all__ = ["Permute", "ConvNeXtBlock", "ConvNeXt", "convnext_tiny", "convnext_small"]


class Permute(nn.Module):
    """Reorder the dimensions (channels last for LayerNorm and Linear, then back).

    Args:
        dims: the new order, as for ``Tensor.permute``.
    """

    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(*self.dims)


class ConvNeXtBlock(nn.Module):
    """7×7 depthwise → LN → 1×1 (4C) → GELU → 1×1 (C), × layer scale, + input.

    Args:
        dim: channels C in and out.
        layer_scale: initial value of the per-channel scale of the branch.
        stochastic_depth_prob: chance of dropping the branch in training.
    """

    def __init__(self, dim: int, layer_scale: float = 1e-6,
                 stochastic_depth_prob: float = 0.0) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim),
            Permute([0, 2, 3, 1]),  # N, H, W, C: LayerNorm and Linear act on the last dim
            nn.LayerNorm(dim, eps=1e-6),
            nn.Linear(dim, 4 * dim),  # a 1×1 convolution, channels last
            nn.GELU(),
            nn.Linear(4 * dim, dim),
            Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(torch.full((dim, 1, 1), float(layer_scale)))
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def forward(self, x: Tensor) -> Tensor:
        return x + self.stochastic_depth(self.layer_scale * self.block(x))


class ConvNeXt(nn.Module):
    """Patchify stem → stages of ConvNeXt blocks with downsampling between → LN → linear.

    Args:
        widths: channels of each stage.
        depths: blocks of each stage, one entry per width.
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.
        stochastic_depth_prob: drop chance of the last block, rising linearly from 0.
        layer_scale: initial layer scale of every block.
    """

    def __init__(self, widths: tuple[int, ...] = (96, 192, 384, 768),
                 depths: tuple[int, ...] = (3, 3, 9, 3), num_classes: int = 1000,
                 in_channels: int = 3, stochastic_depth_prob: float = 0.0,
                 layer_scale: float = 1e-6) -> None:
        super().__init__()
        if len(widths) != len(depths):
            raise ValueError(f"widths and depths need one entry per stage, got {len(widths)} "
                             f"and {len(depths)}")
        self.in_channels = in_channels
        self.min_side = min_input_side([Shrink(4, 4)] + [Shrink(2, 2)] * (len(widths) - 1))
        norm = partial(LayerNorm2d, eps=1e-6)
        layers: list[nn.Module] = [ConvBNAct(in_channels, widths[0], 4, 4, padding=0,
                                             norm_layer=norm, activation_layer=None, bias=True)]
        total, index = sum(depths), 0
        for i, (width, depth) in enumerate(zip(widths, depths)):
            blocks = []
            for _ in range(depth):
                p = stochastic_depth_prob * index / max(total - 1, 1)
                blocks.append(ConvNeXtBlock(width, layer_scale, p))
                index += 1
            layers.append(nn.Sequential(*blocks))
            if i + 1 < len(widths):
                layers.append(nn.Sequential(norm(width),
                                            nn.Conv2d(width, widths[i + 1], 2, stride=2)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(norm(widths[-1]), nn.Flatten(1),
                                        nn.Linear(widths[-1], num_classes))
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        return self.classifier(self.avgpool(self.features(x)))


_ARGS = """
    Args:
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.
        stochastic_depth_prob: drop chance of the last block (torchvision's default).
"""


def _variant(name: str, depths: tuple[int, ...], drop: float, summary: str) -> Callable:
    def factory(num_classes: int = 1000, in_channels: int = 3,
                stochastic_depth_prob: float = drop) -> ConvNeXt:
        return ConvNeXt((96, 192, 384, 768), depths, num_classes, in_channels,
                        stochastic_depth_prob)

    return public_factory(factory, name, summary, _ARGS, torchvision=True)


convnext_tiny = _variant("convnext_tiny", (3, 3, 9, 3), 0.1,
                         "ConvNeXt-T: widths 96-192-384-768, depths 3-3-9-3.")
convnext_small = _variant("convnext_small", (3, 3, 27, 3), 0.4,
                          "ConvNeXt-S: widths 96-192-384-768, depths 3-3-27-3.")
