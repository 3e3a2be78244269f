"""Residual blocks drawn from the block objects (chapters 7–9).

Each panel is one block as its ``forward`` runs it, traced with ``torch.fx``: the main path
top to bottom, the shortcut on the right (a line for the identity, a box for a projection), the
addition, and what follows it. With ``widths=True`` each layer is a trapezoid whose top and
bottom edges grow with its input and output channels, so a bottleneck (wide → narrow → wide)
and an inverted residual (narrow → wide → narrow) look like what they are.

* :func:`draw_residual_blocks` – ResNet's BasicBlock and Bottleneck, identity or projection;
* :func:`draw_inverted_residual` – MobileNetV2's block beside ResNet's bottleneck;
* :func:`draw_convnext_block` – the ConvNeXt block, optionally beside another block.
"""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Circle, Polygon
from torch import nn

from .diagrams import FIGURE_WIDTH
from dldna.models.convnext import ConvNeXtBlock
from dldna.models.mobilenet import InvertedResidual
from dldna.models.resnet import BasicBlock, Bottleneck

from .diagram_parts import (FONT, PALE, arrow, box, calls, canvas, channels, extra_name,
                            path_arrow, require, steps)

_H, _GAP, _TOP = 0.62, 0.3, 0.75          # step height, gap between steps, title band (in)
PANEL = 3.5                               # inches per panel


def _split(block: nn.Module) -> dict:
    """The traced calls of a residual block: main path, shortcut, and after the addition."""
    found = calls(block)
    add = next((i for i, (name, _) in enumerate(found) if name == "add"), None)
    before = found if add is None else found[:add]
    return {"main": steps([c for c in before if not c[0].startswith("downsample")]),
            "shortcut": steps([c for c in before if c[0].startswith("downsample")]),
            "post": [] if add is None else [extra_name(*c) for c in found[add + 1:]
                                            if extra_name(*c)],
            "add": add is not None}


def _widths(main, widths: bool) -> list[tuple[float, float]]:
    """Top and bottom width of each step's shape: fixed, or growing with the channels."""
    pairs, last = [], None
    for step in main:
        c = channels(step.layer) or (last, last)
        pairs.append(c)
        last = c[1]
    if not widths:
        return [(1.6, 1.6)] * len(main)
    most = max(max(p) for p in pairs)
    return [(1.05 + 0.7 * a / most, 1.05 + 0.7 * b / most) for a, b in pairs]


def _subtitle(block: nn.Module, parts: dict) -> str:
    if isinstance(block, InvertedResidual):
        first = channels(parts["main"][0].layer)
        return f"expansion t = {first[1] / first[0]:g}"
    if isinstance(block, ConvNeXtBlock):
        wide = channels(parts["main"][1].layer)
        return f"inverted bottleneck, ×{wide[1] / wide[0]:g} inside"
    if parts["shortcut"]:
        return "projection shortcut"
    return "identity shortcut" if parts["add"] else "no shortcut"


def _lines(block: nn.Module, step, parts: dict) -> list[str]:
    """A step's label; a learned scale shows its size, and a last layer with no activation
    after it, before or after the sum, says so (MobileNetV2's linear bottleneck)."""
    lines = step.lines()
    if isinstance(step.layer, str):
        lines.insert(1, f"{block.get_parameter(step.layer[2:]).numel()} values")
    acts = {"ReLU", "ReLU6", "GELU", "SiLU"}
    last = step is parts["main"][-1] and channels(step.layer)
    if last and not acts & set(step.extras) and not acts & set(parts["post"]):
        lines[-1] += ", no activation"
    return lines


