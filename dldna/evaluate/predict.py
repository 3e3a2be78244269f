"""Predictions for evaluation: plain, with test-time augmentation, and from an ensemble.

* :func:`predict_logits`, :func:`predict_proba` – one model, batched, in eval mode;
* :func:`tta_predict` – the mean of the softmax probabilities over named *views* of every
  image (the identity, mirror images, shifts); k views cost k forward passes;
* :func:`ensemble_predict` – the mean of the softmax probabilities of several models.

Averaging probabilities (not logits, not votes) is what fastai's ``tta`` and the deep-ensembles
paper of Lakshminarayanan et al. (2017) do.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_positive_int

View = Callable[[torch.Tensor], torch.Tensor]


def _images(images, name: str = "images") -> torch.Tensor:
    if hasattr(images, "tensors") and hasattr(images, "labels"):  # an ImageDataset
        images = images.tensors()[0]
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"{name} must be an N×C×H×W tensor or an ImageDataset, "
                        f"got {type(images).__name__}")
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty N×C×H×W batch, "
                         f"got shape {tuple(images.shape)}")
    return images.float() / 255.0 if images.dtype == torch.uint8 else images


def _check_model(model, name: str = "model") -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    return model


def predict_logits(model: nn.Module, images, *, batch_size: int = 256,
                   device: torch.device | str | None = None) -> torch.Tensor:
    """The model's raw class scores for every image (eval mode, no gradients), on the CPU.

    Args:
        model: the classifier; its training mode is restored afterwards.
        images: an N×C×H×W tensor (uint8 is scaled to [0, 1]) or an ImageDataset.
        batch_size: images per forward pass.
        device: where to compute (``None``: where the model's parameters are).
    """
    from ..train import predict

    model, images = _check_model(model), _images(images)
    batch_size = check_positive_int(batch_size, "batch_size")
    if device is None:  # where the parameters are; the CPU for a model without any
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    scores = predict(model, images, batch_size=batch_size, device=device)
    if scores.ndim != 2:
        raise ValueError(f"the model must return N×C class scores, got {tuple(scores.shape)}")
    return scores


def predict_proba(model: nn.Module, images, *, batch_size: int = 256,
                  device: torch.device | str | None = None) -> torch.Tensor:
    """softmax of :func:`predict_logits`: N×C probabilities whose rows sum to 1.

    Args:
        model: the classifier.
        images: an N×C×H×W tensor or an ImageDataset.
        batch_size: images per forward pass.
        device: where to compute (``None``: where the model's parameters are).
    """
    return predict_logits(model, images, batch_size=batch_size, device=device).softmax(dim=1)


def _shift(dx: int, dy: int) -> View:
    """Move the content ``dx`` pixels right and ``dy`` down, filling with zeros: one corner of
    the pad-and-crop augmentation."""
    def view(x: torch.Tensor) -> torch.Tensor:
        padded = F.pad(x, (max(dx, 0), max(-dx, 0), max(dy, 0), max(-dy, 0)))
        top, left = max(-dy, 0), max(-dx, 0)
        return padded[..., top:top + x.shape[-2], left:left + x.shape[-1]]
    return view


def make_views(shift: int = 2) -> dict[str, View]:
    """The named views: ``identity``, ``hflip`` (mirror), ``vflip`` (upside down) and
    ``shift_left/right/up/down`` (content moved by ``shift`` pixels, zeros filled in).

    Args:
        shift: pixels of each shift (match the training crop's padding).
    """
    shift = check_positive_int(shift, "shift")
    return {
        "identity": lambda x: x,
        "hflip": lambda x: x.flip(-1),
        "vflip": lambda x: x.flip(-2),
        "shift_left": _shift(-shift, 0), "shift_right": _shift(shift, 0),
        "shift_up": _shift(0, -shift), "shift_down": _shift(0, shift),
    }


#: The names :func:`tta_predict` understands.
VIEW_NAMES = tuple(make_views())


def _resolve(views, shift: int) -> list[tuple[str, View]]:
    if isinstance(views, str) or not isinstance(views, Sequence) or not views:
        raise ValueError(f"views must be a non-empty sequence of view names or callables, "
                         f"got {views!r}; known names: {', '.join(VIEW_NAMES)}")
    table, resolved = make_views(shift), []
    for view in views:
        if callable(view):
            resolved.append((getattr(view, "__name__", repr(view)), view))
        elif view in table:
            resolved.append((view, table[view]))
        else:
            raise ValueError(f"views: unknown view {view!r}; known: {', '.join(VIEW_NAMES)} "
                             "(or pass a callable batch → batch)")
    return resolved


def tta_predict(model: nn.Module, images, views: Sequence = ("identity", "hflip"), *,
                shift: int = 2, batch_size: int = 256, device: torch.device | str | None = None,
                return_views: bool = False):
    """Test-time augmentation: softmax probabilities averaged over views of every image.

    Args:
        model: the classifier.
        images: an N×C×H×W tensor or an ImageDataset.
        views: names from ``VIEW_NAMES`` or callables ``batch → batch`` of the same shape.
        shift: pixels of the ``shift_*`` views.
        batch_size: images per forward pass.
        device: where to compute.
        return_views: also return a dict of each view's own probabilities.

    Returns:
        The N×C averaged probabilities (and the per-view dict when ``return_views``).
    """
    model, images = _check_model(model), _images(images)
    per_view: dict[str, torch.Tensor] = {}
    for name, view in _resolve(views, shift):
        seen = view(images[:1])
        if not isinstance(seen, torch.Tensor) or seen.shape != images[:1].shape:
            got = tuple(seen.shape) if isinstance(seen, torch.Tensor) else type(seen).__name__
            raise ValueError(f"views: view {name!r} changes the image shape from "
                             f"{tuple(images.shape[1:])} to {got}; a view must keep it")
        probs = predict_proba(model, view(images), batch_size=batch_size, device=device)
        if per_view and probs.shape != next(iter(per_view.values())).shape:
            raise ValueError(f"views: view {name!r} changes the model's output shape to "
                             f"{tuple(probs.shape)}")
        per_view[name if name not in per_view else f"{name}#{len(per_view)}"] = probs
    mean = torch.stack(list(per_view.values())).mean(dim=0)
    return (mean, per_view) if return_views else mean


def _num_classes(model: nn.Module, images: torch.Tensor, device) -> int:
    return predict_logits(model, images[:1], batch_size=1, device=device).shape[1]


def ensemble_predict(models: Sequence[nn.Module], images, *, batch_size: int = 256,
                     device: torch.device | str | None = None, return_members: bool = False):
    """The mean of the members' softmax probabilities (a deep ensemble's prediction).

    Args:
        models: the members, at least one, all with the same number of classes.
        images: an N×C×H×W tensor or an ImageDataset.
        batch_size: images per forward pass.
        device: where to compute.
        return_members: also return the list of each member's probabilities.

    Returns:
        The N×C averaged probabilities (and the members' list when ``return_members``).
    """
    if isinstance(models, nn.Module) or not isinstance(models, Sequence) or not models:
        raise ValueError("models must be a non-empty list of models")
    for i, model in enumerate(models):
        _check_model(model, f"models[{i}]")
    images = _images(images)
    classes = [_num_classes(m, images, device) for m in models]
    if len(set(classes)) > 1:
        raise ValueError(f"models must all predict the same classes; their class counts are "
                         f"{classes}")
    members = [predict_proba(m, images, batch_size=batch_size, device=device) for m in models]
    mean = torch.stack(members).mean(dim=0)
    return (mean, members) if return_members else mean
