"""Look inside a network without changing it: forward hooks that are always removed, and Grad-CAM.

>>> with capture(model, ["layer1", "layer4"]) as features:
...     model(images)
>>> features["layer4"].shape          # the tensors are detached copies of the outputs

:func:`hooked` is the primitive under all of them (and under the per-layer tables, MAC counters
and exercise checkers): a function called after the forward pass of each of a set of modules,
inside a ``with`` block. Grad-CAM, built on it, lives in :mod:`dldna.explain.gradcam`.

Every hook is registered inside a ``with`` block and removed when it ends, also when the block
raises, so no hook survives to slow down or silently change later forward passes.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Mapping

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


def check_ran(model: nn.Module, names: Iterable[str], recorded: Mapping[str, Any]) -> None:
    """After a forward pass: a ValueError naming every layer in ``names`` that produced no
    output, because ``forward`` never calls it (a container whose children are called one by
    one, an unused branch, a layer used only in training).

    Args:
        model: the network that ran.
        names: the layers that were hooked.
        recorded: what the hooks recorded, by layer name.
    """
    missing = [n for n in ([names] if isinstance(names, str) else names) if n not in recorded]
    if missing:
        ran = [n for n in recorded]
        children = [f"{n}.{c}" for n in missing[:1] for c, _ in
                    dict(model.named_modules())[n].named_children()][:3]
        hint = (f"; hook one of its children instead, e.g. {', '.join(children)}" if children
                else "; pick a layer that forward() calls")
        raise ValueError(f"layer(s) {missing} produced no output: {type(model).__name__}."
                         f"forward never calls them{hint}"
                         + (f" (layers that ran: {', '.join(ran)})" if ran else ""))


def leaf_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The modules of ``model`` with no children (the layers that compute), by path, in order.

    Args:
        model: the network to list.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    return {name: m for name, m in model.named_modules() if name and not list(m.children())}


@contextmanager
def hooked(modules: Mapping[str, nn.Module],
           fn: Callable[[str, nn.Module, tuple, Any], None]) -> Iterator[None]:
    """Call ``fn(name, module, inputs, output)`` after every forward pass of each module in
    ``modules`` while the block runs; every hook is removed when it ends, also on an error.

    >>> shapes = {}
    >>> with hooked(leaf_modules(model), lambda name, m, i, out: shapes.update({name: out.shape})):
    ...     model(images)

    Args:
        modules: ``name → module`` (e.g. from :func:`resolve` or :func:`leaf_modules`).
        fn: called with the module's name, the module, its inputs (a tuple) and its output.
    """
    if not isinstance(modules, Mapping) or not all(isinstance(m, nn.Module)
                                                   for m in modules.values()):
        raise TypeError("modules must be a mapping of names to nn.Module")
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    handles = []
    try:
        for name, module in modules.items():
            handles.append(module.register_forward_hook(
                lambda m, inputs, output, name=name: fn(name, m, inputs, output)))
        yield
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def capture(model: nn.Module, layers: Iterable[str] | str) -> Iterator[dict[str, Tensor]]:
    """Record the outputs of ``layers`` (module paths) during the forward passes in the block.

    Yields a dict filled as the model runs: ``name → detached output`` (of the last pass).

    Args:
        model: the network to watch; it is not changed.
        layers: module paths, or one path as a str.
    """
    store: dict[str, Tensor] = {}

    def save(name: str, module: nn.Module, inputs, output) -> None:
        if not isinstance(output, Tensor):
            raise TypeError(f"layer {name!r} returns {type(output).__name__}, not a tensor")
        store[name] = output.detach().clone()  # clone: a later in-place op must not change it

    modules = resolve(model, layers)
    with hooked(modules, save):
        yield store
    check_ran(model, modules, store)  # only after a block that ran without an error


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
