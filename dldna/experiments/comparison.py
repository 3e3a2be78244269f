"""Every architecture of the book side by side (chapter 9), ConvNeXt's design steps measured on
one stage, and a decision guide drawn as a flowchart.

Parameters, multiply-adds and layer counts are computed from the registered builders (on the
meta device, so no ImageNet-sized tensor is ever allocated); ImageNet accuracies come from
torchvision's weights metadata (torchvision's own training runs, cited in the chapter).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from .. import models
from ..measure.efficiency import model_cost
from ..models.layers import LayerNorm2d

__all__ = ["Architecture", "ARCHITECTURES", "weight_layers", "longest_path_layers",
           "comparison_table",
           "convnext_steps", "decision_flowchart"]


@dataclass(frozen=True)
class Architecture:
    """One row of the comparison: a registered model and what it is known for.

    Args:
        label: name shown in the table, e.g. ``"ResNet-50"``.
        model: registry name of its builder.
        year: year of its first public version (preprint or competition entry), which can be
            earlier than the year of the cited publication.
        idea: its key idea in a few words.
        cite: key of the paper in book/references.bib.
        weights: name of the torchvision weights enum whose metadata gives ImageNet
            accuracies; ``None`` when there is none.
        resolution: side in pixels of the input it is counted at.
        kwargs: ``(name, value)`` pairs passed to the builder.
        paper_depth: the depth the paper itself states, by its own convention; ``None`` when
            it states none.
    """

    label: str
    model: str  # registry name
    year: int  # year of the first public version
    idea: str
    cite: str  # key in book/references.bib
    weights: str | None = None  # torchvision weights enum with ImageNet metrics
    resolution: int = 224
    kwargs: tuple = ()
    paper_depth: int | None = None


ARCHITECTURES = (
    # LeNet-5's paper counts 7 layers, its subsampling layers included (LeCun et al., 1998).
    Architecture("LeNet-5", "lenet5", 1998, "convolution + pooling, trained end to end",
                 "lecun1998gradient", None, 32, (("num_classes", 10), ("in_channels", 1)), 7),
    Architecture("AlexNet", "alexnet", 2012, "ReLU, dropout, big data on GPUs",
                 "krizhevsky2012imagenet", "AlexNet_Weights", paper_depth=8),
    Architecture("VGG-16", "vgg16", 2014, "deep stacks of 3×3 convolutions", "simonyan2014very",
                 "VGG16_Weights", paper_depth=16),
    Architecture("GoogLeNet", "googlenet", 2014, "Inception modules, 1×1 reductions",
                 "szegedy2015going", "GoogLeNet_Weights",
                 kwargs=(("aux_logits", False),),  # auxiliary heads: training only
                 paper_depth=22),
    Architecture("ResNet-50", "resnet50", 2015, "residual connections, bottlenecks",
                 "he2016deep", "ResNet50_Weights", paper_depth=50),
    Architecture("MobileNetV2", "mobilenet_v2", 2018, "inverted residuals, depthwise convs",
                 "sandler2018mobilenetv2", "MobileNet_V2_Weights"),
    Architecture("EfficientNet-B0", "efficientnet_b0", 2019, "searched MBConv net with SE",
                 "tan2019efficientnet", "EfficientNet_B0_Weights"),
    Architecture("EfficientNet-B7", "efficientnet_b7", 2019, "compound scaling of B0",
                 "tan2019efficientnet", "EfficientNet_B7_Weights", 600),
    # ViT's paper gives the number of Transformer encoder blocks (Dosovitskiy et al., Table 1).
    Architecture("ViT-B/16", "vit_b_16", 2020, "patches as tokens, self-attention",
                 "dosovitskiy2021image", "ViT_B_16_Weights", paper_depth=12),
    Architecture("ConvNeXt-T", "convnext_tiny", 2022, "ResNet modernised like a Transformer",
                 "liu2022convnet", "ConvNeXt_Tiny_Weights"),
)


def weight_layers(model: nn.Module) -> int:
    """Number of ``Conv2d`` and ``Linear`` modules (every layer with a weight matrix or kernel,
    shortcut projections and squeeze-excitation included).

    Args:
        model: the network to count, on any device (also ``meta``).
    """
    return sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())


_SHAPE_ONLY = {"TBackward0", "ViewBackward0", "UnsafeViewBackward0", "PermuteBackward0",
               "TransposeBackward0", "ExpandBackward0", "ReshapeAliasBackward0"}


def _weight_ids(model: nn.Module) -> set[int]:
    ids = set()
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            ids.add(id(m.weight))
        elif isinstance(m, nn.MultiheadAttention):  # its q, k, v projection is one matrix
            ids.update(id(w) for w in (m.in_proj_weight, m.q_proj_weight, m.k_proj_weight,
                                       m.v_proj_weight) if w is not None)
    return ids


def _applies_weight(node, weights: set[int]) -> bool:
    """Whether an autograd node multiplies by one of ``weights`` (seen directly or through a
    transpose or reshape of it)."""
    stack = [n for n, _ in node.next_functions if n is not None]
    while stack:
        n = stack.pop()
        if type(n).__name__ == "AccumulateGrad":
            if id(n.variable) in weights:
                return True
        elif type(n).__name__ in _SHAPE_ONLY and len(n.next_functions) == 1:
            stack.extend(m for m, _ in n.next_functions if m is not None)
    return False


def longest_path_layers(model: nn.Module, input_shape) -> int:
    """Depth as the papers count it: the number of layers with weights (convolutions, linear
    layers, attention projections) on the longest path from the input to the output.

    A shortcut projection runs beside its block, so it does not add to the depth; a
    squeeze-and-excitation gate multiplies the main path, so its two layers do. The path is
    read from the autograd graph of one forward pass in eval mode; on the ``meta`` device
    nothing is computed.

    Args:
        model: the network; its training mode is restored afterwards.
        input_shape: the batch shape fed through it, e.g. ``(1, 3, 224, 224)``.
    """
    weights = _weight_ids(model)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            out = model(torch.zeros(*input_shape, requires_grad=True))
    finally:
        model.train(was_training)
    depth: dict = {}
    stack = [(out.grad_fn, False)]
    while stack:  # iterative post-order: graphs of deep networks exceed Python's recursion
        node, children_done = stack.pop()
        if node in depth:
            continue
        children = [n for n, _ in node.next_functions if n is not None]
        if children_done:
            depth[node] = (int(_applies_weight(node, weights))
                           + max((depth[c] for c in children), default=0))
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if c not in depth)
    return depth[out.grad_fn]


def _imagenet_metrics(weights: str | None) -> tuple[float | None, float | None]:
    if weights is None:
        return None, None
    import torchvision.models as tvm

    metrics = getattr(tvm, weights).IMAGENET1K_V1.meta["_metrics"]["ImageNet-1K"]
    return metrics["acc@1"], metrics["acc@5"]


def comparison_table(architectures=ARCHITECTURES) -> tuple[list[dict], list[str]]:
    """One row per architecture whose builder is registered, and the labels of those that
    are not registered.

    Args:
        architectures: the rows to compute: :class:`Architecture` entries or registry names
            (``"resnet18"``, counted at 224², or the one size the model takes, without ImageNet
            accuracies); the book's list by default.

    Returns:
        ``(rows, missing)``: one dict per registered architecture, and the missing labels.
    """
    if isinstance(architectures, (str, Architecture)):
        architectures = [architectures]
    rows, missing = [], []
    for a in map(_as_architecture, architectures):
        if a.model not in models.list_models():
            missing.append(a.label)
            continue
        kwargs = dict(a.kwargs)
        cost = model_cost(a.model, a.resolution, **kwargs)
        with torch.device("meta"):
            model = models.create(a.model, **kwargs)
            channels = _input_channels(model)
            depth = longest_path_layers(model, (1, channels, a.resolution, a.resolution))
        top1, top5 = _imagenet_metrics(a.weights)
        rows.append({"architecture": a.label, "year": a.year, "depth": depth,
                     "paper's depth": a.paper_depth,
                     "params (M)": cost.params / 1e6, "GMACs": cost.macs / 1e9,
                     "input": a.resolution, "top-1 (%)": top1, "top-5 (%)": top5,
                     "key idea": a.idea, "cite": a.cite})
    return rows, missing


def _input_channels(model: nn.Module) -> int:
    """The channels the model's first convolution or linear layer takes (3 if it has none)."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            return module.in_channels
    return 3


