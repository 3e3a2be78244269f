"""The options of a convolution or pooling layer, checked and turned into sizes.

``nn.Conv2d`` and ``nn.MaxPool2d`` take several options besides the kernel:
stride, padding (a number, ``"same"`` or ``"valid"``), dilation, groups, a
padding mode, ``ceil_mode``. This module checks them the way PyTorch does and
works out what they mean: how many pixels to add on each side and how large the
output is. :mod:`dldna.conv` and :mod:`dldna.conv.pool` then only slide windows.

Along one axis, a kernel of ``k`` taps with dilation ``d`` spans d·(k − 1) + 1
pixels (its *effective* size); with p_left + p_right padding pixels and stride
``s`` the output has ⌊(n + p_left + p_right − d·(k − 1) − 1) / s⌋ + 1 positions.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_AXES = ("height", "width")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_pair(value, name: str, *, minimum: int) -> tuple[int, int]:
    """An int or a pair as a checked ``(rows, cols)`` tuple of ints ≥ ``minimum``."""
    pair = (value, value) if _is_int(value) else value
    try:
        pair = tuple(pair)
    except TypeError:
        raise TypeError(f"{name} must be an int or a pair of ints, "
                        f"got {value!r}") from None
    if len(pair) != 2 or not all(_is_int(v) for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value!r}")
    return pair


def effective_size(k: int, d: int = 1) -> int:
    """Pixels spanned by a kernel of ``k`` taps with dilation ``d``: d·(k − 1) + 1.

    Args:
        k: kernel taps along the axis, ≥ 1.
        d: dilation, ≥ 1.
    """
    return d * (k - 1) + 1


def output_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Output length along one axis: ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1.

    ``n`` input size, ``k`` kernel size, ``s`` stride, ``p`` zero padding on each side,
    ``d`` dilation (1: an ordinary kernel, where the formula is ⌊(n + 2p − k) / s⌋ + 1).

    Args:
        n: input size.
        k: kernel size.
        s: stride.
        p: zero padding on each side.
        d: dilation.
    """
    for name, value, minimum in (("n", n, 1), ("k", k, 1), ("s", s, 1), ("p", p, 0),
                                 ("d", d, 1)):
        if not _is_int(value):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < minimum:
            what = {"s": "stride s", "d": "dilation d"}.get(name, name)
            raise ValueError(f"{what} must be ≥ {minimum}, got {value}")
    span = effective_size(k, d)
    if span > n + 2 * p:
        what = (f"kernel size k={k}" if d == 1
                else f"dilated kernel size d·(k − 1) + 1 = {span}")
        raise ValueError(f"{what} is larger than the padded input n + 2p = "
                         f"{n} + 2·{p} = {n + 2 * p}")
    return (n + 2 * p - span) // s + 1


def conv_output_shape(input_hw, kernel_size, stride=1, padding=0,
                      dilation=1) -> tuple[int, int]:
    """Output ``(H, W)`` for an input ``(H, W)``; every option is an int or a pair.

    Args:
        input_hw: the input's ``(H, W)`` (an int: square).
        kernel_size: kernel size, int or pair.
        stride: stride, int or pair.
        padding: zero padding on each side, int or pair.
        dilation: dilation, int or pair.
    """
    sizes = [as_pair(v, name, minimum=m) for v, name, m in (
        (input_hw, "input_hw", 1), (kernel_size, "kernel_size", 1),
        (stride, "stride", 1), (padding, "padding", 0), (dilation, "dilation", 1))]
    return tuple(output_size(*axis) for axis in zip(*sizes))


def same_padding(k: int, d: int = 1) -> tuple[int, int]:
    """Pixels before and after the input that keep its size at stride 1, as
    PyTorch adds them: d·(k − 1) in all, an odd one after the input.

    Args:
        k: kernel taps along the axis.
        d: dilation.

    Returns:
        ``(before, after)`` in pixels.
    """
    total = d * (k - 1)
    return total // 2, total - total // 2


