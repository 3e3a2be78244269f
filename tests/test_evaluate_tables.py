"""Rows of the evaluation tables: accuracy with interval, paired comparison, temperature scaling."""
from __future__ import annotations

import torch
from torch import nn

from dldna.evaluate import predict_logits
from dldna.evaluate.tables import accuracy_row, calibration_row, compare_row, ensemble_logits


def _logits(n: int, seed: int, sharpness: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 5, (n,), generator=g)
    logits = torch.randn(n, 5, generator=g)
    logits[torch.arange(n), labels] += 1.0
    return sharpness * logits, labels


def test_accuracy_and_compare_rows_carry_intervals_and_verdicts():
    logits, labels = _logits(400, 0)
    probs = logits.softmax(1)
    row = accuracy_row("m", probs, labels, n_boot=100)
    assert row["accuracy [95 % CI]"].endswith("]") and 0 <= row["ECE"] <= 1
    same = compare_row("m", probs, probs, labels, n_boot=100, cost=1.0)
    assert same["gain"] == 0 and same["verdict"] == "tie" and same["McNemar p"] == 1.0
    assert same["cost"] == 1.0
    perfect = torch.nn.functional.one_hot(labels, 5).float()
    better = compare_row("oracle", perfect, probs, labels, n_boot=100)
    assert better["verdict"] == "gain" and better["interval"].low > 0
    assert compare_row("m", probs, perfect, labels, n_boot=100)["verdict"] == "loss"


def test_calibration_row_fits_on_validation_and_keeps_predictions():
    val_logits, val_labels = _logits(1000, 1, sharpness=4.0)
    test_logits, test_labels = _logits(1000, 2, sharpness=4.0)
    row = calibration_row("x", val_logits, val_labels, test_logits, test_labels, n_boot=20)
    assert row["predictions changed"] == 0 and row["T"] > 1  # over-confident logits
    assert row["ECE after"] < row["ECE before"] and row["NLL after"] < row["NLL before"]
    assert row["ECE before [CI]"].endswith("]") and row["drop"].unit == "points"
    plain = calibration_row("x", val_logits, val_labels, test_logits, test_labels, n_boot=None)
    assert "ECE before [CI]" not in plain and plain["T"] == row["T"]


def test_ensemble_logits_give_back_the_averaged_probabilities():
    a, _ = _logits(50, 3)
    b, _ = _logits(50, 4)
    want = (a.softmax(1) + b.softmax(1)) / 2
    assert torch.allclose(ensemble_logits([a, b]).softmax(1), want, atol=1e-6)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 5))
    single = predict_logits(model, torch.rand(6, 1, 2, 2))
    assert torch.allclose(ensemble_logits([single]).softmax(1), single.softmax(1), atol=1e-6)
