"""One registry for every model in the book: ``create(name, ...)`` and ``list_models()``.

Each family module (``lenet.py``, ``resnet.py``, ``vgg.py`` …) decorates its factory functions
with :func:`register`. Where torchvision builds the same architecture, the registry name is
torchvision's (``resnet18``, ``vgg16``, ``efficientnet_b0`` …) and ``torchvision=True`` records
it, so tests can compare parameter counts, weights and FLOPs with the twin, and readers can switch
between ``dldna.models.create("resnet18")`` and ``torchvision.models.resnet18()``.

Every factory takes ``num_classes`` and ``in_channels`` as keyword arguments; :func:`register`
checks both (positive ints) before the factory runs, so ``num_classes=0`` or ``in_channels=2.5``
is a ValueError naming the argument, not a crash in weight initialisation.
"""
from __future__ import annotations

import fnmatch
import functools
import inspect
from dataclasses import dataclass
from typing import Callable

from torch import nn

from ..config import check_positive_int

#: Size arguments every factory checks before building anything (see :func:`register`).
SIZE_ARGUMENTS = ("num_classes", "in_channels")


@dataclass(frozen=True)
class ModelEntry:
    """A registered factory and what is known about it.

    Args:
        name: the registry name.
        factory: the function that builds the model.
        family: the module that defines it (``resnet``, ``vgg``, …).
        torchvision: whether torchvision builds the same model under this name.
    """

    name: str
    factory: Callable[..., nn.Module]
    family: str
    torchvision: bool  # torchvision.models has a builder of the same name and architecture

    @property
    def summary(self) -> str:
        doc = (self.factory.__doc__ or "").strip().splitlines()
        return doc[0] if doc else ""


_REGISTRY: dict[str, ModelEntry] = {}


def register(name: str | None = None, *,
             torchvision: bool = False) -> Callable[[Callable], Callable]:
    """Decorator: add a factory to the registry under ``name`` (default: the function's name).

    Args:
        name: the registry name; ``None`` for the function's name.
        torchvision: whether torchvision builds the same model under this name (a twin).
    """

    def decorate(factory: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        key = name or factory.__name__
        known = _REGISTRY.get(key)
        if known is not None and getattr(known.factory, "__wrapped__", None) is not factory:
            raise ValueError(f"a model named {key!r} is already registered "
                             f"(by {known.family})")
        checked = known.factory if known is not None else _checked_sizes(factory, key)
        family = factory.__module__.rsplit(".", 1)[-1]
        _REGISTRY[key] = ModelEntry(key, checked, family, torchvision)
        return checked

    return decorate


def _checked_sizes(factory: Callable[..., nn.Module], key: str) -> Callable[..., nn.Module]:
    """``factory`` that first checks its :data:`SIZE_ARGUMENTS` are positive ints."""
    signature = inspect.signature(factory)

    @functools.wraps(factory)
    def build(*args, **kwargs) -> nn.Module:
        try:
            bound = signature.bind(*args, **kwargs).arguments
        except TypeError as err:
            raise TypeError(f"{key}(): {err}") from None
        for arg in SIZE_ARGUMENTS:
            if arg in bound:
                check_positive_int(bound[arg], f"{arg} of {key!r}")
        return factory(*args, **kwargs)

    return build


def public_factory(factory: Callable[..., nn.Module], name: str, summary: str, args_doc: str, *,
                   torchvision: bool = False, register_it: bool = True) -> Callable[..., nn.Module]:
    """Name, document and (once) register a factory made by a family's private builder, so each
    public factory is one line: ``resnet18 = _variant(18, "11,689,512")``.

    Args:
        factory: the function (usually a closure over the builder's arguments).
        name: its public name (and registry name).
        summary: the first docstring line.
        args_doc: the ``Args:`` section, shared by the family.
        torchvision: whether torchvision builds the same model under ``name``.
        register_it: ``False`` names and documents it without registering (an alias).
    """
    if not callable(factory) or not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"factory must be callable and name an identifier, got {name!r}")
    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = f"{summary}\n\n{args_doc.strip(chr(10))}\n"
    return register(name, torchvision=torchvision)(factory) if register_it else factory


def list_models(pattern: str = "*", *, torchvision_twins: bool | None = None) -> list[str]:
    """Registered names matching a shell-style ``pattern`` (e.g. ``"resnet*"``), sorted.

    ``torchvision_twins=True`` keeps only models torchvision also builds; ``False`` only ours.

    Args:
        pattern: a shell-style pattern for the names.
        torchvision_twins: filter by torchvision twin (``None``: keep all).
    """
    names = [n for n in _REGISTRY if fnmatch.fnmatch(n, pattern)]
    if torchvision_twins is not None:
        names = [n for n in names if _REGISTRY[n].torchvision == torchvision_twins]
    return sorted(names)


def get_entry(name: str) -> ModelEntry:
    """The registry entry for ``name``; an unknown name raises a ValueError listing the known.

    Args:
        name: a registered model name.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known models: "
                         f"{', '.join(list_models())}") from None


def create(name: str, **kwargs) -> nn.Module:
    """Build the registered model ``name``; keyword arguments go to its factory.

    The model remembers ``name`` and ``kwargs`` (:func:`model_spec`), so
    :func:`dldna.models.io.save_model` can record how to rebuild it.

    >>> create("resnet18", num_classes=10, in_channels=1, small_input=True)  # doctest: +SKIP

    Args:
        name: a registered model name (see :func:`list_models`).
        kwargs: keywords for the factory, e.g. ``num_classes`` and ``in_channels``.
    """
    model = get_entry(name).factory(**kwargs)
    model._dldna_spec = (name, dict(kwargs))
    return model


def model_spec(model: nn.Module) -> tuple[str, dict] | None:
    """``(name, kwargs)`` of a model made by :func:`create`, else None.

    Args:
        model: any model.
    """
    spec = getattr(model, "_dldna_spec", None)
    return (spec[0], dict(spec[1])) if spec is not None else None