def _panel(ax, x0: float, height: float, block: nn.Module, widths: bool) -> None:
    """One block: title, input, the main path, the shortcut, the sum and the output."""
    parts = _split(block)
    main, cx, sx = parts["main"], x0 + 0.32 * PANEL, x0 + 0.8 * PANEL
    c_in = channels(main[0].layer)[0]
    ax.text(cx + 0.3, height - 0.3, f"{type(block).__name__}\n{_subtitle(block, parts)}",
            ha="center", va="center", fontsize=FONT + 1)
    source = box(ax, (cx, height - _TOP - 0.15), (1.6, 0.3), f"input: {c_in} channels",
                 colour=PALE["input"])
    y, start, c_out = source["bottom"][1] - _GAP, source["bottom"], c_in
    for step, (top, bottom) in zip(main, _widths(main, widths)):
        arrow(ax, start, (cx, y))
        corners = [(cx - top / 2, y), (cx + top / 2, y), (cx + bottom / 2, y - _H),
                   (cx - bottom / 2, y - _H)]
        kind = "scale" if isinstance(step.layer, str) else "conv"
        ax.add_patch(Polygon(corners, closed=True, facecolor=PALE[kind], edgecolor="#33415c",
                             lw=0.9, zorder=3))
        ax.text(cx, y - _H / 2, "\n".join(_lines(block, step, parts)), ha="center", va="center",
                fontsize=FONT, linespacing=1.15, zorder=4)
        start, y = (cx, y - _H), y - _H - _GAP
        c_out = (channels(step.layer) or (c_out, c_out))[1]
    if parts["add"]:
        r = 0.13
        arrow(ax, start, (cx, y - r))
        ax.add_patch(Circle((cx, y - 2 * r), r, facecolor="white", edgecolor="#33415c",
                            zorder=3))
        ax.text(cx, y - 2 * r, "+", ha="center", va="center", fontsize=FONT + 2, zorder=4)
        side = source["right"]
        path_arrow(ax, [side, (sx, side[1]), (sx, y - 2 * r), (cx + r, y - 2 * r)])
        if parts["shortcut"]:
            lines = [line for s in parts["shortcut"] for line in s.lines()]
            box(ax, (sx, (side[1] + y) / 2), (1.15, _H), "\n".join(lines), colour=PALE["pool"])
        else:
            ax.text(sx + 0.1, (side[1] + y) / 2, "identity", rotation=90, ha="left",
                    va="center", fontsize=FONT)
        start, y = (cx, y - 3 * r), y - 3 * r - _GAP
    after = "".join(f"{p} → " for p in parts["post"])
    out = box(ax, (cx, y - 0.15), (2.0, 0.3), f"{after}output: {c_out} channels",
              colour=PALE["input"])
    arrow(ax, start, out["top"])


def _figure(blocks, widths: bool) -> Figure:
    n_steps = max(len(_split(b)["main"]) for b in blocks)
    height = _TOP + 0.3 + _GAP + n_steps * (_H + _GAP) + 0.39 + _GAP + 0.3 + 0.1
    fig, ax = canvas(FIGURE_WIDTH, height)
    left = (FIGURE_WIDTH - PANEL * len(blocks)) / 2
    for i, block in enumerate(blocks):
        _panel(ax, left + i * PANEL, height, block, widths)
    return fig


def draw_residual_blocks(*blocks: BasicBlock | Bottleneck) -> Figure:
    """ResNet blocks side by side (one or two), each with its identity or projection shortcut.

    Args:
        blocks: :class:`~dldna.models.resnet.BasicBlock` or ``Bottleneck`` instances, e.g.
            ``ResNet18().layer1[0]`` (identity) and ``ResNet50().layer2[0]`` (projection).

    Returns:
        The matplotlib figure.
    """
    if not 1 <= len(blocks) <= 2:
        raise ValueError(f"blocks must be one or two blocks, got {len(blocks)}")
    for i, block in enumerate(blocks):
        require(block, (BasicBlock, Bottleneck), f"blocks[{i}]")
    return _figure(blocks, widths=False)


def draw_inverted_residual(inverted: InvertedResidual, bottleneck: Bottleneck) -> Figure:
    """ResNet's bottleneck (wide → narrow → wide) beside MobileNetV2's inverted residual
    (narrow → wide → narrow); each layer's edges grow with its channels, within each panel.

    Args:
        inverted: a :class:`~dldna.models.mobilenet.InvertedResidual`.
        bottleneck: a :class:`~dldna.models.resnet.Bottleneck`.

    Returns:
        The matplotlib figure.
    """
    require(inverted, InvertedResidual, "inverted")
    require(bottleneck, Bottleneck, "bottleneck")
    return _figure([bottleneck, inverted], widths=True)


def draw_convnext_block(block: ConvNeXtBlock, beside: nn.Module | None = None) -> Figure:
    """The ConvNeXt block (7×7 depthwise → LN → 1×1 wide → GELU → 1×1 back, × layer scale,
    + input), drawn with widths that grow with the channels; ``beside`` adds a second panel.

    Args:
        block: a :class:`~dldna.models.convnext.ConvNeXtBlock`.
        beside: a ``Bottleneck`` or ``InvertedResidual`` drawn to its left; ``None``: none.

    Returns:
        The matplotlib figure.
    """
    require(block, ConvNeXtBlock, "block")
    if beside is not None:
        require(beside, (Bottleneck, InvertedResidual), "beside")
    return _figure([block] if beside is None else [beside, block], widths=True)


__all__ = ["draw_residual_blocks", "draw_inverted_residual", "draw_convnext_block"]
