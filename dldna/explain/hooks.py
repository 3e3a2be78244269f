"""Look inside a network without changing it: forward hooks that are always removed, and Grad-CAM.

>>> with capture(model, ["layer1", "layer4"]) as features:
...     model(images)
>>> features["layer4"].shape          # the tensors are detached copies of the outputs

Grad-CAM, built on the same hygiene, lives in :mod:`dldna.gradcam`.

Every hook is registered inside a ``with`` block and removed when it ends, also when the block
raises, so no hook survives to slow down or silently change later forward passes.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

import torch
from torch import Tensor, nn


def module_names(model: nn.Module) -> list[str]:
    """Every module path of ``model`` a hook can be attached to (``""``, the model, excluded).

    Args:
        model: the network whose sub-modules are listed, in ``named_modules`` order.
    """
    return [name for name, _ in model.named_modules() if name]


def resolve(model: nn.Module, names: Iterable[str]) -> dict[str, nn.Module]:
    """The modules named by ``names``; an unknown name is a ValueError listing the valid ones.

    Args:
        model: the network to look in.
        names: module paths such as ``"layer4.1.conv2"``, at least one (a single str is allowed).

    Returns:
        ``name → module``, in the order given.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if isinstance(names, str):
        names = [names]
    modules = dict(model.named_modules())
    names = list(names)
    unknown = [n for n in names if n not in modules or not n]
    if unknown:
        raise ValueError(f"unknown layer name(s) {unknown}; valid names: "
                         f"{', '.join(module_names(model))}")
    if not names:
        raise ValueError("names must name at least one layer")
    return {name: modules[name] for name in names}


@contextmanager
def capture(model: nn.Module, layers: Iterable[str] | str) -> Iterator[dict[str, Tensor]]:
    """Record the outputs of ``layers`` (module paths) during the forward passes in the block.

    Yields a dict filled as the model runs: ``name → detached output`` (of the last pass).

    Args:
        model: the network to watch; it is not changed.
        layers: module paths, or one path as a str.
    """
    modules = resolve(model, layers)
    store: dict[str, Tensor] = {}
    handles = []

    def saver(name: str):
        def hook(module: nn.Module, inputs, output) -> None:
            if not isinstance(output, Tensor):
                raise TypeError(f"layer {name!r} returns {type(output).__name__}, not a tensor")
            store[name] = output.detach().clone()  # clone: a later in-place op must not change it
        return hook

    try:
        for name, module in modules.items():
            handles.append(module.register_forward_hook(saver(name)))
        yield store
    finally:
        for handle in handles:
            handle.remove()


def feature_maps(model: nn.Module, images: Tensor, layers: Iterable[str] | str
                 ) -> dict[str, Tensor]:
    """One forward pass of ``images`` without gradients; the outputs of ``layers``.

    Args:
        model: the network to run (its train/eval mode is used as it is).
        images: the input batch.
        layers: module paths, or one path as a str.

    Returns:
        ``name → detached output``.
    """
    with torch.no_grad(), capture(model, layers) as store:
        model(images)
    return dict(store)


def hook_count(model: nn.Module) -> int:
    """How many forward, pre-forward and backward hooks are attached to ``model``'s modules.

    Args:
        model: the network to inspect (0 after every ``with`` block of this module).
    """
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               for m in model.modules())
