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
import torch.fx
from torch import nn


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


def check_image(x: torch.Tensor, in_channels: int, min_side: int, model: str, *,
                dtype: torch.dtype | None = None, size: int | None = None) -> None:
    """Raise a ValueError/TypeError naming the problem and its fix when ``x`` is not an
    (N, C, H, W) batch the model can take: a float tensor (of the weights' ``dtype``), C equal
    to ``in_channels``, H and W at least ``min_side`` (exactly ``size`` where a fixed-size head
    needs it).

    Args:
        x: the input batch.
        in_channels: channels the model was built for.
        min_side: smallest height and width the model takes.
        model: the model's name, used in the error message.
        dtype: the dtype of the model's weights; ``None`` skips that check.
        size: the one side the model takes (fixed by its head); ``None`` for any ≥ ``min_side``.
    """
    if isinstance(x, torch.fx.Proxy):  # symbolic tracing (the book's diagrams): no values yet
        return
    if not isinstance(x, torch.Tensor):
        hint = " (convert with `torch.as_tensor(x)`)" if hasattr(x, "__array__") else ""
        raise TypeError(f"{model} expects a torch.Tensor, got {type(x).__name__}{hint}")
    if x.dim() != 4:
        hint = {2: "one grey image: add batch and channel axes with `x[None, None]`",
                3: "one C×H×W image: add a batch axis with `x[None]` (or `x.unsqueeze(0)`)"}
        raise ValueError(f"{model} expects a batch of shape (N, C, H, W), got shape "
                         f"{tuple(x.shape)}" + (f"; for {hint[x.dim()]}" if x.dim() in hint
                                                 else ""))
    if not x.is_floating_point():
        raise TypeError(f"{model} expects float images, got {x.dtype}: convert with "
                        "`x.float() / 255` (values in [0, 1])")
    if dtype is not None and x.dtype != dtype:
        raise TypeError(f"{model}'s weights are {dtype} but the input is {x.dtype}: convert "
                        f"with `x.to({dtype})`")
    if x.shape[1] != in_channels:
        fix = {(1, 3): "colour images into a grey model: `x.mean(1, keepdim=True)`",
               (3, 1): "grey images into a colour model: `x.expand(-1, 3, -1, -1)`"}
        hint = fix.get((in_channels, x.shape[1]), f"build it with in_channels={x.shape[1]}")
        raise ValueError(f"{model} expects {in_channels} input channels, got {x.shape[1]} "
                         f"(input shape {tuple(x.shape)}); {hint}")
    if size is not None and tuple(x.shape[2:]) != (size, size):
        raise ValueError(f"{model} was built for {size}×{size} images only (its layers fix "
                         f"the size), got {x.shape[2]}×{x.shape[3]}: resize with "
                         f"`F.interpolate(x, size={size})` or build it for that image_size")
    if min(x.shape[2], x.shape[3]) < min_side:
        raise ValueError(f"{model} needs images of at least {min_side}×{min_side} pixels to "
                         f"survive its pooling, got {x.shape[2]}×{x.shape[3]}: resize with "
                         f"`F.interpolate(x, size={min_side})`")


def check_input(model: nn.Module, x: torch.Tensor) -> None:
    """The input check every model's ``forward`` starts with: :func:`check_image` with the
    model's ``in_channels``, its ``min_side`` (default 1), its fixed ``input_size`` (if it has
    one) and the dtype of its weights.

    Args:
        model: the model about to run; must have an ``in_channels`` attribute.
        x: its input batch.
    """
    weight = next(model.parameters(), None)
    check_image(x, model.in_channels, getattr(model, "min_side", 1), type(model).__name__,
                dtype=None if weight is None else weight.dtype,
                size=getattr(model, "input_size", None))
