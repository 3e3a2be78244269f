"""Convolution written out by hand (chapter 2).

Three ways to compute the same 2-D convolution layer:

* :class:`SimpleConv2d` / :func:`conv2d_loops` – explicit loops over output
  positions; each step multiplies one window by every filter and sums.
* :func:`conv2d_im2col` – copy every window into a column of one matrix
  (*im2col*), then one matrix product does all the work. This is how many
  libraries run convolutions.
* ``torch.nn.functional.conv2d`` – the library's optimised kernels (the reference).

All three take PyTorch's options: stride, padding (a number, ``"same"`` or
``"valid"``), dilation, groups and a padding mode, on batched (N, C, H, W) or
unbatched (C, H, W) input. Like ``nn.Conv2d`` they compute *cross-correlation*:
the kernel is not flipped. Max pooling lives in :mod:`dldna.conv.pool`, the
checks of the options in :mod:`dldna.conv.options`.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from .options import (as_pair, check_input, check_padding_fits,
                           check_padding_mode, conv_output_shape, conv_padding,
                           effective_size, output_shape, output_size, pad_input)
from .pool import SimpleMaxPool2d, max_pool2d_loops


def _check_conv(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    """Check a convolution's arguments; return stride, dilation, pads, output size."""
    check_input(x)
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.dim() != 4:
        raise ValueError(f"weight must be 4-D (C_out, C_in / groups, kH, kW), got "
                         f"shape {tuple(weight.shape)}")
    if weight.dtype != x.dtype:
        raise TypeError(f"weight has dtype {weight.dtype} but x has {x.dtype}")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    c_in, c_out = x.shape[-3], weight.shape[0]
    if c_out % groups:
        raise ValueError(f"groups={groups} must divide the {c_out} output channels "
                         f"(weight shape {tuple(weight.shape)})")
    if c_in != weight.shape[1] * groups:
        raise ValueError(f"channel mismatch: x has C_in={c_in} channels (shape "
                         f"{tuple(x.shape)}) but weight expects "
                         f"{weight.shape[1] * groups} = {weight.shape[1]} per group "
                         f"× groups={groups} (shape {tuple(weight.shape)})")
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise ValueError(f"bias must have shape ({c_out},) = (C_out,), got "
                         f"{tuple(bias.shape)}")
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    pads = conv_padding(padding, weight.shape[2:], stride, dilation)
    check_padding_fits(x, pads, check_padding_mode(padding_mode))
    out = output_shape(x, weight.shape[2:], stride, pads, dilation)
    return stride, dilation, pads, out


