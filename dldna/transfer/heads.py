"""Where a network's classifier is, how to swap it, and how its body divides into stages.

Works for the models of :mod:`dldna.models` and for torchvision's MobileNetV2, EfficientNet
and ResNet (and :class:`dldna.pretrained.efficientnet_lite.EfficientNetLite0`), without a table
of architectures: the head is found by *name and shape*, the stages by *structure*.
"""
from __future__ import annotations

from torch import nn

# The last component of the attribute path that classifiers are stored under, by convention.
HEAD_NAMES = ("fc", "_fc", "classifier", "head", "heads", "last_linear", "logits", "output")


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def find_head(model: nn.Module) -> tuple[str, nn.Linear]:
    """The classifier: the network's last ``nn.Linear``, stored under a classifier's name.

    Accepted names end in (or sit inside a container called) one of ``HEAD_NAMES``, e.g.
    ``fc`` (ResNet), ``classifier.1`` (MobileNetV2, EfficientNet), ``_fc`` (Lite0).

    Args:
        model: the network.

    Returns:
        ``(dotted name, layer)``.

    Raises:
        ValueError: when the model has no ``nn.Linear`` or its last one is not named like a
            classifier (a model with a convolutional head, say); the message lists what it saw.
    """
    _check_model(model)
    linears = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(f"model ({type(model).__name__}) has no nn.Linear layer, so no "
                         f"classifier head to replace was found")
    name, layer = linears[-1]
    parts = name.split(".")
    if not any(p in HEAD_NAMES for p in parts[-2:]):
        raise ValueError(f"model ({type(model).__name__}): its last nn.Linear is {name!r}, which "
                         f"is not named like a classifier ({', '.join(HEAD_NAMES)}); no head found")
    return name, layer


def _set_submodule(model: nn.Module, name: str, module: nn.Module) -> None:
    parent_name, _, child = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, child, module)


def replace_head(model: nn.Module, num_classes: int) -> nn.Module:
    """Put a fresh ``nn.Linear(in_features, num_classes)`` where the classifier was (in place).

    The new layer draws its initial weights from torch's global generator (seed it first for
    repeatable runs) and sits on the old layer's device and dtype.

    Args:
        model: the network; see :func:`find_head`.
        num_classes: outputs of the new layer, ≥ 1.

    Returns:
        ``model`` itself.
    """
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    name, old = find_head(model)
    new = nn.Linear(old.in_features, num_classes, bias=old.bias is not None,
                    device=old.weight.device, dtype=old.weight.dtype)
    _set_submodule(model, name, new)
    return model


def _out_channels(module: nn.Module) -> int | None:
    convs = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
    return convs[-1].out_channels if convs else None


def _has_params(module: nn.Module) -> bool:
    return any(True for _ in module.parameters())


def _pieces(model: nn.Module, head_path: list[str]) -> list[tuple[str, nn.Module]]:
    """Top-level children in order (containers opened one level), without the head."""
    pieces = []
    for name, child in model.named_children():
        if name == head_path[0] and (len(head_path) == 1 or not _opens(child, head_path)):
            continue  # the head itself, or a small container holding it (dropout + linear)
        if not _has_params(child):
            continue
        inner = [(f"{name}.{n}", c) for n, c in child.named_children() if _has_params(c)]
        if isinstance(child, (nn.Sequential, nn.ModuleList)) and len(inner) > 1:
            pieces += inner
        else:
            pieces.append((name, child))
    return pieces


def _opens(child: nn.Module, head_path: list[str]) -> bool:
    """Whether the container holding the head has other trainable layers worth keeping."""
    return sum(_has_params(c) for c in child.children()) > 1 and len(head_path) > 2


def _group_name(names: list[str], model: nn.Module) -> str:
    if len(names) == 1:
        return names[0]
    prefix = names[0].rpartition(".")[0]
    if prefix and all(n.rpartition(".")[0] == prefix for n in names):
        container = model.get_submodule(prefix)
        if len(names) == sum(_has_params(c) for c in container.children()):
            return prefix  # the whole container, e.g. "layer1"
        return f"{prefix}.{names[0].rpartition('.')[2]}-{names[-1].rpartition('.')[2]}"
    return "+".join(names)


def stages(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The body of the network as stages, from the input to the head (the head excluded).

    A stage is a run of consecutive blocks with the same number of output channels: the
    resolution stages of a ResNet (``layer1`` …), of MobileNetV2 (``features.2-3`` …) and of
    EfficientNet (``features.1`` …). Layers without a convolution (a BatchNorm after the stem)
    join the stage before them. A stage of several blocks is an ``nn.Sequential`` *view* of
    the model's own modules (same parameters, not registered in the model).

    Args:
        model: the network; see :func:`find_head`.

    Returns:
        ``[(name, module), ...]`` in forward order.
    """
    head_name, _ = find_head(model)
    groups: list[tuple[list[str], list[nn.Module], int | None]] = []
    for name, module in _pieces(model, head_name.split(".")):
        channels, parent = _out_channels(module), name.rpartition(".")[0]
        same_place = groups and groups[-1][0][-1].rpartition(".")[0] == parent
        if groups and (channels is None or (same_place and channels == groups[-1][2])):
            groups[-1][0].append(name)
            groups[-1][1].append(module)
        else:
            groups.append(([name], [module], channels))
    return [(_group_name(names, model), mods[0] if len(mods) == 1 else nn.Sequential(*mods))
            for names, mods, _ in groups]
