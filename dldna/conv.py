"""Convolution and max pooling written out by hand (chapter 2).

Three ways to compute the same 2-D convolution layer:

* :class:`SimpleConv2d` / :func:`conv2d_loops` – explicit loops over output channels and output
  positions; each step is the multiply-and-sum of one window with one filter.
* :func:`conv2d_im2col` – copy every window into a column of one matrix (*im2col*), then one
  matrix product does all the work. This is how many libraries run convolutions.
* ``torch.nn.functional.conv2d`` – the library's optimised kernels (the reference).

Like ``nn.Conv2d`` (and every deep-learning library) the layers compute *cross-correlation*:
the kernel is not flipped.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F



def _pair(value, name: str, *, minimum: int) -> tuple[int, int]:
    """Turn an int or a pair into a validated ``(rows, cols)`` tuple of ints ≥ ``minimum``."""
    pair = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        pair = tuple(pair)
    except TypeError:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}") from None
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value!r}")
    return pair


def output_size(n: int, k: int, s: int = 1, p: int = 0) -> int:
    """Length of a convolution's output along one axis: ⌊(n + 2p − k) / s⌋ + 1.

    ``n`` input size, ``k`` kernel size, ``s`` stride, ``p`` zero padding on each side.
    """
    for name, value, minimum in (("n", n, 1), ("k", k, 1), ("s", s, 1), ("p", p, 0)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < minimum:
            what = "stride s" if name == "s" else name
            raise ValueError(f"{what} must be ≥ {minimum}, got {value}")
    if k > n + 2 * p:
        raise ValueError(f"kernel size k={k} is larger than the padded input n + 2p = "
                         f"{n} + 2·{p} = {n + 2 * p}")
    return (n + 2 * p - k) // s + 1


def conv_output_shape(input_hw, kernel_size, stride=1, padding=0) -> tuple[int, int]:
    """Output ``(H, W)`` for an input ``(H, W)``; kernel, stride and padding are ints or pairs."""
    h, w = _pair(input_hw, "input_hw", minimum=1)
    kh, kw = _pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = _pair(stride, "stride", minimum=1)
    ph, pw = _pair(padding, "padding", minimum=0)
    return output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)


def _check_conv(x, weight, bias, stride, padding):
    """Validate the arguments of a convolution; return stride and padding as pairs."""
    for name, t in (("x", x), ("weight", weight)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if x.dim() != 4:
        raise ValueError(f"x must be 4-D (N, C_in, H, W), got {x.dim()}-D of shape {tuple(x.shape)}")
    if weight.dim() != 4:
        raise ValueError(f"weight must be 4-D (C_out, C_in, kH, kW), got shape {tuple(weight.shape)}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"channel mismatch: x has C_in={x.shape[1]} channels (shape "
                         f"{tuple(x.shape)}) but weight expects {weight.shape[1]} "
                         f"(shape {tuple(weight.shape)})")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"bias must have shape ({weight.shape[0]},) = (C_out,), got "
                         f"{tuple(bias.shape)}")
    s = _pair(stride, "stride", minimum=1)
    p = _pair(padding, "padding", minimum=0)
    for axis, n, k, pad in (("height", x.shape[2], weight.shape[2], p[0]),
                            ("width", x.shape[3], weight.shape[3], p[1])):
        if k > n + 2 * pad:
            raise ValueError(f"kernel {axis} {k} is larger than the padded input {axis} "
                             f"{n} + 2·{pad} = {n + 2 * pad} (x shape {tuple(x.shape)}, "
                             f"weight shape {tuple(weight.shape)})")
    return s, p


def conv2d_loops(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                 stride=1, padding=0) -> torch.Tensor:
    """2-D convolution (cross-correlation) with explicit loops.

    Y[n, c, i, j] = b[c] + Σ_{c_in, u, v} X[n, c_in, i·s + u, j·s + v] · W[c, c_in, u, v]
    on the zero-padded input X. The loops run over output positions (i, j); at each position
    one window (input channels × kernel rows × kernel columns) is multiplied by every filter
    and summed, for the whole batch at once.
    """
    (sh, sw), (ph, pw) = _check_conv(x, weight, bias, stride, padding)
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = F.pad(x, (pw, pw, ph, ph))                       # zeros: left, right, top, bottom
    out_h, out_w = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
    out = x.new_zeros(n, c_out, out_h, out_w)
    for i in range(out_h):                               # output row
        for j in range(out_w):                           # output column
            window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]       # N × C_in × kH × kW
            # every filter times the same window: (N, 1, C_in, kH, kW) · (C_out, C_in, kH, kW)
            out[:, :, i, j] = (window[:, None] * weight).sum(dim=(2, 3, 4))
    if bias is not None:
        out = out + bias.view(1, c_out, 1, 1)            # one bias per output channel
    return out


class SimpleConv2d(nn.Module):
    """A convolution layer that a reader can follow: same parameters as ``nn.Conv2d``.

    ``weight`` has shape (C_out, C_in, kH, kW) and ``bias`` (C_out,), initialised like
    ``nn.Conv2d``, so ``layer.load_state_dict(conv.state_dict())`` works both ways.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", minimum=1)
        self.stride = _pair(stride, "stride", minimum=1)
        self.padding = _pair(padding, "padding", minimum=0)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, *self.kernel_size))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # The same uniform initialisation as nn.Conv2d (Kaiming with a = √5).
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight[0].numel()
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv2d_loops(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


def max_pool2d_loops(x: torch.Tensor, kernel_size, stride=None, padding=0) -> torch.Tensor:
    """Max pooling with explicit loops: the largest value of each window, channel by channel.

    ``stride`` defaults to ``kernel_size`` (non-overlapping windows); padding adds −∞ borders
    and may be at most half the kernel, as in PyTorch.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got {x.dim()}-D of shape {tuple(x.shape)}")
    kh, kw = _pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = _pair(kernel_size if stride is None else stride, "stride", minimum=1)
    ph, pw = _pair(padding, "padding", minimum=0)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"padding {(ph, pw)} must be at most half the kernel size {(kh, kw)}")
    for axis, n, k, pad in (("height", x.shape[2], kh, ph), ("width", x.shape[3], kw, pw)):
        if k > n + 2 * pad:
            raise ValueError(f"kernel {axis} {k} is larger than the padded input {axis} "
                             f"{n} + 2·{pad} = {n + 2 * pad} (x shape {tuple(x.shape)})")
    out_h, out_w = output_size(x.shape[2], kh, sh, ph), output_size(x.shape[3], kw, sw, pw)
    x = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    out = x.new_empty(x.shape[0], x.shape[1], out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]       # N × C × kH × kW
            out[:, :, i, j] = window.amax(dim=(2, 3))
    return out


class SimpleMaxPool2d(nn.Module):
    """Max pooling with explicit loops; same arguments and results as ``nn.MaxPool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size", minimum=1)
        self.stride = _pair(kernel_size if stride is None else stride, "stride", minimum=1)
        self.padding = _pair(padding, "padding", minimum=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return max_pool2d_loops(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def im2col(x: torch.Tensor, kernel_size, stride=1, padding=0) -> torch.Tensor:
    """Copy every kernel-sized window of ``x`` into a column.

    Returns N × (C·kH·kW) × L with L = H_out·W_out windows, ordered like ``F.unfold``.
    ``Tensor.unfold`` makes a sliding-window *view* (no copy): first along the rows, then along
    the columns, giving N × C × H_out × W_out × kH × kW. The final ``reshape`` copies each window
    into its column — the only copy, and the memory price of im2col.
    """
    if x.dim() != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got {x.dim()}-D of shape {tuple(x.shape)}")
    kh, kw = _pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = _pair(stride, "stride", minimum=1)
    ph, pw = _pair(padding, "padding", minimum=0)
    n, c, h, w = x.shape
    output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)  # raises if the kernel does not fit
    if ph or pw:
        x = F.pad(x, (pw, pw, ph, ph))
    windows = x.unfold(2, kh, sh).unfold(3, kw, sw)      # N × C × H_out × W_out × kH × kW (view)
    columns = windows.permute(0, 1, 4, 5, 2, 3)          # N × C × kH × kW × H_out × W_out
    return columns.reshape(n, c * kh * kw, -1)


# Bytes of columns built at a time: about what a CPU cache holds (see conv2d_im2col).
COLUMNS_BUDGET = 8 * 2**20


def conv2d_im2col(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                  stride=1, padding=0) -> torch.Tensor:
    """2-D convolution as one matrix product: (C_out × C_in·kH·kW) @ (C_in·kH·kW × L).

    The columns of a whole batch can be far larger than the CPU's cache (75 MB for 32 images of
    64×32×32 and a 3×3 kernel), and writing them out to memory then costs more than the product.
    So the batch goes through a few images at a time, each group's columns about
    ``COLUMNS_BUDGET`` bytes: the same arithmetic, with the columns still in cache when used.
    """
    (sh, sw), (ph, pw) = _check_conv(x, weight, bias, stride, padding)
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out, w_out = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
    per_image = c_in * kh * kw * h_out * w_out * x.element_size()
    group = max(1, COLUMNS_BUDGET // per_image)
    rows = weight.reshape(c_out, -1)                     # C_out × K
    parts = [rows @ im2col(x[i:i + group], (kh, kw), (sh, sw), (ph, pw))
             for i in range(0, n, group)]               # (C_out × K) @ (n × K × L) → n × C_out × L
    out = parts[0] if len(parts) == 1 else torch.cat(parts)
    if bias is not None:
        out = out + bias.view(1, c_out, 1)
    return out.view(n, c_out, h_out, w_out)
