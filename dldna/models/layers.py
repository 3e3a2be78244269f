"""Layers shared by several model families, each a drop-in for its torchvision counterpart.

The state-dict keys are torchvision's, so a family built from these layers loads torchvision's
pretrained weights with ``strict=True``:

- :class:`ConvBNAct` = ``torchvision.ops.Conv2dNormActivation`` (MobileNet, EfficientNet);
- :class:`SqueezeExcitation` = ``torchvision.ops.SqueezeExcitation`` (MobileNetV3,
  EfficientNet);
- :class:`StochasticDepth` = ``torchvision.ops.StochasticDepth`` (ResNet, EfficientNet,
  ConvNeXt);
- :func:`make_divisible` = ``torchvision.models._utils._make_divisible`` (MobileNet,
  EfficientNet);
- :class:`LayerNorm2d` = ``torchvision.models.convnext.LayerNorm2d`` (ConvNeXt);

Builders (ResNet's convolutions, AlexNet's and VGG's head, the initialisation) are in
:mod:`dldna.models.common`.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["ConvBNAct", "LayerNorm2d", "SqueezeExcitation", "StochasticDepth", "make_divisible",
           "stochastic_depth"]

def make_divisible(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round a channel count ``v`` to the nearest multiple of ``divisor`` (torchvision's rule).

    The result is at least ``min_value`` (default: ``divisor``) and never more than 10 % below
    ``v``: if rounding to the nearest multiple loses more, one more ``divisor`` is added. Width
    multipliers (MobileNet's α, EfficientNet's width coefficient) go through this function so
    every layer keeps a hardware-friendly channel count.

    >>> make_divisible(32 * 0.75), make_divisible(10), make_divisible(3)
    (24, 16, 8)

    Args:
        v: the channel count wanted (e.g. a width multiplier times a base width).
        divisor: the multiple to round to.
        min_value: the smallest result; ``None`` for ``divisor``.
    """
    if not isinstance(divisor, int) or isinstance(divisor, bool) or divisor < 1:
        raise ValueError(f"divisor must be a positive int, got {divisor!r}")
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise ValueError(f"v must be a non-negative number, got {v!r}")
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:  # rounding down may not remove more than 10 %
        new_v += divisor
    return new_v


class ConvBNAct(nn.Sequential):
    """Convolution → normalisation → activation, as one ``nn.Sequential``.

    The children are numbered ``0`` (``nn.Conv2d``), ``1`` (the norm layer) and ``2`` (the
    activation), exactly as in ``torchvision.ops.Conv2dNormActivation``, whose arguments and
    positional order this class shares. ``padding=None`` keeps the spatial size at stride 1
    (``(kernel_size - 1) // 2 * dilation``); ``bias=None`` gives the convolution a bias only
    when there is no norm layer to absorb it. ``norm_layer=None`` or ``activation_layer=None``
    leaves that step out (and the later children move up one number, as in torchvision).

    Args:
        in_channels: input channels.
        out_channels: output channels (filters).
        kernel_size: side of the square kernel.
        stride: step of the kernel.
        padding: zero padding; ``None`` keeps the size at stride 1.
        groups: channel groups (``in_channels`` for a depthwise convolution).
        norm_layer: builds the norm layer from the channel count; ``None`` for none.
        activation_layer: builds the activation; ``None`` for none.
        dilation: spacing of the kernel's taps.
        inplace: passed to the activation as ``inplace``; ``None`` passes nothing.
        bias: convolution bias; ``None`` for one only without a norm layer.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, padding: int | str | None = None, groups: int = 1,
                 norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
                 activation_layer: Callable[..., nn.Module] | None = nn.ReLU, dilation: int = 1,
                 inplace: bool | None = True, bias: bool | None = None) -> None:
        if not isinstance(kernel_size, int) or not isinstance(dilation, int):
            raise TypeError("kernel_size and dilation must be ints, got "
                            f"kernel_size={kernel_size!r}, dilation={dilation!r}")
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, kernel_size, stride,
                                             padding, dilation=dilation, groups=groups,
                                             bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {"inplace": inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al., 2018): rescale each channel by a learned gate.

    *Squeeze*: average each channel over the image. *Excite*: a bottleneck of two 1×1
    convolutions, ``fc1`` (``input_channels`` → ``squeeze_channels``) then ``activation``, and
    ``fc2`` back to ``input_channels`` then ``scale_activation`` (δ and σ in the paper's eq. 3),
    gives one factor per channel that multiplies the input. Names and keys are
    ``torchvision.ops.SqueezeExcitation``'s; MobileNetV3 uses ``scale_activation=nn.Hardsigmoid``,
    EfficientNet ``activation=nn.SiLU``.

    Args:
        input_channels: channels in and out.
        squeeze_channels: width of the bottleneck.
        activation: builds δ, after ``fc1``.
        scale_activation: builds σ, the gate after ``fc2``.
    """

    def __init__(self, input_channels: int, squeeze_channels: int,
                 activation: Callable[..., nn.Module] = nn.ReLU,
                 scale_activation: Callable[..., nn.Module] = nn.Sigmoid) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def scale(self, x: Tensor) -> Tensor:
        """The per-channel factors, shape ``(N, C, 1, 1)``.

        Args:
            x: a batch of feature maps, (N, C, H, W).
        """
        s = self.activation(self.fc1(self.avgpool(x)))
        return self.scale_activation(self.fc2(s))

    def forward(self, x: Tensor) -> Tensor:
        return self.scale(x) * x


