"""Clear errors at the model boundary: wrong channel count, image too small for the pooling.

Models built for 224×224 images shrink their input many times (strided convolutions, pooling).
Fed a smaller image, PyTorch fails deep inside with "output size is too small"; these helpers
fail first, naming what was expected. Each downsampling step is a :class:`Shrink`
(kernel, stride, padding, ceil_mode), the same arithmetic as ``nn.Conv2d``/``nn.MaxPool2d``.
"""
from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import torch


class Shrink(NamedTuple):
    """One layer that changes the spatial size: k×k window, stride, padding, ceil mode.

    Args:
        kernel: window side k.
        stride: step of the window.
        padding: zero padding on each side.
        ceil_mode: round the output size up (as ``nn.MaxPool2d(ceil_mode=True)``).
    """

    kernel: int
    stride: int = 1
    padding: int = 0
    ceil_mode: bool = False

    def out(self, n: int) -> int:
        span = n + 2 * self.padding - self.kernel
        if span < 0:
            return 0
        steps = math.ceil(span / self.stride) if self.ceil_mode else span // self.stride
        # PyTorch's rule: the last window of a ceil-mode pool must start inside the input.
        if self.ceil_mode and steps * self.stride >= n + self.padding:
            steps -= 1
        return steps + 1


def output_side(steps: Sequence[Shrink], n: int) -> int:
    """Side of the feature map after all ``steps`` for an n×n input (0: it vanished).

    Args:
        steps: the model's size-changing layers, in order.
        n: the input side in pixels.
    """
    for step in steps:
        n = step.out(n) if n > 0 else 0
    return n


def min_input_side(steps: Sequence[Shrink], limit: int = 4096) -> int:
    """Smallest input side that leaves at least a 1×1 map after every step.

    Args:
        steps: the model's size-changing layers, in order.
        limit: the largest side tried before giving up with a ValueError.
    """
    for n in range(1, limit + 1):
        if output_side(steps, n) >= 1:
            return n
    raise ValueError(f"no input side up to {limit} survives these layers")


def check_image(x: torch.Tensor, in_channels: int, min_side: int, model: str) -> None:
    """Raise a ValueError naming the problem when ``x`` is not an (N, C, H, W) batch the model
    can take: C must equal ``in_channels`` and H, W must be at least ``min_side``.

    Args:
        x: the input batch.
        in_channels: channels the model was built for.
        min_side: smallest height and width the model takes.
        model: the model's name, used in the error message.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{model} expects a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 4:
        raise ValueError(f"{model} expects a batch of shape (N, C, H, W), "
                         f"got shape {tuple(x.shape)}")
    if x.shape[1] != in_channels:
        raise ValueError(f"{model} expects {in_channels} input channels, got {x.shape[1]} "
                         f"(input shape {tuple(x.shape)})")
    if min(x.shape[2], x.shape[3]) < min_side:
        raise ValueError(f"{model} needs images of at least {min_side}×{min_side} pixels to "
                         f"survive its pooling, got {x.shape[2]}×{x.shape[3]}")
