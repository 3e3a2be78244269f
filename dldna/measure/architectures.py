"""What classic architectures cost, computed from the models themselves (chapters 5 and 6).

* :func:`layer_costs` – per-layer output shape, parameters, multiply-adds and activation memory,
  measured with forward hooks and ``FlopCounterMode``; ``meta=True`` runs on PyTorch's ``meta``
  device, so even VGG-16 at 224×224 is counted without computing anything.
* :func:`weight_memory_mb`, :func:`parameter_split` – how much memory the weights take, and how
  many of them sit in convolutions versus fully connected layers.
* :func:`stack_vs_single` – n stacked 3×3 convolutions against one k×k (VGG's argument).
* :func:`compare_models` – parameters and multiply-adds of registry models side by side.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Sequence

import torch
from torch import nn

from ..explain.hooks import hooked, leaf_modules
from . import counting
from .receptive_field import receptive_field


def weight_memory_mb(model: nn.Module, bytes_per_value: int = 4) -> float:
    """Megabytes (10⁶ bytes) the parameters take, ``bytes_per_value`` each (4 for float32).

    Args:
        model: the network whose parameters are counted.
        bytes_per_value: bytes per stored number: 1, 2, 4 (float32, the default) or 8.
    """
    if bytes_per_value not in (1, 2, 4, 8):
        raise ValueError(f"bytes_per_value must be 1, 2, 4 or 8, got {bytes_per_value!r}")
    return counting.count_parameters(model) * bytes_per_value / 1e6


def parameter_split(model: nn.Module) -> dict[str, int]:
    """Parameters of the convolutions, of the fully connected layers, and of everything else
    (BatchNorm scales and shifts …).

    Args:
        model: the network to split; each module's own parameters are counted once.

    Returns:
        ``{"convolutions": …, "fully connected": …, "other": …}``, parameter counts.
    """
    split = {"convolutions": 0, "fully connected": 0, "other": 0}
    for module in model.modules():
        own = sum(p.numel() for p in module.parameters(recurse=False))
        key = ("convolutions" if isinstance(module, nn.Conv2d) else
               "fully connected" if isinstance(module, nn.Linear) else "other")
        split[key] += own
    return split


@contextmanager
def _activation_bytes(model: nn.Module):
    """Forward hooks recording the bytes of each leaf module's *new* output; an output that is
    its input (in-place ReLU, dropout in eval mode) takes no new memory. Always removed."""
    sizes: dict[str, int] = {}

    def record(name: str, module: nn.Module, inputs, output) -> None:
        if isinstance(output, torch.Tensor):
            aliased = any(output is x for x in inputs)
            sizes[name] = 0 if aliased else output.numel() * output.element_size()

    with hooked(leaf_modules(model), record):
        yield sizes


def layer_costs(model: nn.Module, input_shape: Sequence[int], *, meta: bool = False):
    """:func:`dldna.measure.counting.layer_table` plus an ``activation MB`` column (float32 outputs of
    every layer for the given batch; 10⁶ bytes per MB).

    With ``meta=True`` the model must already live on the ``meta`` device (build it inside
    ``with torch.device("meta"):``): shapes and counts come out, no arithmetic is done.

    Args:
        model: the network to measure; left in the training mode it had.
        input_shape: the batch shape ``(N, C, H, W)`` fed through it.
        meta: run on the ``meta`` device (the model must already be there).

    Returns:
        A DataFrame, one row per layer plus a ``total`` row.
    """
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (N, C, H, W), got {tuple(input_shape)}")
    device = torch.device("meta") if meta else nullcontext()
    with device:
        table = counting.layer_table(model, input_shape)
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad(), _activation_bytes(model) as sizes:
                model(torch.zeros(*input_shape))
        finally:
            model.train(was_training)
    table["activation MB"] = [sizes.get(name, 0) / 1e6 for name in table.index]
    table.loc["total", "activation MB"] = sum(sizes.values()) / 1e6
    return table


def stack_vs_single(k: int, channels: int) -> dict:
    """n = (k − 1)/2 stacked 3×3 convolutions (C → C, no bias) against one k×k convolution:
    same receptive field, n·9·C² against k²·C² weights, n nonlinearities against one.

    The weights are counted on real ``nn.Conv2d`` layers, not only by the formula.

    Args:
        k: side of the single kernel, an odd int ≥ 5.
        channels: input and output channels C of every convolution.

    Returns:
        A dict with receptive fields, weight counts (also per C²), the saving of the stack
        (a fraction) and the number of nonlinearities of each option.
    """
    if not isinstance(k, int) or k < 5 or k % 2 == 0:
        raise ValueError(f"k must be an odd int ≥ 5, got {k!r}")
    if not isinstance(channels, int) or channels < 1:
        raise ValueError(f"channels must be a positive int, got {channels!r}")
    n = (k - 1) // 2
    with torch.device("meta"):
        stack = nn.Sequential(*[nn.Conv2d(channels, channels, 3, bias=False) for _ in range(n)])
        single = nn.Conv2d(channels, channels, k, bias=False)
    stacked, one = counting.count_parameters(stack), counting.count_parameters(single)
    return {"k": k, "layers": n, "channels": channels,
            "field_stack": receptive_field([(3, 1)] * n), "field_single": k,
            "weights_stack": stacked, "weights_single": one,
            "per_C2_stack": stacked // channels ** 2, "per_C2_single": one // channels ** 2,
            "saving": 1 - stacked / one, "nonlinearities_stack": n, "nonlinearities_single": 1}


def compare_models(names: Sequence[str], image_size: int = 224, **kwargs):
    """Parameters, multiply-adds at ``image_size``² and weight memory of registry models, all
    counted on the meta device. ``kwargs`` go to every factory.

    Args:
        names: registry names of the models, one row each.
        image_size: side in pixels of the square three-channel input.
        **kwargs: keyword arguments passed to every model factory (``num_classes`` …).

    Returns:
        A DataFrame indexed by model with ``params``, ``MACs`` and ``weights MB``.
    """
    import pandas as pd

    from ..models import create

    rows = []
    for name in names:
        with torch.device("meta"):
            model = create(name, **kwargs).eval()
        with torch.device("meta"):
            macs = counting.measured_macs(model, (1, 3, image_size, image_size))
        rows.append({"model": name, "params": counting.count_parameters(model), "MACs": macs,
                     "weights MB": weight_memory_mb(model)})
    return pd.DataFrame(rows).set_index("model")

