"""Counting the ResNet family: stage tables, block costs, and the grouped convolutions of ResNeXt.

Everything is built on the ``meta`` device (shapes only), so even ResNet-152 costs nothing.
"""
from __future__ import annotations

import pandas as pd
import torch
import torchvision
from torch import nn

from ..measure.counting import count_parameters, measured_macs
from ..models import resnet as _resnet

FAMILY = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")


def stage_table() -> pd.DataFrame:
    """ResNet-18…152: block type, blocks per stage and parameters, ours beside torchvision's."""
    rows = []
    for name in FAMILY:
        with torch.device("meta"):
            ours = getattr(_resnet, name)()
            theirs = getattr(torchvision.models, name)()
        blocks = [len(getattr(ours, f"layer{i}")) for i in range(1, 5)]
        convs_per_block = 2 if isinstance(ours.layer1[0], _resnet.BasicBlock) else 3
        rows.append({"model": name, "block": type(ours.layer1[0]).__name__,
                     "blocks per stage": " + ".join(map(str, blocks)),
                     "weighted layers": 2 + convs_per_block * sum(blocks),
                     "parameters (dldna)": count_parameters(ours),
                     "parameters (torchvision)": count_parameters(theirs)})
    return pd.DataFrame(rows)


def block_costs(channels: int = 256, size: int = 56) -> pd.DataFrame:
    """A Bottleneck (channels → channels/4 → channels) beside two 3×3 convolutions at the same
    width (a BasicBlock of ``channels``), on a ``size``×``size`` map: parameters and MACs.

    Args:
        channels: input and output channels of both blocks.
        size: side of the square feature map.

    Returns:
        A DataFrame with one row for each block.
    """
    with torch.device("meta"):
        blocks = {"two 3×3 (BasicBlock)": _resnet.BasicBlock(channels, channels),
                  "1×1 → 3×3 → 1×1 (Bottleneck)": _resnet.Bottleneck(channels, channels // 4)}
    rows = [{"block": name, "parameters": count_parameters(b),
             "MACs": measured_macs(b, (1, channels, size, size))} for name, b in blocks.items()]
    return pd.DataFrame(rows)


def grouped_bottleneck_params(channels: int = 256, inner: int = 128, groups: int = 32) -> int:
    """Weights of a ResNeXt block: 1×1 to ``inner``, grouped 3×3, 1×1 back (no BatchNorm).

    Args:
        channels: input and output channels of the block.
        inner: channels of the grouped 3×3 convolution.
        groups: groups of that convolution; must divide ``inner``.
    """
    with torch.device("meta"):
        block = nn.Sequential(nn.Conv2d(channels, inner, 1, bias=False),
                              nn.Conv2d(inner, inner, 3, padding=1, groups=groups, bias=False),
                              nn.Conv2d(inner, channels, 1, bias=False))
    return count_parameters(block)
