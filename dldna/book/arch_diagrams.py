"""Architecture diagrams drawn from the model objects themselves (chapter 6).

Nothing on these drawings is typed in by hand: every kernel size, stride, channel count and
output shape is read from the module passed in, by walking its children, tracing its
``forward`` with ``torch.fx``, or running it on a ``meta`` tensor (shapes only, no
arithmetic). Build a module with other channels and the drawing changes with it.

* :func:`draw_inception_module` – the four branches of an :class:`~dldna.models.googlenet.InceptionModule`;
* :func:`draw_googlenet` – the outline of a GoogLeNet: stem, nine modules, pools, head, and
  the auxiliary heads where they branch off.

The residual, inverted-residual and ConvNeXt blocks are in :mod:`dldna.book.block_diagrams`,
the ViT's patches and tokens in :mod:`dldna.book.token_diagrams`.
"""
from __future__ import annotations

import copy

import torch
from matplotlib.figure import Figure
from torch import nn

from .diagrams import COLOURS, FIGURE_WIDTH
from dldna.models.googlenet import BasicConv2d, GoogLeNet, InceptionAux, InceptionModule
from dldna.models.googlenet_mini import MiniGoogLeNet

from .diagram_parts import (FONT, PALE, arrow, box, calls, canvas, channels, layer_name,
                            path_arrow, require, steps)


# ------------------------------------------------------------------ the Inception module

def draw_inception_module(module: InceptionModule, *, title: str | None = None) -> Figure:
    """The four branches of an Inception module, side by side, with the kernel sizes and
    channel counts of its own layers, and the concatenation that sums their outputs.

    Args:
        module: an :class:`~dldna.models.googlenet.InceptionModule`.
        title: the figure's title; ``None`` for one made from the module's channels.

    Returns:
        The matplotlib figure.
    """
    require(module, InceptionModule, "module")
    branches = [steps(calls(b)) for b in (module.branch1, module.branch2, module.branch3,
                                           module.branch4)]
    outs = [channels(next(s.layer for s in reversed(b) if channels(s.layer)))[1]
            for b in branches]
    depth = max(len(b) for b in branches)
    col, h, gap = FIGURE_WIDTH / 4, 0.62, 0.32
    height = 0.45 + 0.45 + depth * (h + gap) + 0.5 + 0.3
    fig, ax = canvas(FIGURE_WIDTH, height)
    top = box(ax, (FIGURE_WIDTH / 2, height - 0.7), (2.6, 0.32),
              f"input: {module.in_channels} channels", colour=PALE["input"])
    y_first = top["bottom"][1] - gap - h / 2
    concat_y = y_first - (depth - 1) * (h + gap) - h / 2 - gap - 0.2
    for i, branch in enumerate(branches):
        x = col * (i + 0.5)
        start = top["bottom"]
        for j, step in enumerate(branch):
            y = y_first - j * (h + gap)
            kind = "pool" if isinstance(step.layer, nn.MaxPool2d) else "conv"
            b = box(ax, (x, y), (col - 0.22, h), "\n".join(step.lines()), colour=PALE[kind])
            arrow(ax, start, b["top"])
            start = b["bottom"]
        arrow(ax, start, (x, concat_y + 0.2))
    total = " + ".join(map(str, outs))
    box(ax, (FIGURE_WIDTH / 2, concat_y), (FIGURE_WIDTH - 0.3, 0.4),
        f"concatenate along the channels: {total} = {sum(outs)} channels",
        colour=PALE["inception"])
    k3 = module.branch3[-1].conv.kernel_size[0]
    note = ' (the "5×5" branch is a 3×3 here, as in torchvision)' if k3 == 3 else ""
    ax.text(FIGURE_WIDTH / 2, height - 0.22, title or f"Inception module, {module.in_channels}"
            f" → {module.out_channels} channels{note}", ha="center", va="center",
            fontsize=FONT + 1)
    return fig


# ------------------------------------------------------------------ GoogLeNet's outline

_UNITS = (InceptionModule, InceptionAux, BasicConv2d, nn.MaxPool2d, nn.AdaptiveAvgPool2d,
          nn.Dropout, nn.Linear)


def _units(model: nn.Module) -> dict[nn.Module, str]:
    """The outermost modules of ``model`` that are one box of the outline, with their names."""
    found: dict[nn.Module, str] = {}
    for name, m in model.named_modules():
        inside = any(name.startswith(f"{outer}.") for outer in found.values())
        if isinstance(m, _UNITS) and not inside:
            found[m] = name
    return found


def trace_units(model: nn.Module, image_size: int) -> list[dict]:
    """Run a copy of ``model`` on a ``meta`` batch in training mode (so the auxiliary heads
    are called) and record every unit in call order: ``name``, ``module``, ``shape`` (the
    output's, without the batch) and ``input`` (the input's)."""
    probe = copy.deepcopy(model).to("meta").train()
    record: list[dict] = []
    hooks = [m.register_forward_hook(
        lambda mod, args, out, name=name: record.append(
            {"name": name, "module": mod, "input": tuple(args[0].shape[1:]),
             "shape": tuple(out.shape[1:])}))
        for m, name in _units(probe).items()]
    try:
        with torch.no_grad():
            probe(torch.zeros(2, model.in_channels, image_size, image_size, device="meta"))
    finally:
        for h in hooks:
            h.remove()
    return record


