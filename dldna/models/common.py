"""Small builders several model families share: torchvision's ResNet convolutions
(:func:`conv3x3`, :func:`conv1x1`), AlexNet's and VGG's fully connected head (:func:`fc_head`),
and torchvision's weight initialisation (:func:`init_weights`)."""
from __future__ import annotations

import math

from torch import nn

__all__ = ["conv1x1", "conv3x3", "fc_head", "init_weights", "last_conv_channels"]


def last_conv_channels(features: nn.Module) -> int:
    """Output channels of the last ``nn.Conv2d`` in ``features`` (what a head receives).

    Args:
        features: the convolutional part of a network.
    """
    convs = [m for m in features.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError("features must contain an nn.Conv2d")
    return convs[-1].out_channels


def fc_head(in_features: int, num_classes: int, *, hidden: int = 4096, dropout: float = 0.5,
            dropout_first: bool = False) -> nn.Sequential:
    """Three fully connected layers with ReLU and dropout, as AlexNet and VGG end.

    The layer order (and so the state-dict keys) is torchvision's: AlexNet puts each dropout
    before its linear layer (``dropout_first=True``), VGG after the ReLU.

    Args:
        in_features: inputs of the first layer (the flattened feature map).
        num_classes: outputs of the last layer.
        hidden: width of the two hidden layers.
        dropout: dropout probability, in [0, 1).
        dropout_first: AlexNet's order (dropout, linear, ReLU) instead of VGG's (linear, ReLU,
            dropout).
    """
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    layers: list[nn.Module] = []
    for n_in in (in_features, hidden):
        block = [nn.Linear(n_in, hidden), nn.ReLU(inplace=True)]
        drop = nn.Dropout(p=dropout)
        layers += [drop, *block] if dropout_first else [*block, drop]
    return nn.Sequential(*layers, nn.Linear(hidden, num_classes))


def init_weights(model: nn.Module, *, linear: str = "normal") -> None:
    """torchvision's initialisation: Kaiming-normal convolutions (fan-out), batch norms at 1 and
    0, zero biases; linear layers drawn from N(0, 0.01²) (``"normal"``: VGG, MobileNet) or from
    U(±1/√outputs) (``"uniform"``: EfficientNet).

    Args:
        model: the model, initialised in place, module by module in ``model.modules()`` order.
        linear: ``"normal"`` or ``"uniform"``.
    """
    if linear not in ("normal", "uniform"):
        raise ValueError(f"linear must be 'normal' or 'uniform', got {linear!r}")
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            if linear == "normal":
                nn.init.normal_(m.weight, 0, 0.01)
            else:
                bound = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -bound, bound)
            nn.init.zeros_(m.bias)


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """3×3 convolution with padding 1 and no bias (a BatchNorm follows).

    Args:
        in_planes: input channels.
        out_planes: output channels.
        stride: step of the kernel.
    """
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1×1 convolution without bias: channel mixing, or a projection shortcut.

    Args:
        in_planes: input channels.
        out_planes: output channels.
        stride: step of the kernel (2 for a downsampling shortcut).
    """
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)
