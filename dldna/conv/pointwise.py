"""A 1×1 (pointwise) convolution is a matrix product over the channels at every pixel (chapter 3):
written out, and checked against F.conv2d."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def conv1x1_as_matmul(x: torch.Tensor, weight: torch.Tensor,
                      bias: torch.Tensor | None = None) -> torch.Tensor:
    """A 1×1 convolution as a matrix product over channels, pixel by pixel.

    Every pixel's channel vector (length C_in) is multiplied by the C_out × C_in matrix:
    Y[n, :, h, w] = W · X[n, :, h, w] + b. Equal to ``F.conv2d(x, weight, bias)``.

    Args:
        x: input, N × C_in × H × W.
        weight: C_out × C_in (or C_out × C_in × 1 × 1).
        bias: C_out numbers (``None``: no bias).
    """
    if x.dim() != 4:
        raise ValueError(f"x must be 4-D (N, C_in, H, W), got shape {tuple(x.shape)}")
    if weight.dim() == 4:
        if weight.shape[2:] != (1, 1):
            raise ValueError(f"weight must be a 1×1 kernel, got shape {tuple(weight.shape)}")
        weight = weight[:, :, 0, 0]
    if weight.dim() != 2 or weight.shape[1] != x.shape[1]:
        raise ValueError(f"channel mismatch: x has C_in={x.shape[1]} channels but weight has "
                         f"shape {tuple(weight.shape)} (expected C_out × {x.shape[1]})")
    n, c, h, w = x.shape
    pixels = x.reshape(n, c, h * w)                      # each column is one pixel's channels
    out = weight @ pixels                                # (C_out × C_in) @ (N × C_in × HW)
    if bias is not None:
        out = out + bias.view(1, -1, 1)
    return out.view(n, -1, h, w)


def conv1x1_check(n: int = 2, c_in: int = 8, c_out: int = 4, size: int = 5, seed: int = 0) -> float:
    """Largest abs(difference) between :func:`conv1x1_as_matmul` and ``F.conv2d`` on random data.

    Args:
        n: batch size.
        c_in: input channels.
        c_out: output channels.
        size: side of the square input in pixels.
        seed: seed of the random data.
    """
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c_in, size, size, generator=g)
    w = torch.randn(c_out, c_in, 1, 1, generator=g)
    b = torch.randn(c_out, generator=g)
    return float((conv1x1_as_matmul(x, w, b) - F.conv2d(x, w, b)).abs().max())
