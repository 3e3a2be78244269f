"""VGG (Simonyan & Zisserman, 2014): stacks of 3×3 convolutions from one configuration table.

Each configuration lists the output channels of the 3×3 convolutions (padding 1, so the size is
kept) and ``"M"`` for a 2×2 max pool with stride 2, which halves it. The paper's columns A, B, D
and E are VGG-11, -13, -16 and -19; the ``_bn`` variants add BatchNorm after every convolution
(torchvision's names and parameter counts; VGG-16 has 138,357,544).
"""
from __future__ import annotations

from typing import Sequence, Union

from torch import Tensor, nn

from .input_check import Shrink, check_image, min_input_side
from .layers import fc_head, init_weights, last_conv_channels
from .registry import register

Layer = Union[int, str]

#: The configuration table, 3×3 convolutions (their output channels) and "M" for max pooling.
CONFIGS: dict[str, list[Layer]] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}


def make_layers(config: Sequence[Layer], batch_norm: bool = False,
                in_channels: int = 3) -> nn.Sequential:
    """Turn a configuration (channels and "M") into conv(-BN)-ReLU layers and max pools.

    Args:
        config: output channels of each 3×3 convolution, ``"M"`` for a 2×2 max pool.
        batch_norm: a BatchNorm after each convolution.
        in_channels: image channels.
    """
    layers: list[nn.Module] = []
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        elif isinstance(item, int) and not isinstance(item, bool) and item > 0:
            layers.append(nn.Conv2d(in_channels, item, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(item))
            layers.append(nn.ReLU(inplace=True))
            in_channels = item
        else:
            raise ValueError(f"config entries must be positive ints or 'M', got {item!r}")
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """``features`` from :func:`make_layers`, ``avgpool`` to 7×7, three FC layers.

    Args:
        features: the convolutional part, from :func:`make_layers`.
        num_classes: number of output scores.
        dropout: dropout probability after the first two FC layers.
        in_channels: image channels ``features`` expects (checked on every input).
    """

    def __init__(self, features: nn.Sequential, num_classes: int = 1000, dropout: float = 0.5,
                 in_channels: int = 3) -> None:
        super().__init__()
        classifier = fc_head(last_conv_channels(features) * 7 * 7, num_classes, dropout=dropout)
        self.in_channels = in_channels
        pools = sum(isinstance(m, nn.MaxPool2d) for m in features)
        self.min_side = min_input_side([Shrink(2, 2)] * pools)
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = classifier
        init_weights(self)  # torchvision's initialisation

    def forward(self, x: Tensor) -> Tensor:
        check_image(x, self.in_channels, self.min_side, type(self).__name__)
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def _vgg(config: str, batch_norm: bool, num_classes: int, in_channels: int,
         dropout: float) -> VGG:
    return VGG(make_layers(CONFIGS[config], batch_norm, in_channels), num_classes, dropout,
               in_channels)


@register("vgg11", torchvision=True)
def vgg11(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-11 (configuration A); torchvision's ``vgg11``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg11", False, num_classes, in_channels, dropout)


@register("vgg11_bn", torchvision=True)
def vgg11_bn(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-11 with BatchNorm; torchvision's ``vgg11_bn``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg11", True, num_classes, in_channels, dropout)


@register("vgg13", torchvision=True)
def vgg13(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-13 (configuration B); torchvision's ``vgg13``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg13", False, num_classes, in_channels, dropout)


@register("vgg13_bn", torchvision=True)
def vgg13_bn(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-13 with BatchNorm; torchvision's ``vgg13_bn``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg13", True, num_classes, in_channels, dropout)


@register("vgg16", torchvision=True)
def vgg16(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-16 (configuration D, 138,357,544 parameters); torchvision's ``vgg16``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg16", False, num_classes, in_channels, dropout)


@register("vgg16_bn", torchvision=True)
def vgg16_bn(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-16 with BatchNorm; torchvision's ``vgg16_bn``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg16", True, num_classes, in_channels, dropout)


@register("vgg19", torchvision=True)
def vgg19(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-19 (configuration E); torchvision's ``vgg19``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg19", False, num_classes, in_channels, dropout)


@register("vgg19_bn", torchvision=True)
def vgg19_bn(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
    """VGG-19 with BatchNorm; torchvision's ``vgg19_bn``.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
    """
    return _vgg("vgg19", True, num_classes, in_channels, dropout)