def _unit_lines(unit: dict) -> list[str]:
    m, shape = unit["module"], "×".join(map(str, unit["shape"]))
    if isinstance(m, InceptionModule):
        return ["inception", unit["name"].replace("inception", "").split(".")[-1], shape]
    if isinstance(m, BasicConv2d):
        return ["conv", layer_name(m.conv).replace(" conv", ""), shape]
    if isinstance(m, nn.MaxPool2d):
        return ["max pool", layer_name(m).replace(" max pool", ""), shape]
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return ["avg pool", "global", shape]
    if isinstance(m, nn.Dropout):
        return ["dropout", f"p = {m.p:g}", shape]
    if isinstance(m, nn.Linear):
        return ["FC", f"{m.in_features}→{m.out_features}", shape]
    return ["aux head", f"on {unit['parent']}", f"→ {shape}"]


def _rows(main: list[dict], per_row: int) -> list[list[dict]]:
    """Main-path units in rows: a row ends after a max pool once it holds three units, or
    when it is full."""
    rows: list[list[dict]] = [[]]
    for unit in main:
        rows[-1].append(unit)
        pool = isinstance(unit["module"], nn.MaxPool2d)
        if len(rows[-1]) == per_row or (pool and len(rows[-1]) >= 3):
            rows.append([])
    return [r for r in rows if r]


def _main_and_aux(record: list[dict]) -> tuple[list[dict], list[dict]]:
    main, aux = [], []
    for unit in record:
        if isinstance(unit["module"], InceptionAux):
            unit["parent"] = _unit_lines(main[-1])[1]
            aux.append(unit)
            continue
        last = main[-1]["shape"] if main else ()
        if len(last) == 3 and last[1] * last[2] > 1 and unit["input"] == last[:1]:
            # averaged by a function call in forward (e.g. x.mean((2, 3))), not a module
            main.append({"name": "mean", "module": nn.AdaptiveAvgPool2d(1),
                         "input": main[-1]["shape"], "shape": unit["input"]})
        main.append(unit)
    for unit in aux:
        unit["after"] = next(u for u in main if _unit_lines(u)[1] == unit["parent"])
    return main, aux


def draw_googlenet(model: GoogLeNet | MiniGoogLeNet | str, *, image_size: int | None = None
                   ) -> Figure:
    """The outline of a GoogLeNet, one box per layer in the order ``forward`` calls them,
    each with its output shape (from a run on a ``meta`` tensor); the auxiliary heads hang
    below the module they read.

    Args:
        model: a :class:`~dldna.models.googlenet.GoogLeNet` or ``MiniGoogLeNet``, or a
            registry name such as ``"googlenet"`` (built on the meta device).
        image_size: side of the square input; ``None`` for 224 (GoogLeNet) or 28 (mini).

    Returns:
        The matplotlib figure.
    """
    if isinstance(model, str):
        from dldna.models import create
        with torch.device("meta"):
            model = create(model)
    require(model, (GoogLeNet, MiniGoogLeNet), "model")
    size = image_size or (224 if isinstance(model, GoogLeNet) else 28)
    if not isinstance(size, int) or size < model.min_side:
        raise ValueError(f"image_size must be an int ≥ {model.min_side}, got {image_size!r}")
    main, aux = _main_and_aux(trace_units(model, size))
    per_row, w, h, gap = 6, 0.98, 0.62, FIGURE_WIDTH / 6 - 0.98
    rows = _rows(main, per_row)
    aux_rows = {i for i, r in enumerate(rows) for a in aux if a["after"] in r}
    drops = [h + 0.45 + (h + 0.3 if i in aux_rows else 0) for i in range(len(rows))]
    height = 0.5 + sum(drops) - 0.45 + 0.15
    fig, ax = canvas(FIGURE_WIDTH, height)
    y, anchors, previous = height - 0.5 - h / 2, {}, None
    for i, row in enumerate(rows):
        for j, unit in enumerate(row):
            kind = ("inception" if isinstance(unit["module"], InceptionModule) else "pool"
                    if isinstance(unit["module"], (nn.MaxPool2d, nn.AdaptiveAvgPool2d)) else
                    "head" if isinstance(unit["module"], (nn.Linear, nn.Dropout)) else "conv")
            b = box(ax, (gap / 2 + w / 2 + j * (w + gap), y), (w, h),
                    "\n".join(_unit_lines(unit)), colour=PALE[kind])
            anchors[id(unit)] = b
            if previous is not None and j == 0:      # from the end of the last row
                turn = b["top"][1] + 0.2
                path_arrow(ax, [previous["bottom"], (previous["bottom"][0], turn),
                                (b["top"][0], turn), b["top"]])
            elif previous is not None:
                arrow(ax, previous["right"], b["left"])
            previous = b
        y -= drops[i]
    for unit in aux:
        parent = anchors[id(unit["after"])]
        b = box(ax, (parent["bottom"][0], parent["bottom"][1] - 0.3 - h / 2), (w, h),
                "\n".join(_unit_lines(unit)), colour=PALE["aux"])
        arrow(ax, parent["bottom"], b["top"], colour=COLOURS[3])
    n = sum(isinstance(u["module"], InceptionModule) for u in main)
    ax.text(FIGURE_WIDTH / 2, height - 0.22, f"{type(model).__name__}: {n} inception modules,"
            f" input {model.in_channels}×{size}×{size}, output shapes C×H×W", ha="center",
            va="center", fontsize=FONT + 1)
    return fig


__all__ = ["draw_inception_module", "draw_googlenet", "trace_units"]
