"""Running a trained network over data: :func:`predict` (class scores) and :func:`evaluate`
(loss and accuracy), in batches, in evaluation mode, without gradients."""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .inputs import as_tensors, check_labels


@torch.no_grad()
def predict(model: nn.Module, data, *, batch_size: int = 512, preprocess=None,
            device: torch.device | str | None = None, probabilities: bool = False) -> torch.Tensor:
    """Class scores (or softmax probabilities) for a dataset, a pair or an N×C×H×W tensor.

    Args:
        model: the classifier; put in eval mode while it runs, its mode restored after.
        data: an ImageDataset, an ``(images, labels)`` pair or an image tensor (uint8 → [0, 1]).
        batch_size: images per forward pass.
        preprocess: applied to each batch before the model (``None``: nothing).
        device: where to compute; ``None`` for the device of the model's parameters.
        probabilities: return softmax probabilities instead of raw scores.

    Returns:
        An N×classes tensor on the CPU.
    """
    images = data if isinstance(data, torch.Tensor) else as_tensors(data)[0]
    if images.dtype == torch.uint8:
        images = images.float() / 255.0
    device = torch.device(device) if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    outs = []
    try:
        for start in range(0, images.shape[0], batch_size):
            x = images[start:start + batch_size].to(device)
            outs.append(model(preprocess(x) if preprocess else x).float().cpu())
    finally:
        model.train(was_training)
    scores = torch.cat(outs)
    return scores.softmax(dim=1) if probabilities else scores


def evaluate(model: nn.Module, data, *, batch_size: int = 512, preprocess=None,
             device: torch.device | str | None = None) -> dict[str, Any]:
    """Mean cross-entropy and accuracy on ``data``; ``dataset`` names what was measured.

    Args:
        model: the classifier; put in eval mode while it runs, its mode restored after.
        data: an ImageDataset or an ``(images, labels)`` pair.
        batch_size: images per forward pass.
        preprocess: applied to each batch before the model (``None``: nothing).
        device: where to compute; ``None`` for the device of the model's parameters.

    Returns:
        A dict with ``loss``, ``accuracy`` (a fraction), ``n`` (images) and ``dataset``.
    """
    images, labels, name, classes = as_tensors(data)
    scores = predict(model, images, batch_size=batch_size, preprocess=preprocess, device=device)
    check_labels(labels, scores.shape[1], classes, name, "data")
    return {"loss": F.cross_entropy(scores, labels).item(),
            "accuracy": (scores.argmax(1) == labels).float().mean().item(),
            "n": int(labels.shape[0]), "dataset": name}
