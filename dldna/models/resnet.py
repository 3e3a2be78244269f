"""ResNet (He et al., 2016) in the torchvision layout, so the parameter counts — and the weight
names — are the same as ``torchvision.models.resnet18/34/50/101/152``.

Two options for small images and small machines: ``small_input=True`` swaps the 7×7/2 stem and
its max-pool for one 3×3/1 convolution (CIFAR / MNIST sized inputs keep their resolution), and
``width`` scales every stage (64 is the paper's width; 16 runs about 16× cheaper).
"""
from __future__ import annotations

from typing import Callable, Type, Union

import torch
from torch import Tensor, nn
from torchvision.ops import StochasticDepth

from .common import conv1x1, conv3x3
from .input_check import check_input
from .registry import public_factory


def _drop_path(p: float) -> nn.Module:
    return StochasticDepth(p, mode="row") if p > 0 else nn.Identity()


class BasicBlock(nn.Module):
    """Two 3×3 convolutions; output = ReLU(F(x) + shortcut(x)).

    Args:
        in_planes: input channels.
        planes: channels of both convolutions (and the output).
        stride: stride of the first convolution; 2 halves the size.
        downsample: shortcut when the shape changes; ``None``: identity.
        drop_prob: stochastic-depth drop probability of the branch.
    """

    expansion: int = 1

    def __init__(self, in_planes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.conv1 = conv3x3(in_planes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.drop_path = _drop_path(drop_prob)

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(self.drop_path(out) + identity)


class Bottleneck(nn.Module):
    """1×1 reduce → 3×3 (carries the stride) → 1×1 expand by ``expansion`` = 4.

    Args:
        in_planes: input channels.
        planes: width of the 3×3; the output has 4 × ``planes``.
        stride: stride of the 3×3 convolution; 2 halves the size.
        downsample: shortcut when the shape changes; ``None``: identity.
        drop_prob: stochastic-depth drop probability of the branch.
    """

    expansion: int = 4

    def __init__(self, in_planes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.conv1 = conv1x1(in_planes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.drop_path = _drop_path(drop_prob)

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(self.drop_path(out) + identity)


Block = Type[Union[BasicBlock, Bottleneck]]


class ResNet(nn.Module):
    """Stem → four stages of residual blocks (widths w, 2w, 4w, 8w) → global average pool → FC.

    ``stochastic_depth=p`` drops whole residual branches during training with a probability
    rising linearly from p/N (first block) to p (last block), as in Huang et al. (2016).

    Args:
        block: :class:`BasicBlock` or :class:`Bottleneck`.
        layers: blocks in each of the four stages.
        num_classes: number of output scores.
        in_channels: image channels.
        width: channels of the first stage (64 in the paper).
        small_input: a 3×3/1 stem without max-pool, for small images.
        stochastic_depth: drop probability p of the last block, in [0, 1).
        zero_init_residual: start each block's last BatchNorm at zero (the block is the identity).
    """

    def __init__(self, block: Block, layers: list[int], num_classes: int = 1000,
                 in_channels: int = 3, width: int = 64, small_input: bool = False,
                 stochastic_depth: float = 0.0, zero_init_residual: bool = False) -> None:
        super().__init__()
        if len(layers) != 4 or min(layers) < 1:
            raise ValueError(f"layers must be four positive block counts, got {layers}")
        if width < 1 or num_classes < 1 or in_channels < 1:
            raise ValueError("width, num_classes and in_channels must be positive")
        if not 0 <= stochastic_depth < 1:
            raise ValueError(f"stochastic_depth must be in [0, 1), got {stochastic_depth}")
        self.in_planes, self.in_channels = width, in_channels
        self._drop_probs = [stochastic_depth * (i + 1) / sum(layers) for i in range(sum(layers))]
        if small_input:
            self.conv1 = conv3x3(in_channels, width)
            self.maxpool: nn.Module = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(in_channels, width, kernel_size=7, stride=2, padding=3,
                                   bias=False)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, 2 * width, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * width, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * width, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8 * width * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if zero_init_residual:  # each block starts as the identity
            for m in self.modules():
                if isinstance(m, (BasicBlock, Bottleneck)):
                    nn.init.zeros_(m.bn3.weight if isinstance(m, Bottleneck) else m.bn2.weight)

    def _make_layer(self, block: Block, planes: int, blocks: int,
                    stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.in_planes != planes * block.expansion:  # projection shortcut
            downsample = nn.Sequential(conv1x1(self.in_planes, planes * block.expansion, stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = []
        for i in range(blocks):
            layers.append(block(self.in_planes, planes, stride if i == 0 else 1,
                                downsample if i == 0 else None, self._drop_probs.pop(0)))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


#: Block type and blocks per stage of each depth (the paper's table 1).
DEPTHS: dict[int, tuple[type, list[int]]] = {
    18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]),
    50: (Bottleneck, [3, 4, 6, 3]), 101: (Bottleneck, [3, 4, 23, 3]),
    152: (Bottleneck, [3, 8, 36, 3]),
}

_ARGS = """
    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        kwargs: further :class:`ResNet` arguments (``width``, ``small_input``, …).
"""
_ORIGINAL_ARGS = """
    Args:
        num_classes: number of output scores.
        kwargs: further :class:`ResNet` arguments (``in_channels``, ``width``, ``small_input``, …).
"""


def _resnet(depth: int, num_classes: int, **kwargs) -> ResNet:
    block, layers = DEPTHS[depth]
    return ResNet(block, layers, num_classes, **kwargs)


def _variant(depth: int, params: str) -> Callable[..., ResNet]:
    """The registered factory ``resnet<depth>`` (keyword arguments, torchvision's name)."""
    def factory(*, num_classes: int = 1000, in_channels: int = 3, **kwargs) -> ResNet:
        return _resnet(depth, num_classes, in_channels=in_channels, **kwargs)

    return public_factory(factory, f"resnet{depth}", f"ResNet-{depth} ({params} parameters at "
                          f"1,000 classes); torchvision's ``resnet{depth}``.", _ARGS,
                          torchvision=True)


def _original(depth: int) -> Callable[..., ResNet]:
    """``ResNet<depth>(num_classes, **kwargs)``, the name the original book used."""
    def factory(num_classes: int = 1000, **kwargs) -> ResNet:
        return _resnet(depth, num_classes, **kwargs)

    block, layers = DEPTHS[depth]
    return public_factory(factory, f"ResNet{depth}", f"ResNet-{depth}: {block.__name__} × "
                          f"{layers}.", _ORIGINAL_ARGS, register_it=False)


ResNet18, ResNet34, ResNet50 = _original(18), _original(34), _original(50)
ResNet101, ResNet152 = _original(101), _original(152)

resnet18 = _variant(18, "11,689,512")
resnet34 = _variant(34, "21,797,672")
resnet50 = _variant(50, "25,557,032")
resnet101 = _variant(101, "44,549,160")
resnet152 = _variant(152, "60,192,808")


# CIFAR-style nets for the degradation experiment (chapter 7) live in resnet_cifar.py.
from .resnet_cifar import (CifarBlock, CifarResNet, ShortcutA, plain_cifar,  # noqa: E402,F401
                           resnet_cifar)