def stochastic_depth(x: Tensor, p: float, mode: str, training: bool = True) -> Tensor:
    """Zero ``x`` with probability ``p`` and scale the survivors by ``1 / (1 - p)``.

    ``mode="row"`` draws one coin per sample (the first dimension), ``"batch"`` one for the
    whole batch. Outside training, or at ``p = 0``, ``x`` is returned unchanged. Same random
    draws as ``torchvision.ops.stochastic_depth``, so both agree under the same seed.

    Args:
        x: the residual branch's output, batch first.
        p: drop probability, in [0, 1].
        mode: ``"row"`` (per sample) or ``"batch"``.
        training: drop only when ``True``.
    """
    _check_stochastic_depth(p, mode)
    if not training or p == 0.0:
        return x
    survival = 1.0 - p
    size = [x.shape[0]] + [1] * (x.ndim - 1) if mode == "row" else [1] * x.ndim
    noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(survival)
    if survival > 0.0:
        noise.div_(survival)
    return x * noise


def _check_stochastic_depth(p: float, mode: str) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p (drop probability) must lie in [0, 1], got {p!r}")
    if mode not in ("batch", "row"):
        raise ValueError(f"mode must be 'batch' or 'row', got {mode!r}")


class StochasticDepth(nn.Module):
    """Randomly drop a residual branch during training (Huang et al., 2016).

    Put it on the residual branch: ``out = shortcut(x) + StochasticDepth(p)(branch(x))``. In
    training mode each sample's branch (``mode="row"``) or the whole batch's (``"batch"``) is
    zeroed with probability ``p`` and otherwise scaled by ``1 / (1 - p)``, so the expected output
    is unchanged; in eval mode, and at ``p = 0``, it is the identity. A drop-in for
    ``torchvision.ops.StochasticDepth`` (no parameters, same draws).

    Args:
        p: drop probability, in [0, 1].
        mode: ``"row"`` (per sample) or ``"batch"``.
    """

    def __init__(self, p: float, mode: str = "row") -> None:
        super().__init__()
        _check_stochastic_depth(p, mode)
        self.p = p
        self.mode = mode

    def forward(self, x: Tensor) -> Tensor:
        return stochastic_depth(x, self.p, self.mode, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p:.4g}, mode={self.mode}"  # 0.0375, not 0.037500000000000006


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an ``(N, C, H, W)`` tensor, at every pixel.

    ``nn.LayerNorm(C)`` normalises the last dimension; ConvNeXt's feature maps are channels
    first, so this layer moves the channels last, normalises, and moves them back. Its
    parameters are ``weight`` and ``bias`` of shape ``(C,)``, as in torchvision's ConvNeXt.
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4:
            raise ValueError(f"LayerNorm2d expects an (N, C, H, W) tensor, got shape "
                             f"{tuple(x.shape)}")
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)
