"""VGG (Simonyan & Zisserman, 2014): stacks of 3×3 convolutions from one configuration table.

Each configuration lists the output channels of the 3×3 convolutions (padding 1, so the size is
kept) and ``"M"`` for a 2×2 max pool with stride 2, which halves it. The paper's columns A, B, D
and E are VGG-11, -13, -16 and -19; the ``_bn`` variants add BatchNorm after every convolution
(torchvision's names and parameter counts; VGG-16 has 138,357,544).
"""
from __future__ import annotations

from typing import Callable, Sequence, Union

from torch import Tensor, nn

from .input_check import Shrink, check_input, min_input_side
from .common import fc_head, init_weights, last_conv_channels
from .registry import public_factory

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
        check_input(self, x)
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def _vgg(config: str, batch_norm: bool, num_classes: int, in_channels: int,
         dropout: float) -> VGG:
    return VGG(make_layers(CONFIGS[config], batch_norm, in_channels), num_classes, dropout,
               in_channels)


_ARGS = """
    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        dropout: dropout probability in the classifier.
"""


def _variant(name: str, summary: str) -> Callable[..., VGG]:
    config, batch_norm = name.removesuffix("_bn"), name.endswith("_bn")

    def factory(*, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> VGG:
        return _vgg(config, batch_norm, num_classes, in_channels, dropout)

    return public_factory(factory, name, f"{summary}; torchvision's ``{name}``.", _ARGS,
                          torchvision=True)


vgg11 = _variant("vgg11", "VGG-11 (configuration A)")
vgg11_bn = _variant("vgg11_bn", "VGG-11 with BatchNorm")
vgg13 = _variant("vgg13", "VGG-13 (configuration B)")
vgg13_bn = _variant("vgg13_bn", "VGG-13 with BatchNorm")
vgg16 = _variant("vgg16", "VGG-16 (configuration D, 138,357,544 parameters)")
vgg16_bn = _variant("vgg16_bn", "VGG-16 with BatchNorm")
vgg19 = _variant("vgg19", "VGG-19 (configuration E)")
vgg19_bn = _variant("vgg19_bn", "VGG-19 with BatchNorm")
