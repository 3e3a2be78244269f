"""Nearest neighbours in a feature space: what "these features transfer" means, measured."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _flat(x: torch.Tensor, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty N×… tensor")
    return F.normalize(x.flatten(1).float(), dim=1)


def nearest(queries: torch.Tensor, bank: torch.Tensor, k: int = 5) -> torch.Tensor:
    """Indices (Q×k) of the ``k`` rows of ``bank`` closest to each query by cosine similarity.

    Args:
        queries: Q×… features (or pixels) of the query items.
        bank: N×… features of the items searched, same trailing size as ``queries``.
        k: neighbours per query, 1 to N.
    """
    q, b = _flat(queries, "queries"), _flat(bank, "bank")
    if q.shape[1] != b.shape[1]:
        raise ValueError(f"queries and bank must have the same feature size, got {q.shape[1]} "
                         f"and {b.shape[1]}")
    if not isinstance(k, int) or not 1 <= k <= b.shape[0]:
        raise ValueError(f"k must be an integer in [1, {b.shape[0]}], got {k!r}")
    return (q @ b.T).topk(k, dim=1).indices


def knn_accuracy(train: torch.Tensor, train_labels: torch.Tensor, test: torch.Tensor,
                 test_labels: torch.Tensor, k: int = 1) -> float:
    """Accuracy of a ``k``-nearest-neighbour vote (cosine similarity), no training at all.

    Args:
        train: N×… features of the labelled items.
        train_labels: their labels.
        test: M×… features to classify.
        test_labels: the true labels of ``test``.
        k: neighbours that vote (ties go to the smallest label).
    """
    if train_labels.shape[0] != train.shape[0] or test_labels.shape[0] != test.shape[0]:
        raise ValueError("every feature row needs exactly one label")
    votes = train_labels[nearest(test, train, k)]
    predicted = torch.mode(votes, dim=1).values if k > 1 else votes[:, 0]
    return (predicted == test_labels).float().mean().item()