def _batched(x: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """An unbatched (C, H, W) input as a batch of one, and whether it was unbatched."""
    return (x[None], True) if x.dim() == 3 else (x, False)


def conv2d_loops(x: torch.Tensor, weight: torch.Tensor,
                 bias: torch.Tensor | None = None, stride=1, padding=0,
                 dilation=1, groups=1, padding_mode: str = "zeros") -> torch.Tensor:
    """2-D convolution (cross-correlation) with explicit loops.

    Y[n, c, i, j] = b[c] + Σ_{c', u, v} X[n, c', i·s + u·d, j·s + v·d] · W[c, c', u, v]
    on the padded input X, where c' runs over the input channels of c's group.
    The loops run over output positions (i, j). At each one, a window (input
    channels × kernel rows × kernel columns, every d-th pixel) is multiplied by
    every filter of its group and summed, for the whole batch at once.

    Args:
        x: input, N × C_in × H × W (or C_in × H × W).
        weight: filters, C_out × C_in/groups × kH × kW.
        bias: one number per output channel (``None``: no bias).
        stride: step between windows, an int or a pair (rows, columns).
        padding: an int, a pair, ``"valid"`` or ``"same"``.
        dilation: spacing of the kernel taps, an int or a pair.
        groups: how many groups the channels split into.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
    """
    (sh, sw), (dh, dw), pads, (out_h, out_w) = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, padding_mode)
    x, unbatched = _batched(x)
    x = pad_input(x, pads, padding_mode)
    n, (c_out, c_group, kh, kw) = x.shape[0], weight.shape
    span_h, span_w = effective_size(kh, dh), effective_size(kw, dw)
    # Group g's filters see only input channels g·C_in/G … (g + 1)·C_in/G − 1.
    filters = weight.view(groups, c_out // groups, c_group, kh, kw)
    out = x.new_zeros(n, c_out, out_h, out_w)
    for i in range(out_h):                               # output row
        for j in range(out_w):                           # output column
            rows = slice(i * sh, i * sh + span_h, dh)    # every d-th row of a span
            cols = slice(j * sw, j * sw + span_w, dw)
            window = x[:, :, rows, cols].reshape(n, groups, 1, c_group, kh, kw)
            # (N, G, 1, C_in/G, kH, kW) · (G, C_out/G, C_in/G, kH, kW), summed
            products = (window * filters).sum(dim=(3, 4, 5))   # N × G × C_out/G
            out[:, :, i, j] = products.reshape(n, c_out)
    if bias is not None:
        out = out + bias.view(1, c_out, 1, 1)            # one bias per output channel
    return out[0] if unbatched else out


def im2col(x: torch.Tensor, kernel_size, stride=1, padding=0,
           dilation=1) -> torch.Tensor:
    """Copy every kernel-sized window of ``x`` into a column, like ``F.unfold``.

    Returns N × (C·kH·kW) × L for L = H_out·W_out windows (zero padding).

    Args:
        x: input, N × C × H × W.
        kernel_size: window size, an int or a pair.
        stride: step between windows, an int or a pair.
        padding: an int, a pair, ``"valid"`` or ``"same"``.
        dilation: spacing of the kernel taps, an int or a pair.
    """
    check_input(x, what="C")
    if x.dim() != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got shape {tuple(x.shape)}")
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    pads = conv_padding(padding, kernel, stride, dilation)
    output_shape(x, kernel, stride, pads, dilation)     # raises if it does not fit
    return _columns(pad_input(x, pads, "zeros"), kernel, stride, dilation)


def _columns(x: torch.Tensor, kernel, stride, dilation) -> torch.Tensor:
    """im2col of an already padded batch.

    ``Tensor.unfold`` makes a sliding-window *view* (no copy): first along the
    rows, then along the columns, giving N × C × H_out × W_out × span_H × span_W;
    with dilation d, every d-th pixel of a span is a tap. The final ``reshape``
    copies each window into its column: the only copy, and the memory price of
    im2col.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    spans = effective_size(kh, dh), effective_size(kw, dw)
    windows = x.unfold(2, spans[0], sh).unfold(3, spans[1], sw)[..., ::dh, ::dw]
    n, c, h_out, w_out = windows.shape[:4]               # … × kH × kW (a view)
    columns = windows.permute(0, 1, 4, 5, 2, 3)   # N × C × kH × kW × H_out × W_out
    return columns.reshape(n, c * kh * kw, h_out * w_out)


# Bytes of columns built at a time: about a CPU cache (see conv2d_im2col).
COLUMNS_BUDGET = 8 * 2**20


def conv2d_im2col(x: torch.Tensor, weight: torch.Tensor,
                  bias: torch.Tensor | None = None, stride=1, padding=0,
                  dilation=1, groups=1, padding_mode: str = "zeros") -> torch.Tensor:
    """2-D convolution as one matrix product per group: (C_out/G × K) @ (K × L),
    for K = C_in/G·kH·kW numbers per window and L windows.

    The columns of a whole batch can be far larger than the CPU's cache (75 MB
    for 32 images of 64×32×32 and a 3×3 kernel), and writing them out to memory
    then costs more than the product. So the batch goes through a few images at
    a time, each chunk's columns about ``COLUMNS_BUDGET`` bytes: the same
    arithmetic, with the columns still in cache when the product reads them.

    Args:
        x: input, N × C_in × H × W (or C_in × H × W).
        weight: filters, C_out × C_in/groups × kH × kW.
        bias: one number per output channel (``None``: no bias).
        stride: step between windows, an int or a pair (rows, columns).
        padding: an int, a pair, ``"valid"`` or ``"same"``.
        dilation: spacing of the kernel taps, an int or a pair.
        groups: how many groups the channels split into.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
    """
    stride, dilation, pads, (h_out, w_out) = _check_conv(
        x, weight, bias, stride, padding, dilation, groups, padding_mode)
    x, unbatched = _batched(x)
    n, c_out, kernel = x.shape[0], weight.shape[0], weight.shape[2:]
    per_image = weight[0].numel() * groups * h_out * w_out * x.element_size()
    chunk = max(1, COLUMNS_BUDGET // max(1, per_image))
    rows = weight.reshape(groups, c_out // groups, -1)   # G × C_out/G × K
    parts = []
    for start in range(0, n, chunk):
        part = pad_input(x[start:start + chunk], pads, padding_mode)
        columns = _columns(part, kernel, stride, dilation)      # m × G·K × L
        if groups == 1:                                         # (C_out × K) @ …
            parts.append(rows[0] @ columns)
        else:                                                   # m × G × K × L
            columns = columns.unflatten(1, (groups, -1))
            parts.append((rows @ columns).flatten(1, 2))
    out = (parts[0] if len(parts) == 1 else torch.cat(parts) if parts
           else x.new_empty(0, c_out, h_out * w_out))
    if bias is not None:
        out = out + bias.view(1, c_out, 1)
    out = out.view(n, c_out, h_out, w_out)
    return out[0] if unbatched else out


class SimpleConv2d(nn.Module):
    """A convolution layer a reader can follow: a drop-in for ``nn.Conv2d``.

    The same arguments in the same order, the same parameter shapes (``weight``
    C_out × C_in/groups × kH × kW, ``bias`` C_out) and the same initialisation,
    so ``layer.load_state_dict(conv.state_dict())`` works both ways and gives the
    same outputs.

    Args:
        in_channels: channels of the input.
        out_channels: filters, i.e. channels of the output.
        kernel_size: an int or a pair (kH, kW).
        stride: step between windows, an int or a pair.
        padding: an int, a pair, ``"valid"`` or ``"same"``.
        dilation: spacing of the kernel taps, an int or a pair.
        groups: channel groups; both channel counts must divide by it.
        bias: learn one bias per output channel.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        device: where the parameters live (``None``: the default).
        dtype: the parameters' dtype (``None``: the default).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1,
                 padding=0, dilation=1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        for name, value in (("in_channels", in_channels),
                            ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        for name, value in (("in_channels", in_channels),
                            ("out_channels", out_channels)):
            if value % groups:
                raise ValueError(f"{name}={value} must be divisible by groups={groups}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.groups = groups
        self.kernel_size = as_pair(kernel_size, "kernel_size", minimum=1)
        self.stride = as_pair(stride, "stride", minimum=1)
        self.dilation = as_pair(dilation, "dilation", minimum=1)
        conv_padding(padding, self.kernel_size, self.stride, self.dilation)  # checks
        self.padding = (padding if isinstance(padding, str)
                        else as_pair(padding, "padding", minimum=0))
        self.padding_mode = check_padding_mode(padding_mode)
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = nn.Parameter(torch.empty(shape, device=device, dtype=dtype))
        self.bias = (nn.Parameter(torch.empty(out_channels, device=device, dtype=dtype))
                     if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # nn.Conv2d's initialisation (Kaiming uniform with a = √5), in the same
        # order, so that the same seed gives the same numbers.
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.weight[0].numel())    # 1 / √fan_in
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv2d_loops(x, self.weight, self.bias, self.stride, self.padding,
                            self.dilation, self.groups, self.padding_mode)

    def extra_repr(self) -> str:
        # nn.Conv2d's wording: options only where they differ from the default.
        text = (f"{self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}")
        defaults = (("padding", (0, 0)), ("dilation", (1, 1)), ("groups", 1))
        for name, default in defaults:
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


__all__ = ["SimpleConv2d", "SimpleMaxPool2d", "conv2d_loops", "conv2d_im2col",
           "im2col", "max_pool2d_loops", "output_size", "conv_output_shape",
           "COLUMNS_BUDGET"]
