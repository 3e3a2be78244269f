"""MobileNetV2 (Sandler et al., 2018): inverted residuals with linear bottlenecks.

Each block widens a thin tensor with a 1×1 convolution (expansion ``t``), filters it with a cheap
3×3 *depthwise* convolution, and projects it back with a 1×1 convolution that has **no**
activation (the linear bottleneck). ReLU6 everywhere else. Module names follow
``torchvision.models.mobilenetv2``, so torchvision's ImageNet weights load with ``strict=True``.
"""
from __future__ import annotations

from torch import Tensor, nn

from .common import init_weights
from .input_check import check_input
from .layers import ConvBNAct, make_divisible
from .registry import register

__all__ = ["InvertedResidual", "MobileNetV2", "mobilenet_v2", "depthwise_separable"]

# expansion t, output channels c, repeats n, first stride s (the paper's Table 2)
MOBILENET_V2_SETTING = [
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
]


def depthwise_separable(in_channels: int, out_channels: int, kernel_size: int = 3,
                        stride: int = 1) -> nn.Sequential:
    """MobileNetV1's unit: a k×k depthwise convolution, then a 1×1 pointwise one (BN + ReLU).

    Args:
        in_channels: channels in (and of the depthwise convolution).
        out_channels: channels out of the pointwise convolution.
        kernel_size: side k of the depthwise kernel.
        stride: stride of the depthwise convolution.
    """
    return nn.Sequential(
        ConvBNAct(in_channels, in_channels, kernel_size, stride, groups=in_channels),
        ConvBNAct(in_channels, out_channels, 1))


class InvertedResidual(nn.Module):
    """1×1 expand (ReLU6) → 3×3 depthwise (ReLU6) → 1×1 project (linear) [+ input].

    Args:
        in_channels: channels in.
        out_channels: channels out; the input is added when equal and stride is 1.
        stride: stride of the depthwise convolution, 1 or 2.
        expand_ratio: expansion t; the hidden width is t · in_channels.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 expand_ratio: int) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride}")
        hidden = int(round(in_channels * expand_ratio))
        self.use_res_connect = stride == 1 and in_channels == out_channels
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(ConvBNAct(in_channels, hidden, 1, activation_layer=nn.ReLU6))
        layers += [
            ConvBNAct(hidden, hidden, 3, stride, groups=hidden, activation_layer=nn.ReLU6),
            nn.Conv2d(hidden, out_channels, 1, bias=False),  # linear bottleneck: no ReLU
            nn.BatchNorm2d(out_channels),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    """Stem 3×3/2 (32) → 17 inverted residuals → 1×1 head (1280) → pool → dropout → linear.

    Args:
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.
        width_mult: multiplies every width (rounded to multiples of 8; the head never below 1280).
        dropout: dropout probability before the linear layer.
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, width_mult: float = 1.0,
                 dropout: float = 0.2) -> None:
        super().__init__()
        self.in_channels = in_channels
        if width_mult <= 0:
            raise ValueError(f"width_mult must be positive, got {width_mult}")
        channels = make_divisible(32 * width_mult)
        last = make_divisible(1280 * max(1.0, width_mult))
        layers: list[nn.Module] = [ConvBNAct(in_channels, channels, 3, 2,
                                             activation_layer=nn.ReLU6)]
        for t, c, n, s in MOBILENET_V2_SETTING:
            out = make_divisible(c * width_mult)
            for i in range(n):
                layers.append(InvertedResidual(channels, out, s if i == 0 else 1, t))
                channels = out
        layers.append(ConvBNAct(channels, last, 1, activation_layer=nn.ReLU6))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, num_classes))
        init_weights(self, linear="normal")

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(x.flatten(1))


@register("mobilenet_v2", torchvision=True)
def mobilenet_v2(num_classes: int = 1000, in_channels: int = 3, width_mult: float = 1.0,
                 dropout: float = 0.2) -> MobileNetV2:
    """MobileNetV2 (width multiplier ``width_mult``), torchvision's names and count.

    Args:
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.
        width_mult: multiplies every width (1.0: the standard network).
        dropout: dropout probability before the linear layer.
    """
    return MobileNetV2(num_classes, in_channels, width_mult, dropout)
