"""Input checks shared by the evaluation functions: each names the argument it rejects."""
from __future__ import annotations

import numpy as np
import torch

from ..config import check_label_range
from ..config import check_positive_int as _positive_int

#: How far a row of probabilities may sum from 1 (float32 softmax rounds to about 1e-6).
SUM_TOLERANCE = 1e-3


def as_float_tensor(values, name: str, *, ndim: int) -> torch.Tensor:
    """``values`` (a tensor, array or nested list) as a finite float tensor with ``ndim`` axes.

    Args:
        values: the numbers to check.
        name: the argument's name, used in error messages.
        ndim: the number of axes expected.
    """
    if isinstance(values, torch.Tensor):
        tensor = values.detach().cpu()
    else:
        try:
            tensor = torch.as_tensor(np.asarray(values))
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be numbers (a tensor or an array), got "
                            f"{type(values).__name__}") from err
    if tensor.dtype.is_complex:
        raise TypeError(f"{name} must be real numbers, got {tensor.dtype}")
    if tensor.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {tuple(tensor.shape)}")
    tensor = tensor.double() if tensor.dtype == torch.float64 else tensor.float()
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return tensor


def check_probabilities(probs, name: str = "probs") -> torch.Tensor:
    """An N×C tensor of probabilities: non-negative rows that sum to 1, N ≥ 1.

    Args:
        probs: the probabilities (e.g. softmax outputs).
        name: the argument's name, used in error messages.
    """
    probs = as_float_tensor(probs, name, ndim=2)
    if probs.shape[0] == 0 or probs.shape[1] < 2:
        raise ValueError(f"{name} must be N×C with N ≥ 1 and C ≥ 2 classes, "
                         f"got shape {tuple(probs.shape)}")
    if (probs < 0).any() or (probs > 1 + SUM_TOLERANCE).any():
        raise ValueError(f"{name} must hold probabilities in [0, 1]; got values in "
                         f"[{probs.min():.3g}, {probs.max():.3g}] (pass softmax outputs, "
                         "not logits)")
    sums = probs.sum(dim=1)
    worst = (sums - 1).abs().max().item()
    if worst > SUM_TOLERANCE:
        row = int((sums - 1).abs().argmax())
        raise ValueError(f"every row of {name} must sum to 1; row {row} sums to "
                         f"{sums[row].item():.4g} (pass softmax outputs, not logits)")
    return probs


def check_labels(labels, num_classes: int, n: int, name: str = "labels") -> torch.Tensor:
    """A length-``n`` tensor of integer class indices in ``[0, num_classes)``.

    Args:
        labels: the true classes.
        num_classes: how many classes the predictions have.
        n: how many examples the predictions have.
        name: the argument's name, used in error messages.
    """
    labels = labels.detach().cpu() if isinstance(labels, torch.Tensor) else torch.as_tensor(
        np.asarray(labels))
    if labels.is_floating_point() and torch.equal(labels, labels.round()):
        labels = labels.long()  # whole-number floats, e.g. read back from a CSV file
    if labels.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the predictions, "
                         f"got {tuple(labels.shape)}")
    return check_label_range(labels, num_classes, name)


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``: :func:`dldna.config.check_positive_int` (the library's
    one positive-integer check) plus a lower bound.

    Args:
        value: the number to check.
        name: the argument's name, used in error messages.
        minimum: the smallest value allowed.
    """
    value = _positive_int(value, name)
    if value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return value
