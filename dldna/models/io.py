"""Save and load any registered model: weights plus the recipe to rebuild it.

A model file records the registry name and the keyword arguments of
:func:`dldna.models.registry.create`, the weights, and optional plain metadata (class names,
dataset, metrics, a few example images). Loading rebuilds the model with ``create(name, **kwargs)``
and restores the weights all-or-nothing; no pickled code is ever run (``weights_only=True``), so a
file from the internet can at worst fail to load.

>>> model = create("small_cnn", num_classes=3)        # doctest: +SKIP
>>> save_model(model, "net.pt", info={"classes": ["a", "b", "c"]})  # doctest: +SKIP
>>> model, info = load_model("net.pt")                # doctest: +SKIP

Every error about a file — missing, truncated, foreign, naming an unknown model, holding
weights of another shape — is a :class:`dldna.checkpoint.CheckpointError` that says what is
wrong.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch
from torch import nn

from ..checkpoint import (CheckpointError, check_state_dict, load_checkpoint, plain,
                          restore_model, save_checkpoint)
from .registry import create, get_entry, list_models, model_spec

MODEL_FORMAT = "dldna-model-v2"
#: The format of ``dldna.train_resnet`` files before the registry (a ``builder`` such as
#: ``"ResNet18"`` and its ``arch`` keywords); still read, so readers' caches stay valid.
LEGACY_FORMAT = "dldna-model-v1"
_LEGACY_BUILDERS = {"ResNet18": "resnet18", "ResNet34": "resnet34", "ResNet50": "resnet50"}


def save_model(model: nn.Module, path: str | Path, *, name: str | None = None,
               kwargs: Mapping[str, Any] | None = None,
               info: Mapping[str, Any] | None = None) -> Path:
    """Write ``model``'s weights and how to rebuild it to ``path`` (atomically); return the path.

    A model made by :func:`~dldna.models.registry.create` remembers its ``name`` and ``kwargs``; for
    one built otherwise (``ResNet18(...)``) pass them. The file is checked before it is written:
    ``create(name, **kwargs)`` must build a model with exactly ``model``'s weight names and shapes.
    ``info`` holds any plain metadata (class names, dataset, metrics, tensors); NumPy numbers
    come back as Python numbers and NumPy arrays as tensors.

    Args:
        model: the model whose weights are saved.
        path: the file to write.
        name: the registry name; ``None`` for the one the model remembers.
        kwargs: the factory's keywords; ``None`` for those the model remembers (if ``name``
            is its own).
        info: plain metadata stored with the weights.
    """
    name, kwargs = rebuild_spec(model, name, kwargs)
    info = plain(dict(info or {}), "info", str_keys=True)
    state = {"model": name, "kwargs": kwargs, "info": info,
             "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
    return save_checkpoint(path, state, kind=MODEL_FORMAT)


def rebuild_spec(model: nn.Module, name: str | None = None,
                 kwargs: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """The ``(name, kwargs)`` that rebuild ``model``, checked: ``create(name, **kwargs)`` (on
    the meta device) has exactly ``model``'s weight names and shapes, else a ValueError.

    Args:
        model: the model to rebuild.
        name: the registry name; ``None`` for the one the model remembers.
        kwargs: the factory's keywords; ``None`` for those the model remembers (if ``name``
            is its own).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    spec = model_spec(model)
    if name is None and spec is None:
        raise ValueError("name is required for a model not made by dldna.models.create "
                         f"(known models: {', '.join(list_models())})")
    name = name if name is not None else spec[0]
    kwargs = dict(kwargs if kwargs is not None else (spec[1] if spec and spec[0] == name else {}))
    get_entry(name)  # an unknown name raises the ValueError listing the known ones
    kwargs = plain(kwargs, "kwargs", str_keys=True)
    rebuilt = _rebuild(name, kwargs)
    try:
        check_state_dict(rebuilt, model.state_dict(), what=f"{type(model).__name__}'s weights")
    except CheckpointError as err:
        raise ValueError(f"create({name!r}, **{kwargs}) does not rebuild this model: "
                         f"{err}") from None
    return name, kwargs


def _rebuild(name: str, kwargs: dict[str, Any]) -> nn.Module:
    """``create(name, **kwargs)`` on the meta device (no memory), or on the CPU if the factory
    needs real numbers; bad arguments raise a ValueError."""
    try:
        try:
            with torch.device("meta"):
                return create(name, **kwargs)
        except (NotImplementedError, RuntimeError):  # e.g. .item() on a meta tensor
            return create(name, **kwargs)
    except TypeError as err:
        raise ValueError(f"kwargs are not arguments of {name!r}: {err}") from None


def load_model(path: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild the model saved at ``path``; returns ``(model in eval mode, info)``.

    ``info`` is the metadata given to :func:`save_model` plus ``"model"`` (the registry name)
    and ``"kwargs"``.

    Args:
        path: a file written by :func:`save_model`.
    """
    state = load_checkpoint(path, kind=(MODEL_FORMAT, LEGACY_FORMAT))
    if state["format"] == LEGACY_FORMAT:
        state = _from_legacy(state, path)
    name, kwargs = state.get("model"), state.get("kwargs")
    if not isinstance(name, str) or name not in list_models():
        raise CheckpointError(f"{path} names a model {name!r} that is not registered "
                              f"(known models: {', '.join(list_models())})")
    if not isinstance(kwargs, dict):
        raise CheckpointError(f"{path} holds no model arguments")
    try:
        model = create(name, **kwargs)
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"{path} has arguments that {name!r} does not accept: "
                              f"{err}") from err
    restore_model(model, state.get("state_dict"), f"model file {path}")
    info = dict(state.get("info") or {})
    info.update(model=name, kwargs=dict(kwargs))
    return model.eval(), info


def _from_legacy(state: Mapping[str, Any], path: str | Path) -> dict[str, Any]:
    builder = state.get("builder")
    if builder not in _LEGACY_BUILDERS:
        raise CheckpointError(f"{path} names an unknown builder {builder!r}")
    info = {k: v for k, v in state.items()
            if k not in ("format", "builder", "arch", "state_dict")}
    return {"model": _LEGACY_BUILDERS[builder], "kwargs": state.get("arch"), "info": info,
            "state_dict": state.get("state_dict")}
