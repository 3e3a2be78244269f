"""EfficientNet (Tan & Le, 2019): MBConv blocks from a stage table, scaled by one coefficient φ.

``MBConvBlock`` is the MobileNetV2 inverted residual with squeeze-and-excitation and SiLU:
expand 1×1 → depthwise k×k → SE → project 1×1 (linear) → + input when the shapes match, the
residual branch dropped at random in training (stochastic depth). EfficientNet-B0 is the stage
table ``B0_STAGES``; compound scaling multiplies its depth by α^φ, its width by β^φ and its
input resolution by γ^φ (:func:`compound_scaling`). Names and keys follow
``torchvision.models.efficientnet``, so B0–B7 have torchvision's parameter counts and load its
weights with ``strict=True``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from torch import Tensor, nn

from .common import init_weights
from .input_check import check_input
from .layers import ConvBNAct, SqueezeExcitation, StochasticDepth, make_divisible
from .registry import register

__all__ = ["MBConvBlock", "EfficientNet", "Stage", "B0_STAGES", "VARIANTS", "Variant",
           "compound_scaling", "efficientnet", "efficientnet_from_phi", "stage_summary",
           "MAX_PHI", "PAPER_TABLE"]

ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15  # depth, width, resolution bases (grid search at φ = 1)
MAX_PHI = 7.0


@dataclass(frozen=True)
class Stage:
    """One row of the stage table: MBConv``expand_ratio``, k×k, stride, channels, repeats.

    Args:
        expand_ratio: expansion of every block of the stage.
        kernel_size: side k of the depthwise kernels.
        stride: stride of the stage's first block (the others use 1).
        in_channels: channels into the stage.
        out_channels: channels out of every block.
        repeats: number of blocks.
    """

    expand_ratio: int
    kernel_size: int
    stride: int
    in_channels: int
    out_channels: int
    repeats: int


B0_STAGES = (  # the paper's Table 1, after the 3×3/2 stem with 32 channels
    Stage(1, 3, 1, 32, 16, 1), Stage(6, 3, 2, 16, 24, 2), Stage(6, 5, 2, 24, 40, 2),
    Stage(6, 3, 2, 40, 80, 3), Stage(6, 5, 1, 80, 112, 3), Stage(6, 5, 2, 112, 192, 4),
    Stage(6, 3, 1, 192, 320, 1),
)


@dataclass(frozen=True)
class Variant:
    """Released coefficients of one EfficientNet: width and depth multipliers, resolution.

    Args:
        width: width multiplier of B0's channels.
        depth: depth multiplier of B0's repeats.
        resolution: input side in pixels.
        dropout: dropout probability before the classifier.
    """

    width: float
    depth: float
    resolution: int  # torchvision's evaluation size (B2: 288; the paper used 260)
    dropout: float


VARIANTS = {
    0: Variant(1.0, 1.0, 224, 0.2), 1: Variant(1.0, 1.1, 240, 0.2),
    2: Variant(1.1, 1.2, 288, 0.3), 3: Variant(1.2, 1.4, 300, 0.3),
    4: Variant(1.4, 1.8, 380, 0.4), 5: Variant(1.6, 2.2, 456, 0.4),
    6: Variant(1.8, 2.6, 528, 0.5), 7: Variant(2.0, 3.1, 600, 0.5),
}
# Tan & Le (2019), Table 2: parameters (millions), FLOPs (billions of multiply-adds) and
# ImageNet top-1 (%) as published; cited in chapter 8, never computed.
PAPER_TABLE = {0: (5.3, 0.39, 77.1), 1: (7.8, 0.70, 79.1), 2: (9.2, 1.0, 80.1),
               3: (12, 1.8, 81.6), 4: (19, 4.2, 82.9), 5: (30, 9.9, 83.6), 6: (43, 19, 84.0),
               7: (66, 37, 84.3)}
PAPER_RESOLUTIONS = {0: 224, 1: 240, 2: 260, 3: 300, 4: 380, 5: 456, 6: 528, 7: 600}


def compound_scaling(phi: float, alpha: float = ALPHA, beta: float = BETA,
                     gamma: float = GAMMA) -> tuple[float, float, float]:
    """Depth, width and resolution multipliers (α^φ, β^φ, γ^φ) for ``0 <= phi <= MAX_PHI``.

    Args:
        phi: the compound coefficient φ (0: B0).
        alpha: depth base α.
        beta: width base β.
        gamma: resolution base γ.
    """
    if isinstance(phi, bool) or not isinstance(phi, (int, float)) or not 0 <= phi <= MAX_PHI:
        raise ValueError(f"phi must be a number in [0, {MAX_PHI:g}], got {phi!r}")
    return alpha ** phi, beta ** phi, gamma ** phi


class MBConvBlock(nn.Module):
    """expand 1×1 → depthwise k×k → squeeze-excitation → project 1×1 [+ input], SiLU.

    Args:
        in_channels: channels in.
        out_channels: channels out; the input is added when equal and stride is 1.
        kernel_size: side k of the depthwise kernel.
        stride: stride of the depthwise convolution, 1 or 2.
        expand_ratio: hidden width = expand_ratio · in_channels.
        se_ratio: SE bottleneck width as a fraction of in_channels.
        stochastic_depth_prob: chance of dropping the residual branch in training.
        norm_layer: normalisation factory, called with a channel count.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, expand_ratio: int = 6, se_ratio: float = 0.25,
                 stochastic_depth_prob: float = 0.0, norm_layer=nn.BatchNorm2d) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride}")
        hidden = make_divisible(in_channels * expand_ratio)
        self.use_res_connect = stride == 1 and in_channels == out_channels
        layers: list[nn.Module] = []
        if hidden != in_channels:
            layers.append(ConvBNAct(in_channels, hidden, 1, norm_layer=norm_layer,
                                    activation_layer=nn.SiLU))
        layers += [
            ConvBNAct(hidden, hidden, kernel_size, stride, groups=hidden, norm_layer=norm_layer,
                      activation_layer=nn.SiLU),
            SqueezeExcitation(hidden, max(1, int(in_channels * se_ratio)),
                              activation=partial(nn.SiLU, inplace=True)),
            ConvBNAct(hidden, out_channels, 1, norm_layer=norm_layer, activation_layer=None),
        ]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        out = self.block(x)
        return x + self.stochastic_depth(out) if self.use_res_connect else out