def _as_architecture(item) -> Architecture:
    """An :class:`Architecture`, or a registry name made into one (unknown: a ValueError)."""
    if isinstance(item, Architecture):
        return item
    if isinstance(item, str):
        summary = models.get_entry(item).summary  # an unknown name lists the known ones
        with torch.device("meta"):
            model = models.create(item)
        side = getattr(model, "input_size", None) or max(224, getattr(model, "min_side", 1))
        return Architecture(item, item, None, summary, "", resolution=side)
    raise TypeError(f"architectures must hold Architecture entries or registry names such as "
                    f"'resnet18', got {type(item).__name__}; for a model you built, use "
                    "dldna.measure.count_parameters and model_cost")


# ---------------------------------------------------------------- ConvNeXt's steps on one stage

class _Residual(nn.Sequential):
    def forward(self, x):
        return x + super().forward(x)


def _bn_relu(c_in: int, c_out: int, k: int = 1, groups: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, k, padding=k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(c_out), nn.ReLU()]


def _step_blocks(c: int) -> dict[str, Callable[[], nn.Module]]:
    mid, wide = c // 4, 4 * c
    return {
        "ResNet bottleneck (1×1, 3×3, 1×1)": lambda: _Residual(
            *_bn_relu(c, mid), *_bn_relu(mid, mid, 3), *_bn_relu(mid, c)),
        "depthwise 3×3 in the middle": lambda: _Residual(
            *_bn_relu(c, mid), *_bn_relu(mid, mid, 3, mid), *_bn_relu(mid, c)),
        "inverted bottleneck (4× wide)": lambda: _Residual(
            *_bn_relu(c, wide), *_bn_relu(wide, wide, 3, wide), *_bn_relu(wide, c)),
        "depthwise moved up, 7×7": lambda: _Residual(
            *_bn_relu(c, c, 7, c), *_bn_relu(c, wide), *_bn_relu(wide, c)),
        "one GELU, one LayerNorm (ConvNeXt)": lambda: _Residual(
            nn.Conv2d(c, c, 7, padding=3, groups=c), LayerNorm2d(c, eps=1e-6),
            nn.Conv2d(c, wide, 1), nn.GELU(), nn.Conv2d(wide, c, 1)),
    }


