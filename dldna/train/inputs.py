"""Input checks for the trainer: every problem is reported before the first training step."""
from __future__ import annotations

import torch
from torch import nn

from ..config import check_label_range


def as_tensors(data, what: str = "data") -> tuple[torch.Tensor, torch.Tensor, str, int | None]:
    """``(images, labels, dataset name, number of classes or None)`` from a dataset or a pair.

    Args:
        data: an ImageDataset or an ``(images, labels)`` pair of tensors.
        what: the argument's name, used in error messages.
    """
    if hasattr(data, "tensors") and hasattr(data, "labels"):
        images, labels = data.tensors()
        name, classes = getattr(data, "name", "data"), getattr(data, "num_classes", None)
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        (images, labels), name, classes = data, "tensors", None
    else:
        raise TypeError(f"{what} must be an ImageDataset or an (images, labels) pair, "
                        f"got {type(data).__name__}")
    if not isinstance(images, torch.Tensor) or not isinstance(labels, torch.Tensor):
        raise TypeError(f"{what}: images and labels must be torch tensors")
    if images.shape[0] == 0:
        raise ValueError(f"{what} ({name}) is empty: there is nothing to train or evaluate on")
    if images.ndim != 4:
        raise ValueError(f"{what}: images must be N×C×H×W, got shape {tuple(images.shape)}")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise ValueError(f"{what}: labels must have shape ({images.shape[0]},), "
                         f"got {tuple(labels.shape)}")
    if labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise TypeError(f"{what}: labels must be integer class indices, got {labels.dtype}")
    if images.dtype == torch.uint8:
        images = images.float() / 255.0
    return images, labels.long(), name, classes


def output_size(model: nn.Module, images: torch.Tensor, preprocess, device) -> int:
    """Run one example through the model (eval mode, no grad) and return its number of scores.

    Args:
        model: the classifier; its training mode is restored afterwards.
        images: a batch of images; only the first is used.
        preprocess: applied to the image before the model (``None``: nothing).
        device: where to run the model.
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            x = images[:1].to(device)
            out = model(preprocess(x) if preprocess else x)
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[0] != 1:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"the model must return one row of class scores per image (N×K), "
                         f"got {shape} for one image")
    return out.shape[1]


def check_labels(labels: torch.Tensor, n_out: int, n_classes: int | None, name: str, what: str):
    if n_classes is not None and n_out != n_classes:
        raise ValueError(f"the model outputs {n_out} scores per image but {what} ({name}) has "
                         f"{n_classes} classes; build the model with num_classes={n_classes}")
    try:
        check_label_range(labels, n_out, f"{what} ({name}) labels")
    except ValueError as err:
        raise ValueError(f"{err}; the model has {n_out} outputs") from None
