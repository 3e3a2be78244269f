"""Helpers shared by the model tests: builds on the meta device and the smallest usable input."""
from __future__ import annotations

import warnings
from typing import Callable

import torch
from torch import nn

SIDES = (32, 28, 8, 64, 96, 128, 224, 299)  # input sides tried, smallest useful first


def quiet(build: Callable[[], nn.Module]) -> nn.Module:
    """``build()`` in eval mode, without torchvision's warnings about future defaults."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        return build().eval()


def on_meta(build: Callable[[], nn.Module]) -> nn.Module:
    """``build()`` on the meta device: shapes only, no memory, no initialisation cost."""
    with torch.device("meta"):
        return quiet(build)


def smallest_side(model: nn.Module, channels: int, first: int | None = None) -> int:
    """The first side in ``SIDES`` (after ``first``) that a meta-device forward accepts."""
    errors = []
    for side in ([first] if first else []) + list(SIDES):
        try:
            with torch.no_grad():
                model(torch.empty(2, channels, side, side, device="meta"))
            return side
        except Exception as err:  # noqa: BLE001 - a wrong size raises many kinds of errors
            errors.append(f"{side}: {type(err).__name__}: {str(err)[:80]}")
    raise AssertionError(f"{type(model).__name__} accepts none of the sizes {SIDES}:\n"
                         + "\n".join(errors))


def count(model: nn.Module) -> int:
    """Parameters of ``model``, summed here (not with the library's counter it checks)."""
    return sum(p.numel() for p in model.parameters())


def twin_on_meta(name: str, **kwargs) -> tuple[nn.Module, nn.Module]:
    """Ours (``dldna.models.create``) and torchvision's model of the same registry name, both on
    the meta device."""
    import torchvision

    from dldna.models import create

    return on_meta(lambda: create(name, **kwargs)), \
        on_meta(lambda: torchvision.models.get_model(name, **kwargs))


def assert_twin(ours: nn.Module, theirs: nn.Module, params: int | None = None) -> None:
    """The same parameter count (and ``params``, the documented figure, if given), the same
    state-dict keys in the same order with the same shapes, and a strict load of theirs."""
    assert count(ours) == count(theirs), (count(ours), count(theirs))
    if params is not None:
        assert count(ours) == params, (count(ours), params)
    mine, tv = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(tv)
    assert all(mine[k].shape == tv[k].shape for k in mine)
    ours.load_state_dict(tv, strict=True, assign=True)
