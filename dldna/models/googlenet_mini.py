"""A shallow GoogLeNet for small images (chapter 6): the same Inception modules and auxiliary heads,
sized for 28×28 and 32×32 inputs, registered as googlenet_mini."""
from __future__ import annotations

from torch import Tensor, nn

from .googlenet import (MINI_TABLE, BasicConv2d, GoogLeNetOutputs, InceptionAux,
                        _inception_stage)
from .input_check import Shrink, check_input, min_input_side
from .registry import register


class MiniGoogLeNet(nn.Module):
    """3×3 stem (32) → pool → inception 3a, 3b → pool → 4a, 4b, 4c → GAP → FC; small
    auxiliary heads (2×2 pool, 32 channels, 64 hidden) on 4a and 4b, as GoogLeNet's on 4a, 4d.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        aux_logits: build the two auxiliary heads.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1,
                 aux_logits: bool = True) -> None:
        super().__init__()
        self.in_channels, self.aux_logits = in_channels, aux_logits
        self.min_side = min_input_side([Shrink(2, 2), Shrink(2, 2)])
        self.stem = nn.Sequential(BasicConv2d(in_channels, 32, kernel_size=3, padding=1),
                                  nn.MaxPool2d(2))
        self.stage3 = _inception_stage(("3a", "3b"), MINI_TABLE, 3, 32)
        self.pool = nn.MaxPool2d(2)
        self.stage4 = _inception_stage(("4a", "4b", "4c"), MINI_TABLE, 3, 80)
        if aux_logits:
            self.aux1 = InceptionAux(104, num_classes, grid=2, width=32, hidden=64)
            self.aux2 = InceptionAux(112, num_classes, grid=2, width=32, hidden=64)
        self.fc = nn.Linear(self.stage4["4c"].out_channels, num_classes)

    def forward(self, x: Tensor):
        """Logits; ``GoogLeNetOutputs(logits, aux1, aux2)`` when training
        with heads.

        Args:
            x: a batch of images, (N, C, H, W).
        """
        check_input(self, x)
        x = self.pool(self.stage3["3b"](self.stage3["3a"](self.stem(x))))
        heads = self.aux_logits and self.training
        x = self.stage4["4a"](x)
        aux1 = self.aux1(x) if heads else None
        x = self.stage4["4b"](x)
        aux2 = self.aux2(x) if heads else None
        logits = self.fc(self.stage4["4c"](x).mean(dim=(2, 3)))
        return GoogLeNetOutputs(logits, aux1, aux2) if heads else logits


@register("googlenet_mini")
def googlenet_mini(*, num_classes: int = 10, in_channels: int = 1,
                   aux_logits: bool = True) -> MiniGoogLeNet:
    """A shallow GoogLeNet-style network for 28×28 / 32×32 images, with small auxiliary heads.

    Args:
        num_classes: number of output scores.
        in_channels: image channels.
        aux_logits: build the two auxiliary heads.
    """
    return MiniGoogLeNet(num_classes, in_channels, aux_logits)