def conv_padding(padding, kernel_size, stride, dilation) -> tuple[int, int, int, int]:
    """Padding as ``(left, right, top, bottom)``, the order of ``F.pad``.

    ``padding`` is an int, a pair, ``"valid"`` (none) or ``"same"`` (stride 1 only).

    Args:
        padding: an int, a pair (rows, columns), ``"valid"`` or ``"same"``.
        kernel_size: the checked pair (kH, kW).
        stride: the checked pair of strides.
        dilation: the checked pair of dilations.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise ValueError(f"padding must be an int, a pair, 'same' or 'valid', "
                             f"got {padding!r}")
        if stride != (1, 1):
            raise ValueError(f"padding='same' is not supported for strided "
                             f"convolutions (stride={stride}), as in PyTorch")
        (top, bottom), (left, right) = (same_padding(k, d) for k, d in
                                        zip(kernel_size, dilation))
        return left, right, top, bottom
    ph, pw = as_pair(padding, "padding", minimum=0)
    return pw, pw, ph, ph


def check_padding_mode(padding_mode) -> str:
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {PADDING_MODES}, "
                         f"got {padding_mode!r}")
    return padding_mode


def check_input(x, name: str = "x", what: str = "C_in") -> None:
    """``x`` is a 3-D (C, H, W) or 4-D (N, C, H, W) tensor, C, H, W ≥ 1, N ≥ 0.

    Args:
        x: the tensor to check.
        name: the argument name used in error messages.
        what: the name of the channel axis in error messages.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() not in (3, 4):
        raise ValueError(f"{name} must be 3-D ({what}, H, W) or 4-D (N, {what}, H, W), "
                         f"got {x.dim()}-D of shape {tuple(x.shape)}")
    if min(x.shape[-3:]) < 1:
        raise ValueError(f"{name} must have at least one channel, row and column "
                         f"(only the batch may be empty), got shape {tuple(x.shape)}")


def output_shape(x: torch.Tensor, kernel, stride, pads, dilation) -> tuple[int, int]:
    """Output ``(H, W)`` of windows sliding over ``x`` (…, H, W) padded by ``pads``.

    Args:
        x: the input, (…, H, W).
        kernel: the pair (kH, kW).
        stride: the pair of strides.
        pads: ``(left, right, top, bottom)`` in pixels.
        dilation: the pair of dilations.
    """
    sizes = []
    for axis, n, k, s, d, before, after in zip(_AXES, x.shape[-2:], kernel, stride,
                                               dilation, pads[2::-2], pads[3::-2]):
        span = effective_size(k, d)
        if span > n + before + after:
            what = f"kernel {axis} {k}" if d == 1 else f"dilated kernel {axis} {span}"
            padded = (f"{n} + 2·{before}" if before == after
                      else f"{n} + {before} + {after}")
            raise ValueError(f"{what} is larger than the padded input {axis} {padded}"
                             f" = {n + before + after} (x shape {tuple(x.shape)})")
        sizes.append((n + before + after - span) // s + 1)
    return tuple(sizes)


def check_padding_fits(x: torch.Tensor, pads: tuple[int, int, int, int],
                       mode: str) -> None:
    """Reflect padding adds at most size − 1 pixels a side, circular at most size.

    Args:
        x: the input, (…, H, W).
        pads: ``(left, right, top, bottom)`` in pixels.
        mode: the padding mode; only ``"reflect"`` and ``"circular"`` have a limit.
    """
    limit = {"reflect": 1, "circular": 0}.get(mode)
    if limit is None:
        return
    for axis, n, before, after in zip(_AXES, x.shape[-2:], pads[2::-2], pads[3::-2]):
        if max(before, after) > n - limit:
            raise ValueError(f"padding ({before}, {after}) is too large for "
                             f"padding_mode={mode!r} on an input of {axis} {n}: "
                             f"at most {n - limit} pixels per side")


def pad_input(x: torch.Tensor, pads: tuple[int, int, int, int], mode: str,
              value: float = 0.0) -> torch.Tensor:
    """``x`` with ``pads`` = (left, right, top, bottom) added, as ``nn.Conv2d`` does.

    ``mode`` "zeros" adds ``value``; "reflect" mirrors the input without repeating
    its edge (at most size − 1 pixels), "replicate" repeats the edge pixel,
    "circular" wraps around (at most the input's size, like ``torch.roll``).

    Args:
        x: the input, (…, H, W).
        pads: ``(left, right, top, bottom)`` in pixels.
        mode: one of ``PADDING_MODES``.
        value: the fill value of ``"zeros"`` padding.
    """
    if not any(pads):
        return x
    if mode == "zeros":
        return F.pad(x, pads, value=value)
    check_padding_fits(x, pads, mode)
    return F.pad(x, pads, mode=mode)


__all__ = ["PADDING_MODES", "effective_size", "output_size", "conv_output_shape",
           "same_padding", "conv_padding", "check_padding_mode", "check_padding_fits",
           "check_input", "output_shape", "pad_input"]