def convnext_steps(channels: int = 96, size: int = 56, blocks: int = 3) -> list[dict]:
    """Parameters, multiply-adds, activations and norms of one stage (``blocks`` blocks of
    ``channels`` channels on a ``size``×``size`` map) after each of ConvNeXt's design steps,
    counted on the meta device.

    Args:
        channels: width of the stage, a positive multiple of 4.
        size: side of the square feature map.
        blocks: blocks in the stage.

    Returns:
        One dict per design step with ``params``, ``macs``, ``activations`` and ``norms``.
    """
    from torch.utils.flop_counter import FlopCounterMode

    if isinstance(channels, bool) or not isinstance(channels, int) or channels < 4 \
            or channels % 4:
        raise ValueError(f"channels must be a positive multiple of 4, got {channels!r}")
    rows = []
    for name, make_block in _step_blocks(channels).items():
        with torch.device("meta"):  # shapes only: nothing is computed or stored
            stage = nn.Sequential(*[make_block() for _ in range(blocks)])
            with torch.no_grad(), FlopCounterMode(display=False) as counter:
                stage.eval()(torch.zeros(1, channels, size, size))
        rows.append({"step": name, "params": sum(p.numel() for p in stage.parameters()),
                     "macs": counter.get_total_flops() // 2,
                     "activations": sum(isinstance(m, (nn.ReLU, nn.GELU))
                                        for m in stage.modules()),
                     "norms": sum(isinstance(m, (nn.BatchNorm2d, nn.LayerNorm))
                                  for m in stage.modules())})
    return rows


def decision_flowchart():
    """The chapter's decision guide, drawn with matplotlib boxes and arrows."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(1.3, 10)
    ax.axis("off")
    question = dict(boxstyle="round,pad=0.4", fc="#fff3cd", ec="#b8860b")
    answer = dict(boxstyle="round,pad=0.4", fc="#e7f0fa", ec="#1f77b4")
    boxes = {
        "data": (5, 9.1, "Fewer than about 1,000\nlabelled photos?", question),
        "transfer": (8.4, 6.9, "Transfer learning:\nfine-tune a pretrained\nnetwork",
                     answer),
        "where": (3.2, 6.9, "Where does the\nmodel run?", question),
        "edge": (1.3, 3.0, "Phone / edge:\nMobileNetV3,\nEfficientNet-B0\n(Lite)", answer),
        "server": (4.9, 3.0, "Server, latency\ncounts:\nEfficientNet-B1–B3,\nResNet-50",
                   answer),
        "best": (8.4, 3.0, "Best accuracy,\ncompute to spare:\nEfficientNet-B7,\nViT-B/16 "
                 "(big pre-\ntraining data)", answer),
    }
    texts = {key: ax.text(x, y, text, ha="center", va="center", fontsize=9.5, bbox=style)
             for key, (x, y, text, style) in boxes.items()}
    arrows = [("data", "transfer", "yes"), ("data", "where", "no"), ("where", "edge", ""),
              ("where", "server", ""), ("where", "best", "")]
    for start, end, label in arrows:
        ax.annotate("", xy=(0.5, 1.0), xycoords=texts[end], xytext=(0.5, 0.0),
                    textcoords=texts[start],
                    arrowprops=dict(arrowstyle="->", color="0.3", lw=1.2, shrinkA=6, shrinkB=6))
        if label:
            (x0, y0, *_), (x1, y1, *_) = boxes[start], boxes[end]
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.35, label, fontsize=9.5,
                    color="0.2", ha="center", va="center",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
    ax.set_title("Which architecture? A rough guide", fontsize=11)
    fig.tight_layout()
    return fig