def scale_stages(stages, width_mult: float, depth_mult: float) -> list[Stage]:
    """Widen every stage by ``width_mult`` (rounded to multiples of 8) and deepen it by
    ``depth_mult`` (rounded up): the scaling rule applied to a stage table."""
    return [Stage(s.expand_ratio, s.kernel_size, s.stride,
                  make_divisible(s.in_channels * width_mult),
                  make_divisible(s.out_channels * width_mult),
                  int(math.ceil(s.repeats * depth_mult))) for s in stages]


class EfficientNet(nn.Module):
    """Stem 3×3/2 → one ``nn.Sequential`` of MBConv blocks per stage → 1×1 head → classifier.

    Args:
        stages: the stage table, ``Stage`` rows such as ``B0_STAGES``.
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.
        dropout: dropout probability before the linear layer.
        stochastic_depth_prob: drop chance of the last block, rising linearly from 0.
        norm_layer: normalisation factory, called with a channel count.
    """

    def __init__(self, stages, num_classes: int = 1000, in_channels: int = 3,
                 dropout: float = 0.2, stochastic_depth_prob: float = 0.2,
                 norm_layer=nn.BatchNorm2d) -> None:
        super().__init__()
        self.in_channels = in_channels
        stages = list(stages)
        layers: list[nn.Module] = [ConvBNAct(in_channels, stages[0].in_channels, 3, 2,
                                             norm_layer=norm_layer, activation_layer=nn.SiLU)]
        total, index = sum(s.repeats for s in stages), 0
        for s in stages:
            blocks = []
            for i in range(s.repeats):
                blocks.append(MBConvBlock(s.in_channels if i == 0 else s.out_channels,
                                          s.out_channels, s.kernel_size, s.stride if i == 0 else 1,
                                          s.expand_ratio,
                                          stochastic_depth_prob=stochastic_depth_prob * index / total,
                                          norm_layer=norm_layer))
                index += 1
            layers.append(nn.Sequential(*blocks))
        head = 4 * stages[-1].out_channels
        layers.append(ConvBNAct(stages[-1].out_channels, head, 1, norm_layer=norm_layer,
                                activation_layer=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(dropout, inplace=True),
                                        nn.Linear(head, num_classes))
        init_weights(self, linear="uniform")

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x)
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def stage_summary(model: EfficientNet) -> list[dict]:
    """One row per stage, read from the built modules: the table of the paper, recovered.

    Args:
        model: a built EfficientNet.

    Returns:
        Dicts with ``stage``, ``operator``, ``stride``, ``channels`` and ``blocks``.
    """
    rows = []
    for index, stage in enumerate(model.features):
        if isinstance(stage, ConvBNAct):
            conv = stage[0]
            name = "stem" if index == 0 else "head"
            rows.append({"stage": name, "operator": f"conv {conv.kernel_size[0]}×"
                         f"{conv.kernel_size[0]}", "stride": conv.stride[0],
                         "channels": conv.out_channels, "blocks": 1})
            continue
        first: MBConvBlock = stage[0]
        depthwise = next(m[0] for m in first.block if isinstance(m, ConvBNAct)
                         and m[0].groups > 1)
        expand = depthwise.in_channels // first.block[0][0].in_channels
        rows.append({"stage": str(index), "operator": f"MBConv{expand} "
                     f"{depthwise.kernel_size[0]}×{depthwise.kernel_size[0]}",
                     "stride": depthwise.stride[0], "channels": first.out_channels,
                     "blocks": len(stage)})
    return rows


