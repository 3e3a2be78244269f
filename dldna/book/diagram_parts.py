"""The pieces the architecture diagrams share: an inches-based canvas, boxes and arrows, and
readers that turn a module's layers into labelled steps (by tracing ``forward`` with
``torch.fx``, so the order drawn is the order the code runs).
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import torch
import torch.fx as fx
import torch.nn.functional as F
import torchvision
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from torch import nn

from dldna.models import layers as dl_layers

FONT = 9                                   # points; the smallest size the book allows
PALE = {"conv": "#dbe6f4", "pool": "#e6e6e6", "inception": "#fbe3cf", "head": "#d9ecd9",
        "aux": "#f6d5d5", "scale": "#ece3f4", "input": "#ffffff"}
_NAMES = {nn.BatchNorm2d: "BN", nn.LayerNorm: "LN", dl_layers.LayerNorm2d: "LN",
          nn.ReLU: "ReLU", nn.ReLU6: "ReLU6", nn.GELU: "GELU", nn.SiLU: "SiLU"}
_FUNCTIONS = {F.relu: "ReLU", torch.relu: "ReLU", F.relu6: "ReLU6", F.gelu: "GELU"}
_LEAVES = (torchvision.ops.StochasticDepth, dl_layers.StochasticDepth)


def canvas(width: float, height: float) -> tuple[Figure, plt.Axes]:
    """A figure whose one axes uses inches as data units, so boxes fit their text."""
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


def box(ax, centre: tuple[float, float], size: tuple[float, float], text: str, *,
        colour: str = PALE["conv"], fontsize: float = FONT) -> dict:
    """A rounded box with centred text, drawn above lines; returns its ``top``, ``bottom``,
    ``left``, ``right`` anchor points (x, y)."""
    (x, y), (w, h) = centre, size
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,"
                                "rounding_size=0.06", facecolor=colour, edgecolor="#33415c",
                                lw=0.9, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, linespacing=1.15,
            zorder=4)
    return {"top": (x, y + h / 2), "bottom": (x, y - h / 2), "left": (x - w / 2, y),
            "right": (x + w / 2, y)}


def arrow(ax, start, end, *, colour: str = "#33415c") -> None:
    """A straight arrow from ``start`` to ``end`` (points in data units)."""
    ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.0,
                                            "shrinkA": 0, "shrinkB": 0,
                                            "mutation_scale": 9})


def path_arrow(ax, points, *, colour: str = "#33415c") -> None:
    """A polyline through ``points`` with an arrow head on its last segment."""
    xs, ys = zip(*points)
    ax.plot(xs[:-1], ys[:-1], color=colour, lw=1.0, solid_capstyle="butt")
    arrow(ax, points[-2], points[-1], colour=colour)


def require(value, kinds, name: str) -> None:
    """Raise a TypeError naming the argument ``name`` unless ``value`` is one of ``kinds``."""
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if not isinstance(value, kinds):
        wanted = " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"{name} must be a {wanted}, got {type(value).__name__}")


# ------------------------------------------------------------------ reading the layers

def layer_name(layer: nn.Module) -> str:
    """What a weight or pooling layer does, read from its attributes: ``'3×3 conv /2'``,
    ``'7×7 depthwise'``, ``'1×1 (Linear)'``, ``'3×3 max pool'``."""
    if isinstance(layer, nn.Conv2d):
        k, s = layer.kernel_size[0], layer.stride[0]
        depthwise = layer.groups > 1 and layer.groups == layer.in_channels
        kind = "depthwise" if depthwise else "conv" if layer.groups == 1 else "grouped"
        return f"{k}×{layer.kernel_size[1]} {kind}" + (f" /{s}" if s > 1 else "")
    if isinstance(layer, nn.Linear):
        return "1×1 (Linear)"
    if isinstance(layer, nn.MaxPool2d):
        k, s = _pair(layer.kernel_size), _pair(layer.stride)
        return f"{k}×{k} max pool" + (f" /{s}" if s > 1 else "")
    raise TypeError(f"layer must be a Conv2d, Linear or MaxPool2d, got {type(layer).__name__}")


def _pair(value) -> int:
    return value[0] if isinstance(value, tuple) else value


def channels(layer: nn.Module | str) -> tuple[int, int] | None:
    """(C_in, C_out) of a convolution or linear layer; ``None`` for anything else."""
    if isinstance(layer, nn.Conv2d):
        return layer.in_channels, layer.out_channels
    if isinstance(layer, nn.Linear):
        return layer.in_features, layer.out_features
    return None


@dataclass
class Step:
    """One weight or pooling layer of a path and what follows it (norm, activation, …)."""

    layer: nn.Module | str
    extras: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Name, channels and extras, one line each (a depthwise layer shows its width once)."""
        if isinstance(self.layer, str):            # a scaling by a learned parameter
            return [self.layer] + self.extras
        c = channels(self.layer)
        shown = [layer_name(self.layer)]
        if c is not None:
            shown.append(f"{c[0]}" if "depthwise" in shown[0] else f"{c[0]}→{c[1]}")
        return shown + ([", ".join(self.extras)] if self.extras else [])


class _Tracer(fx.Tracer):
    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return isinstance(m, _LEAVES) or super().is_leaf_module(m, qualname)


def calls(module: nn.Module) -> list[tuple[str, object]]:
    """The modules and functions ``module.forward`` calls, in order, traced with torch.fx:
    ``(qualified name, submodule)``, ``("add", None)``, ``("scale", attribute name)`` or
    ``("fn", activation name)``."""
    graph = _Tracer().trace(module)
    found: list[tuple[str, object]] = []
    for node in graph.nodes:
        if node.op == "call_module":
            found.append((node.target, module.get_submodule(node.target)))
        elif node.op == "call_function" and node.target in (operator.add, torch.add):
            found.append(("add", None))
        elif node.op == "call_function" and node.target in _FUNCTIONS:
            found.append(("fn", _FUNCTIONS[node.target]))
        elif node.op == "call_function" and node.target is operator.mul:
            attrs = [a.target for a in node.args if getattr(a, "op", None) == "get_attr"]
            if attrs:
                found.append(("scale", attrs[0]))
    return found


def extra_name(name: str, item: object) -> str | None:
    """The short name of a norm, activation or stochastic-depth call (``None`` otherwise)."""
    if name == "fn":
        return item
    if type(item) in _NAMES:
        return _NAMES[type(item)]
    if isinstance(item, _LEAVES) and item.p > 0:
        return f"drop path {item.p:g}"
    return None


def steps(found: list[tuple[str, object]]) -> list[Step]:
    """Group traced calls into steps: each Conv2d, Linear, MaxPool2d or scaling by a learned
    parameter opens one; norms, activations and stochastic depth are written under the step
    they follow."""
    result: list[Step] = []
    for name, item in found:
        if isinstance(item, (nn.Conv2d, nn.Linear, nn.MaxPool2d)):
            result.append(Step(item))
        elif name == "scale":
            result.append(Step(f"× {item}"))
        elif result and extra_name(name, item):
            result[-1].extras.append(extra_name(name, item))
    return result


__all__ = ["FONT", "PALE", "canvas", "box", "arrow", "path_arrow", "require", "layer_name",
           "channels", "Step", "calls", "extra_name", "steps"]
