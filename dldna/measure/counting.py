"""Counting what a CNN costs: parameters, multiply-adds, receptive fields (chapter 4).

* :func:`compare_parameter_counts` / :func:`show_example` – parameter sharing: a 3×3 conv
  (1 → 1 channel) against a fully connected layer mapping an n×n image to an n×n image;
  :func:`percent_text` writes the saving without rounding it up to 100 %.
* :func:`layer_table` – per-layer output shape, parameters and FLOPs of any model, with the
  FLOPs measured by ``torch.utils.flop_counter.FlopCounterMode`` (one multiply-add = 2 FLOPs).
* :func:`conv_macs` – the closed formula H_out·W_out·C_out·k²·C_in, checked against the counter.
* :func:`gradient_receptive_field` – which input pixels change one output, read from the
  gradient of that output with respect to the input.

The worked example's block, :class:`~dldna.models.small.BasicBlockExample`, lives in
:mod:`dldna.models.small`.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Iterable, Sequence

import torch
import torch.nn as nn
from torch.utils.flop_counter import FlopCounterMode

from ..explain.hooks import hooked, leaf_modules
from ..models.small import BasicBlockExample  # noqa: F401  (moved; old imports keep working)


def count_parameters(module: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (all, or only those with ``requires_grad``).

    Args:
        module: the model or layer whose parameters are summed.
        trainable_only: count only parameters with ``requires_grad`` (frozen ones are skipped).
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def compare_parameter_counts(input_sizes: Iterable[int] = (8, 16, 32, 64, 128)):
    """Conv2d(1, 1, 3) vs Linear(n², n²) for each n: both map an n×n image to an n×n image.

    The layers are built and their parameters counted (nothing typed): the convolution has
    3·3 + 1 = 10 whatever n, the linear layer n²·n² + n². Returns a ``pandas.DataFrame``.

    Args:
        input_sizes: image sides n (ints ≥ 3), one table row each.
    """
    import pandas as pd

    rows = []
    for n in input_sizes:
        if not isinstance(n, int) or isinstance(n, bool) or n < 3:
            raise ValueError(f"input sizes must be ints ≥ 3 (the kernel is 3×3), got {n!r}")
        conv = count_parameters(nn.Conv2d(1, 1, 3, padding=1))
        with torch.device("meta"):  # no memory is allocated: n = 128 would need 1 GiB
            linear = count_parameters(nn.Linear(n * n, n * n))
        rows.append({"n": n, "image": f"{n}×{n}", "conv_params": conv, "linear_params": linear,
                     "ratio": linear / conv, "reduction_percent": 100 * (1 - conv / linear)})
    return pd.DataFrame(rows).set_index("n")


def percent_text(percent: float) -> str:
    """A percentage close to 100 as text that never rounds up to a false "100 %".

    One decimal where that is enough (99.8 %), up to three (99.999 %); beyond that "≈ 100 %",
    to be read next to the exact ratio.

    Args:
        percent: a percentage between 0 and 100.
    """
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be between 0 and 100, got {percent!r}")
    for decimals in (1, 2, 3):
        if round(percent, decimals) < 100:
            return f"{percent:.{decimals}f} %"
    return "≈ 100 %" if percent < 100 else "100 %"


def show_example(size: int = 32) -> dict:
    """Print one line about the parameter-sharing example for one image size; return the numbers.

    Args:
        size: the image side n in pixels (≥ 3).

    Returns:
        The counts, their ratio, the saving in percent and that saving as text.
    """
    row = compare_parameter_counts([size]).loc[size]
    result = {"size": size, "conv_params": int(row.conv_params),
              "linear_params": int(row.linear_params), "ratio": float(row.ratio),
              "reduction_percent": float(row.reduction_percent),
              "reduction_text": percent_text(float(row.reduction_percent))}
    print(f"{size}×{size} image: Conv2d(1, 1, 3) has {result['conv_params']:,} parameters, "
          f"Linear({size}², {size}²) {result['linear_params']:,} "
          f"({result['ratio']:,.0f} times as many; sharing saves {result['reduction_text']})")
    return result


def conv_params(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    """Parameters of a k×k convolution: C_out·C_in·k² weights (+ C_out biases).

    Args:
        c_in: input channels.
        c_out: output channels (filters).
        k: kernel side (square k×k kernel).
        bias: whether each filter has a bias.
    """
    return c_out * c_in * k * k + (c_out if bias else 0)


def conv_macs(h_out: int, w_out: int, c_out: int, c_in: int, k: int) -> int:
    """Multiply-adds of a k×k convolution: one k²·C_in dot product per output value.

    Args:
        h_out: output height in pixels.
        w_out: output width in pixels.
        c_out: output channels.
        c_in: input channels.
        k: kernel side (square k×k kernel).
    """
    return h_out * w_out * c_out * k * k * c_in


def measured_macs(module: nn.Module, input_shape: Sequence[int]) -> int:
    """Multiply-adds of one forward pass as counted by ``FlopCounterMode`` (FLOPs / 2).

    The zero input is made on the module's device, so a model built on the ``meta`` device
    (shapes only) is counted without computing anything.

    Args:
        module: the model or layer to run once.
        input_shape: shape of the zero input, batch size included, e.g. ``(1, 3, 32, 32)``.
    """
    first = next(module.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(torch.zeros(*input_shape, device=device))
    return counter.get_total_flops() // 2


@contextmanager
def _record_output_shapes(model: nn.Module):
    """Forward hooks that record each leaf module's output shape; always removed."""
    shapes: dict[str, tuple] = {}

    def record(name: str, module: nn.Module, inputs, output) -> None:
        if isinstance(output, torch.Tensor):
            shapes[name] = tuple(output.shape)

    with hooked(leaf_modules(model), record):
        yield shapes