def efficientnet(width_mult: float = 1.0, depth_mult: float = 1.0, num_classes: int = 1000,
                 in_channels: int = 3, dropout: float = 0.2,
                 stochastic_depth_prob: float = 0.2, norm_layer=nn.BatchNorm2d) -> EfficientNet:
    """B0's stage table widened by ``width_mult`` and deepened by ``depth_mult``.

    Args:
        width_mult: multiplies every width (rounded to multiples of 8).
        depth_mult: multiplies every stage's repeats (rounded up).
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.
        dropout: dropout probability before the linear layer.
        stochastic_depth_prob: drop chance of the last block.
        norm_layer: normalisation factory, called with a channel count.
    """
    if width_mult <= 0 or depth_mult <= 0:
        raise ValueError(f"width_mult and depth_mult must be positive, got {width_mult}, "
                         f"{depth_mult}")
    return EfficientNet(scale_stages(B0_STAGES, width_mult, depth_mult), num_classes,
                        in_channels, dropout, stochastic_depth_prob, norm_layer)


def efficientnet_from_phi(phi: float, num_classes: int = 1000,
                          in_channels: int = 3) -> tuple[EfficientNet, int]:
    """The network the compound-scaling formula gives for ``phi`` and its input resolution.

    Args:
        phi: the compound coefficient, 0 to ``MAX_PHI``.
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.

    Returns:
        ``(model, resolution)``, the resolution 224 · γ^φ rounded to pixels.
    """
    depth, width, resolution = compound_scaling(phi)
    return (efficientnet(width, depth, num_classes, in_channels),
            int(round(224 * resolution)))


def _variant(b: int, num_classes: int, in_channels: int) -> EfficientNet:
    v = VARIANTS[b]
    # B5–B7 use TensorFlow's batch-norm settings (eps 1e-3, momentum 0.01) in torchvision
    norm = partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01) if b >= 5 else nn.BatchNorm2d
    return efficientnet(v.width, v.depth, num_classes, in_channels, v.dropout, norm_layer=norm)


def _make_factory(b: int):
    def factory(num_classes: int = 1000, in_channels: int = 3) -> EfficientNet:
        return _variant(b, num_classes, in_channels)

    v = VARIANTS[b]
    factory.__name__ = factory.__qualname__ = f"efficientnet_b{b}"
    factory.__module__ = __name__
    factory.__doc__ = (f"EfficientNet-B{b}: width ×{v.width}, depth ×{v.depth}, "
                       f"{v.resolution}×{v.resolution} input.")
    return register(f"efficientnet_b{b}", torchvision=True)(factory)


efficientnet_b0, efficientnet_b1, efficientnet_b2, efficientnet_b3, efficientnet_b4, \
    efficientnet_b5, efficientnet_b6, efficientnet_b7 = (_make_factory(b) for b in range(8))
