"""What efficient networks cost (chapters 8 and 9): FLOPs counted, time measured.

* :func:`separable_ratio` – the cost of a depthwise-separable convolution relative to a full one,
  1/C_out + 1/k² (MobileNet's formula), and :func:`separable_costs`, both counted on real layers.
* :func:`time_separable` – the same layers timed on this machine, so the FLOP ratio and the
  wall-clock ratio can be read side by side.
* :func:`model_cost` – parameters and multiply-adds of any registered model at a resolution,
  counted on the ``meta`` device (no memory, no arithmetic: only shapes).
* :func:`latency` – seconds per image of a real forward pass (best of a few runs).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .. import models
from ..config import check_positive_ints
from ..explain.hooks import hooked
from .counting import count_parameters, measured_macs

__all__ = ["separable_ratio", "separable_costs", "time_separable", "model_cost", "latency",
           "ModelCost", "se_cnn", "se_share", "se_gates", "module_text"]


def separable_ratio(c_out: int, k: int) -> float:
    """Depthwise-separable / standard multiply-adds for a k×k layer: 1/C_out + 1/k².

    Args:
        c_out: output channels.
        k: kernel side.
    """
    check_positive_ints(c_out=c_out, k=k)
    return 1 / c_out + 1 / k ** 2


def separable_costs(c_in: int, c_out: int, k: int = 3, size: int = 56) -> dict:
    """Multiply-adds of a standard k×k convolution and of depthwise k×k + pointwise 1×1, both
    counted on real layers, with their ratio and the formula's.

    Args:
        c_in: input channels.
        c_out: output channels.
        k: kernel side (padding k // 2 keeps the map size).
        size: side of the square feature map.
    """
    check_positive_ints(c_in=c_in, c_out=c_out, k=k, size=size)
    shape = (1, c_in, size, size)
    standard = nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False)
    separable = nn.Sequential(nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
                              nn.Conv2d(c_in, c_out, 1, bias=False))
    m_std = measured_macs(standard, shape)
    m_sep = measured_macs(separable, shape)
    return {"c_in": c_in, "c_out": c_out, "k": k, "standard MACs": m_std,
            "separable MACs": m_sep, "measured ratio": m_sep / m_std,
            "formula ratio": separable_ratio(c_out, k),
            "standard params": count_parameters(standard),
            "separable params": count_parameters(separable)}


def _seconds(fn, x: torch.Tensor, repeats: int, best: bool = False) -> float:
    """Median (or with ``best``, minimum) wall-clock seconds of ``fn(x)`` after a warm-up."""
    with torch.no_grad():
        fn(x)  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn(x)
            times.append(time.perf_counter() - start)
    return min(times) if best else sorted(times)[len(times) // 2]


def time_separable(c_in: int, c_out: int, k: int, size: int, batch: int = 8,
                   repeats: int = 5) -> dict[str, float]:
    """Best-of-``repeats`` wall-clock seconds of the standard, depthwise and pointwise
    convolutions of a depthwise-separable layer on a random batch, on the CPU, with the threads
    torch has. The minimum is the run least disturbed by other programs on the machine.

    Args:
        c_in: input channels.
        c_out: output channels.
        k: kernel side.
        size: side of the square feature map.
        batch: images in the random batch.
        repeats: timed runs of each convolution, after one warm-up.

    Returns:
        Seconds of each part, and the separable/standard ratios of FLOPs and of time, with
        the depthwise part's share of each.
    """
    check_positive_ints(c_in=c_in, c_out=c_out, k=k, size=size, batch=batch, repeats=repeats)
    x = torch.randn(batch, c_in, size, size)
    standard = nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False)
    depthwise = nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False)
    pointwise = nn.Conv2d(c_in, c_out, 1, bias=False)
    seconds = {"standard": _seconds(standard, x, repeats, best=True),
               "depthwise": _seconds(depthwise, x, repeats, best=True)}
    with torch.no_grad():
        mid = depthwise(x)
    seconds["pointwise"] = _seconds(pointwise, mid, repeats, best=True)
    # multiply-adds per output pixel: k²·C_in·C_out (standard), k²·C_in, C_in·C_out
    macs = {"standard": k * k * c_in * c_out, "depthwise": k * k * c_in, "pointwise": c_in * c_out}
    seconds["flop_ratio"] = (macs["depthwise"] + macs["pointwise"]) / macs["standard"]
    seconds["time_ratio"] = (seconds["depthwise"] + seconds["pointwise"]) / seconds["standard"]
    seconds["depthwise_flop_share"] = macs["depthwise"] / (macs["depthwise"] + macs["pointwise"])
    seconds["depthwise_time_share"] = seconds["depthwise"] / (seconds["depthwise"]
                                                             + seconds["pointwise"])
    return seconds


@dataclass(frozen=True)
class ModelCost:
    """What :func:`model_cost` counts for one model.

    Args:
        name: registry name of the model.
        resolution: side in pixels of the square input.
        params: number of parameters.
        macs: multiply-adds for one image.
    """

    name: str
    resolution: int
    params: int
    macs: int  # multiply-adds of one image (torchvision's "GFLOPS" are these, in billions)


@lru_cache(maxsize=64)
def model_cost(name: str, resolution: int = 224, **kwargs) -> ModelCost:
    """Parameters and multiply-adds of the registered model ``name`` for one
    ``resolution``×``resolution`` image, counted on the meta device.

    Args:
        name: registry name of the model.
        resolution: side in pixels of the square input.
        **kwargs: passed to the model factory (they must be hashable: results are cached).
    """
    check_positive_ints(resolution=resolution)
    with torch.device("meta"):
        model = models.create(name, **kwargs).eval()
        channels = _input_channels(model)
        x = torch.zeros(1, channels, resolution, resolution)
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            try:
                model(x)
            except ValueError as err:  # the model's own input check: too small, fixed size
                raise ValueError(f"{name} cannot run at resolution={resolution}: "
                                 f"{err}") from None
    params = sum(p.numel() for p in model.parameters())
    return ModelCost(name, resolution, params, counter.get_total_flops() // 2)


def _input_channels(model: nn.Module) -> int:
    first = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    return first.in_channels


def latency(model: nn.Module, images: torch.Tensor, repeats: int = 3) -> float:
    """Seconds per image of ``model(images)`` in eval mode without gradients: the best of
    ``repeats`` runs after a warm-up, the run least disturbed by other programs.

    Args:
        model: the network; it is put in eval mode.
        images: the batch, (N, C, H, W).
        repeats: timed runs after the warm-up.
    """
    if not isinstance(images, torch.Tensor) or images.ndim != 4:
        raise ValueError("images must be a 4-D tensor (N, C, H, W)")
    check_positive_ints(repeats=repeats)
    model.eval()
    return _seconds(model, images, repeats, best=True) / len(images)


# ---------------------------------------------------------------- squeeze-and-excitation

def se_cnn(num_classes: int = 10, in_channels: int = 3, width: int = 16) -> nn.Sequential:
    """A small CNN with squeeze-and-excitation after its second and third convolutions.

    Args:
        num_classes: outputs of the final linear layer.
        in_channels: channels of the input images.
        width: channels of the first convolution (then 2·width, 4·width).
    """
    from ..models.layers import ConvBNAct, SqueezeExcitation

    check_positive_ints(num_classes=num_classes, in_channels=in_channels, width=width)
    return nn.Sequential(
        ConvBNAct(in_channels, width, 3, 2), ConvBNAct(width, 2 * width, 3, 2),
        SqueezeExcitation(2 * width, max(1, width // 2)),
        ConvBNAct(2 * width, 4 * width, 3, 2), SqueezeExcitation(4 * width, width),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * width, num_classes))


def se_share(model: nn.Module) -> tuple[int, int]:
    """Parameters inside squeeze-and-excitation modules, and all parameters of ``model``.

    Args:
        model: the network to count.

    Returns:
        ``(parameters inside SE modules, all parameters)``.
    """
    from ..models.layers import SqueezeExcitation

    inside = sum(p.numel() for m in model.modules() if isinstance(m, SqueezeExcitation)
                 for p in m.parameters())
    return inside, sum(p.numel() for p in model.parameters())


@torch.no_grad()
def se_gates(model: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    """The per-channel factors (N, C) every squeeze-and-excitation module of ``model``
    applies to ``images``; the hooks are removed afterwards even if the forward pass fails.

    Args:
        model: a network with SE modules; it is put in eval mode.
        images: the batch, (N, C, H, W).

    Returns:
        One (N, C) tensor of factors in [0, 1] per SE module, in forward order.
    """
    from ..models.layers import SqueezeExcitation

    gates: list[torch.Tensor] = []
    se = {name: m for name, m in model.named_modules() if isinstance(m, SqueezeExcitation)}
    def keep(name: str, module: nn.Module, inputs, output) -> None:
        gates.append(module.scale(inputs[0]).flatten(1))

    with hooked(se, keep):
        model.eval()(images)
    return gates


def module_text(module: nn.Module, width: int = 88) -> str:
    """``repr(module)`` with every line longer than ``width`` wrapped under its indentation,
    so a printed network fits a book page.

    Args:
        module: the module to print.
        width: the longest line allowed, at least 20 characters.
    """
    import textwrap

    if not isinstance(width, int) or width < 20:
        raise ValueError(f"width must be an int of at least 20, got {width!r}")
    lines = []
    for line in repr(module).splitlines():
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        lines += textwrap.wrap(line, width, subsequent_indent=indent,
                               drop_whitespace=True) or [line]
    return "\n".join(lines)
