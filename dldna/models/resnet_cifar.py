"""CIFAR-style ResNets (He et al., 2016, section 4.2) for the degradation experiment: 6n + 2
layers in three stages of widths w, 2w, 4w, residual or plain (the same net without shortcuts).
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from .common import conv3x3
from .input_check import check_input
from .registry import public_factory


class ShortcutA(nn.Module):
    """He et al.'s option-A shortcut: subsample by the stride and pad the new channels with
    zeros, so a residual net has exactly the parameters of its plain twin.

    Args:
        in_planes: input channels.
        planes: output channels (the extra ones are zeros).
        stride: subsampling step.
    """

    def __init__(self, in_planes: int, planes: int, stride: int) -> None:
        super().__init__()
        self.stride, self.extra = stride, planes - in_planes

    def forward(self, x: Tensor) -> Tensor:
        x = x[:, :, ::self.stride, ::self.stride]
        return nn.functional.pad(x, (0, 0, 0, 0, 0, self.extra)) if self.extra else x


class CifarBlock(nn.Module):
    """Two 3×3 conv-BN layers; ``residual=False`` drops the shortcut (a *plain* block).

    Args:
        in_planes: input channels.
        planes: output channels.
        stride: stride of the first convolution.
        residual: add the shortcut.
    """

    def __init__(self, in_planes: int, planes: int, stride: int = 1,
                 residual: bool = True) -> None:
        super().__init__()
        self.conv1 = conv3x3(in_planes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = ShortcutA(in_planes, planes, stride) if residual else None

    def forward(self, x: Tensor) -> Tensor:
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out if self.shortcut is None else out + self.shortcut(x))


class CifarResNet(nn.Module):
    """The CIFAR nets of He et al. (2016, §4.2): a 3×3 stem, three stages of n blocks with
    widths w, 2w, 4w, global pooling and a linear layer: depth = 6n + 2 weighted layers.

    ``block`` builds one block from ``(in_planes, planes, stride)``; the default is a residual
    :class:`CifarBlock`, and ``residual=False`` gives the plain net with the same parameters.

    Args:
        depth: weighted layers, 6n + 2 with n ≥ 1 (8, 14, 20, 32, …).
        num_classes: number of output scores.
        in_channels: image channels.
        width: channels of the first stage.
        residual: with shortcuts (``False``: the plain net).
        block: builds one block; ``None`` for :class:`CifarBlock`.
    """

    def __init__(self, depth: int = 20, num_classes: int = 10, in_channels: int = 3,
                 width: int = 16, residual: bool = True, block=None) -> None:
        super().__init__()
        if not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
            raise ValueError(f"depth must be 6n + 2 with n ≥ 1 (8, 14, 20, 32, 56 …), got {depth}")
        if width < 1 or num_classes < 1 or in_channels < 1:
            raise ValueError("width, num_classes and in_channels must be positive")
        self.in_channels = in_channels
        if block is None:
            def block(i: int, o: int, s: int) -> nn.Module:
                return CifarBlock(i, o, s, residual=residual)
        n = (depth - 2) // 6
        self.depth, self.residual = depth, residual
        self.conv1 = conv3x3(in_channels, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        stages, planes = [], width
        for i, w in enumerate((width, 2 * width, 4 * width)):
            stages.append(nn.Sequential(*[block(planes if j == 0 else w, w,
                                                2 if (i > 0 and j == 0) else 1)
                                          for j in range(n)]))
            planes = w
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4 * width, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


_ARGS = """
    Args:
        depth: weighted layers, 6n + 2.
        num_classes: number of output scores.
        in_channels: image channels.
        width: channels of the first stage.
"""


def _variant(name: str, residual: bool, summary: str) -> Callable[..., CifarResNet]:
    def factory(*, depth: int = 20, num_classes: int = 10, in_channels: int = 3,
                width: int = 16) -> CifarResNet:
        return CifarResNet(depth, num_classes, in_channels, width, residual=residual)

    return public_factory(factory, name, summary, _ARGS)


resnet_cifar = _variant("resnet_cifar", True, "CIFAR-style residual net of depth 6n + 2 "
                        "(ResNet-20 has ≈ 0.27 M parameters at width 16).")
plain_cifar = _variant("plain_cifar", False, "The same net without shortcuts (same layers, same "
                       "parameter count).")
