"""Max pooling written out by hand (chapter 2): a drop-in for ``nn.MaxPool2d``.

A pooling layer has no weights: it slides a window over each channel and keeps
the largest value. The options are PyTorch's: stride (the kernel size by
default), padding with −∞ (at most half the kernel), dilation, ``ceil_mode``
(round the output size up, keeping a last, partial window) and
``return_indices`` (where each maximum came from, for ``nn.MaxUnpool2d``).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .options import as_pair, check_input, effective_size

_AXES = ("height", "width")


def pool_output_size(n: int, k: int, s: int, p: int, d: int = 1,
                     ceil_mode: bool = False, axis: str = "size") -> int:
    """Output length of a pooling window along one axis, by PyTorch's rule: with
    ``ceil_mode`` the size is rounded up, but the last window must start inside
    the input or its left padding.

    Args:
        n: input size.
        k: window size.
        s: stride.
        p: padding on each side.
        d: dilation.
        ceil_mode: round up instead of down.
        axis: the axis's name in error messages.
    """
    span = effective_size(k, d)
    out = (n + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1                          # that window would start in the right padding
    if out < 1:
        what = f"kernel {axis} {k}" if d == 1 else f"dilated kernel {axis} {span}"
        raise ValueError(f"{what} is larger than the padded input {axis} "
                         f"{n} + 2·{p} = {n + 2 * p}")
    return out


def pool_options(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                 return_indices=False):
    """Kernel, stride, padding, dilation as checked pairs (stride: the kernel).

    Args:
        kernel_size: window size, an int or a pair.
        stride: step between windows (``None``: the kernel size).
        padding: −∞ padding on each side, at most half the kernel.
        dilation: spacing of the window's taps.
        ceil_mode: round the output size up instead of down.
        return_indices: also return where each maximum is.
    """
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", minimum=1)
    padding = as_pair(padding, "padding", minimum=0)
    dilation = as_pair(dilation, "dilation", minimum=1)
    for name, flag in (("ceil_mode", ceil_mode), ("return_indices", return_indices)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"padding {padding} must be at most half the kernel size "
                         f"{kernel}")
    return kernel, stride, padding, dilation


def _first_inside(start: int, d: int) -> int:
    """The first of start, start + d, start + 2d, … that is not left padding."""
    return start if start >= 0 else start - d * (start // d)


def max_pool2d_loops(x: torch.Tensor, kernel_size, stride=None, padding=0,
                     dilation=1, ceil_mode: bool = False,
                     return_indices: bool = False):
    """Max pooling with loops: the largest value of each window, channel by channel.

    The arguments are those of ``F.max_pool2d``. With ``return_indices`` it also
    returns where each maximum is in its flattened (H·W) input channel: the first
    largest value in reading order, as PyTorch picks it.

    Args:
        x: input, N × C × H × W (or C × H × W).
        kernel_size: window size, an int or a pair.
        stride: step between windows (``None``: the kernel size).
        padding: −∞ padding on each side, at most half the kernel.
        dilation: spacing of the window's taps.
        ceil_mode: round the output size up instead of down.
        return_indices: also return where each maximum is.
    """
    check_input(x, what="C")
    options = pool_options(kernel_size, stride, padding, dilation, ceil_mode,
                           return_indices)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = options
    out_h, out_w = (pool_output_size(*args, ceil_mode, axis) for *args, axis
                    in zip(x.shape[-2:], *options, _AXES))
    unbatched = x.dim() == 3
    x = x[None] if unbatched else x
    n, c, h, w = x.shape
    span_h, span_w = effective_size(kh, dh), effective_size(kw, dw)
    # ceil_mode's last window may run past the padding: more −∞ after the input
    pads = (pw, max(pw, (out_w - 1) * sw + span_w - w - pw),
            ph, max(ph, (out_h - 1) * sh + span_h - h - ph))
    lowest = -torch.inf if x.is_floating_point() else torch.iinfo(x.dtype).min
    x = F.pad(x, pads, value=lowest)
    where = F.pad(torch.arange(h * w).view(h, w), pads, value=-1)  # −1: padding
    out = x.new_empty(n, c, out_h, out_w)
    indices = torch.empty(n, c, out_h, out_w, dtype=torch.long)
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * sh, i * sh + span_h, dh)    # every d-th row of a span
            cols = slice(j * sw, j * sw + span_w, dw)
            window = x[:, :, rows, cols].reshape(n, c, kh * kw)
            out[:, :, i, j] = window.amax(dim=2)
            if return_indices:                          # argmax: the first largest
                best = where[rows, cols].reshape(-1)[window.argmax(dim=2)]
                # nothing above the −∞ padding: PyTorch names the first inside tap
                first = (_first_inside(i * sh - ph, dh) * w
                         + _first_inside(j * sw - pw, dw))
                indices[:, :, i, j] = best.masked_fill(best < 0, first)
    if unbatched:
        out, indices = out[0], indices[0]
    return (out, indices) if return_indices else out


class SimpleMaxPool2d(nn.Module):
    """Max pooling with loops: a drop-in for ``nn.MaxPool2d`` (the same arguments in
    the same order, the same results and indices).

    Args:
        kernel_size: window size, an int or a pair.
        stride: step between windows (``None``: the kernel size).
        padding: −∞ padding on each side, at most half the kernel.
        dilation: spacing of the window's taps.
        return_indices: ``forward`` also returns where each maximum is.
        ceil_mode: round the output size up instead of down.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        pool_options(kernel_size, stride, padding, dilation, ceil_mode, return_indices)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: torch.Tensor):
        return max_pool2d_loops(x, self.kernel_size, self.stride, self.padding,
                                self.dilation, self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, "
                f"ceil_mode={self.ceil_mode}")


__all__ = ["SimpleMaxPool2d", "max_pool2d_loops", "pool_options", "pool_output_size"]
