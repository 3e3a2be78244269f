"""Rows of the evaluation tables: an accuracy with its interval, a paired comparison with its
verdict, and temperature scaling of one model with its ECE before and after.

Each function returns a plain dict (one table row); collect them in a pandas DataFrame.
"""
from __future__ import annotations

from typing import Sequence

import torch

from .calibration import (apply_temperature, ece_difference, ece_interval,
                          expected_calibration_error, fit_temperature, negative_log_likelihood)
from .intervals import bootstrap_ci, mcnemar_p, paired_difference, verdict
from .metrics import correct


def accuracy_row(name: str, probs: torch.Tensor, labels: torch.Tensor, *, n_boot: int = 2000,
                 **extra) -> dict:
    """One table row: the accuracy with its bootstrap interval, ECE and NLL of ``probs``.

    Args:
        name: the row's label.
        probs: N×C probabilities on the test images.
        labels: the test labels.
        n_boot: bootstrap resamples.
        extra: more columns.
    """
    interval = bootstrap_ci(correct(probs, labels), n_boot=n_boot)
    return {"model": name, "accuracy [95 % CI]": str(interval), "accuracy": interval.estimate,
            "ECE": expected_calibration_error(probs, labels),
            "NLL": negative_log_likelihood(probs, labels), **extra}


def compare_row(name: str, probs: torch.Tensor, reference: torch.Tensor, labels: torch.Tensor,
                *, n_boot: int = 2000, **extra) -> dict:
    """A row comparing ``probs`` with ``reference`` on the same images: both accuracies, the
    paired difference with its interval and verdict (``tie`` when it includes 0,
    ``gain`` or ``loss`` otherwise) and McNemar's p.

    Args:
        name: the row's label.
        probs: the new predictions.
        reference: the predictions compared against.
        labels: the test labels.
        n_boot: bootstrap resamples.
        extra: more columns.
    """
    mine, theirs = correct(probs, labels), correct(reference, labels)
    diff = paired_difference(mine, theirs, n_boot=n_boot)
    row = accuracy_row(name, probs, labels, n_boot=n_boot)
    word = {"tie": "tie", "A better": "gain", "B better": "loss"}[verdict(diff)]
    row.update({"gain [95 % CI]": str(diff), "gain": diff.estimate, "verdict": word,
                "McNemar p": mcnemar_p(mine, theirs), **extra})
    row["interval"] = diff
    return row


def calibration_row(name: str, val_logits: torch.Tensor, val_labels: torch.Tensor,
                    test_logits: torch.Tensor, test_labels: torch.Tensor, *,
                    n_boot: int | None = 200) -> dict:
    """Temperature scaling of one model: T fitted on the validation logits, then the test ECE
    and NLL before and after, and how many predictions changed (none should).

    Args:
        name: the row's label.
        val_logits: held-out logits to fit T on (for an ensemble, the log of its averaged
            probabilities).
        val_labels: their labels.
        test_logits: the test logits.
        test_labels: their labels.
        n_boot: bootstrap resamples of the ECE intervals and of the paired drop
            (``None``: point values only).
    """
    t = fit_temperature(val_logits, val_labels)
    before, after = test_logits.softmax(1), apply_temperature(test_logits, t)
    row = {"model": name, "accuracy": float((before.argmax(1) == test_labels).float().mean()),
           "T": t, "ECE before": expected_calibration_error(before, test_labels),
           "ECE after": expected_calibration_error(after, test_labels),
           "NLL before": negative_log_likelihood(before, test_labels),
           "NLL after": negative_log_likelihood(after, test_labels),
           "predictions changed": int((before.argmax(1) != after.argmax(1)).sum())}
    if n_boot:
        row["ECE before [CI]"] = str(ece_interval(before, test_labels, n_boot=n_boot))
        row["ECE after [CI]"] = str(ece_interval(after, test_labels, n_boot=n_boot))
        row["drop"] = ece_difference(before, after, test_labels, n_boot=n_boot)
    return row


def ensemble_logits(logits: Sequence[torch.Tensor]) -> torch.Tensor:
    """log of the members' averaged softmax probabilities: the ensemble's "logits" (softmax
    gives back the averaged probabilities, so temperature scaling applies unchanged).

    Args:
        logits: the members' N×C logits.
    """
    if not logits:
        raise ValueError("logits must hold at least one member's logits")
    return torch.stack([x.softmax(1) for x in logits]).mean(0).clamp_min(1e-12).log()