def layer_table(model: nn.Module, input_shape: Sequence[int]):
    """Per-layer table: type, output shape, parameters, FLOPs and MACs, plus a total row.

    FLOPs come from ``torch.utils.flop_counter.FlopCounterMode`` (it counts convolutions and
    matrix products; element-wise layers such as ReLU and BatchNorm count as 0).

    Args:
        model: the model to run once in eval mode (its training mode is restored afterwards).
        input_shape: shape of the zero input, batch size included, e.g. ``(1, 3, 32, 32)``.

    Returns:
        A ``pandas.DataFrame`` indexed by layer name, one row per leaf module plus ``total``.
    """
    import pandas as pd

    if len(input_shape) < 2:
        raise ValueError(f"input_shape must include the batch size, e.g. (1, 3, 32, 32); "
                         f"got {tuple(input_shape)}")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), _record_output_shapes(model) as shapes, \
                FlopCounterMode(display=False) as counter:
            model(torch.zeros(*input_shape))
    finally:
        model.train(was_training)
    counts = counter.get_flop_counts()
    prefix = type(model).__name__
    rows = []
    for name, module in model.named_modules():
        if not name or list(module.children()):
            continue
        flops = sum(counts.get(f"{prefix}.{name}", {}).values())
        rows.append({"layer": name, "type": type(module).__name__,
                     "output": "×".join(map(str, shapes.get(name, ()))),
                     "params": count_parameters(module), "FLOPs": int(flops),
                     "MACs": int(flops // 2)})
    rows.append({"layer": "total", "type": "", "output": "", "params": count_parameters(model),
                 "FLOPs": int(counter.get_total_flops()),
                 "MACs": int(counter.get_total_flops() // 2)})
    return pd.DataFrame(rows).set_index("layer")


def _theoretical_copy(model: nn.Module) -> nn.Module:
    """A copy in which every path carries gradient: positive weights, linear activations, no
    BatchNorm (a negative scale could cancel a positive path), and max pools replaced by average
    pools (a max sends gradient to one pixel of its window)."""
    clone = copy.deepcopy(model).eval()

    def convert(module: nn.Module) -> None:
        for child_name, child in module.named_children():
            if isinstance(child, nn.MaxPool2d):
                setattr(module, child_name, nn.AvgPool2d(child.kernel_size, child.stride,
                                                         child.padding))
            elif isinstance(child, (nn.ReLU, nn.ReLU6, nn.GELU, nn.SiLU, nn.Dropout,
                                    nn.BatchNorm1d, nn.BatchNorm2d)):
                setattr(module, child_name, nn.Identity())
            else:
                convert(child)

    convert(clone)
    with torch.no_grad():
        for m in clone.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.fill_(1.0 / m.weight[0].numel())
                if m.bias is not None:
                    m.bias.zero_()
    return clone


def gradient_receptive_field(model: nn.Module, input_shape: Sequence[int],
                             position: tuple[int, int] | None = None, *,
                             theoretical: bool = True) -> dict:
    """Measure the receptive field of one output pixel from the input gradient.

    Back-propagate from output pixel ``position`` (default: the centre; summed over channels)
    and look at which input pixels received a non-zero gradient. With ``theoretical=True``
    a copy with positive weights and average pools is used, so the measured extent equals
    the formula; with ``False`` the model as it is (its *effective* field, often smaller).
    Returns the gradient map and the rows/columns it spans.

    Args:
        model: a model returning a feature map (N, C, H, W); it is copied, never changed.
        input_shape: shape of the all-ones input, ``(1, C, H, W)``.
        position: (row, column) of the output pixel; ``None`` for the centre.
        theoretical: measure the theoretical field (``True``) or the effective one (``False``).

    Returns:
        A dict with ``gradient`` (H×W array), ``position``, ``output_size``, the spanned ``rows``
        and ``cols`` (first, last; ``None`` if empty) and the field's ``height`` and ``width``.
    """
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (1, C, H, W), got {tuple(input_shape)}")
    net = _theoretical_copy(model) if theoretical else copy.deepcopy(model).eval()
    x = torch.ones(*input_shape, requires_grad=True)
    out = net(x)
    if out.dim() != 4:
        raise ValueError(f"the model must return a feature map (N, C, H, W), "
                         f"got {tuple(out.shape)}")
    row, col = position if position is not None else (out.shape[2] // 2, out.shape[3] // 2)
    out[0, :, row, col].sum().backward()
    grad = x.grad[0].abs().sum(dim=0)
    rows = torch.nonzero(grad.sum(dim=1) > 0).flatten()
    cols = torch.nonzero(grad.sum(dim=0) > 0).flatten()
    return {
        "gradient": grad.numpy(),
        "position": (row, col),
        "output_size": tuple(out.shape[2:]),
        "rows": (int(rows.min()), int(rows.max())) if len(rows) else None,
        "cols": (int(cols.min()), int(cols.max())) if len(cols) else None,
        "height": int(rows.max() - rows.min() + 1) if len(rows) else 0,
        "width": int(cols.max() - cols.min() + 1) if len(cols) else 0,
    }
