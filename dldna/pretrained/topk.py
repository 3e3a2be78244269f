"""The one top-k of class names for the pretrained classifiers: it checks that the model's
scores and the name list describe the same classes, so a 10-class model never gets ImageNet
names."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor


def named_top_k(scores: Tensor, names: Sequence[str], k: int = 5,
                names_of: str = "ImageNet") -> list[tuple[str, float]]:
    """The ``k`` most probable ``(name, softmax probability)`` pairs of one image's scores.

    Args:
        scores: the model's output for one image, 1×C (or C).
        names: the C class names, in the model's output order.
        k: how many classes, 1 to C.
        names_of: what the names are, for the message.
    """
    if not isinstance(scores, Tensor) or scores.ndim not in (1, 2) or (
            scores.ndim == 2 and scores.shape[0] != 1):
        raise ValueError(f"scores must be one image's class scores, 1×C, got "
                         f"{tuple(scores.shape) if isinstance(scores, Tensor) else scores!r}")
    scores = scores.reshape(-1)
    if scores.numel() != len(names):
        raise ValueError(f"the model outputs {scores.numel()} class scores but there are "
                         f"{len(names)} {names_of} class names: these names fit only a "
                         f"{len(names)}-class {names_of} model; for your own model use its own "
                         "class names")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(names):
        raise ValueError(f"k must be an integer in [1, {len(names)}], got {k!r}")
    values, indices = torch.softmax(scores, 0).topk(k)
    return [(names[int(i)], float(v)) for v, i in zip(values, indices)]
