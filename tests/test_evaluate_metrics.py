"""Accuracy, top-k, confusion matrix, per-class report and the mistakes gallery."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dldna.evaluate import (accuracy, confusion_matrix, correct, mistakes_gallery,
                            most_confident_mistakes, per_class_report, top_k_accuracy)

PROBS = torch.tensor([[0.7, 0.2, 0.1],    # right (0)
                      [0.1, 0.6, 0.3],    # wrong: true 2, said 1 at 0.6
                      [0.05, 0.05, 0.9],  # right (2)
                      [0.9, 0.05, 0.05],  # wrong: true 1, said 0 at 0.9
                      [0.3, 0.4, 0.3]])   # right (1)
LABELS = torch.tensor([0, 2, 2, 1, 1])


def test_accuracy_top_k_and_correct_on_a_hand_made_case():
    assert accuracy(PROBS, LABELS) == pytest.approx(3 / 5)
    assert torch.equal(correct(PROBS, LABELS), torch.tensor([1.0, 0, 1, 0, 1]))
    assert top_k_accuracy(PROBS, LABELS, k=2) == pytest.approx(4 / 5)  # row 3: 1 is third
    assert top_k_accuracy(PROBS, LABELS, k=1) == accuracy(PROBS, LABELS)
    with pytest.raises(ValueError, match="k must be at most the 3 classes"):
        top_k_accuracy(PROBS, LABELS, k=4)


def test_confusion_matrix_rows_are_true_classes():
    cm = confusion_matrix(PROBS, LABELS)
    assert cm.tolist() == [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    assert cm.sum() == 5 and np.trace(cm) == 3


def test_per_class_report_matches_the_confusion_matrix():
    report = per_class_report(PROBS, LABELS, classes=["a", "b", "c"])
    assert list(report["class"]) == ["a", "b", "c"]
    assert report["precision"].tolist() == pytest.approx([0.5, 0.5, 1.0])
    assert report["recall"].tolist() == pytest.approx([1.0, 0.5, 0.5])
    assert report["support"].tolist() == [1, 2, 2]
    with pytest.raises(ValueError, match="classes must name all 3"):
        per_class_report(PROBS, LABELS, classes=["a"])


def test_most_confident_mistakes_come_first():
    assert most_confident_mistakes(PROBS, LABELS, k=5).tolist() == [3, 1]
    assert most_confident_mistakes(PROBS, LABELS, k=1).tolist() == [3]
    images = torch.rand(5, 1, 8, 8)
    fig = mistakes_gallery(images, PROBS, LABELS, ["a", "b", "c"], k=4, columns=2,
                           title="toy")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["true: b\nsaid: a 90%", "true: c\nsaid: b 60%"]


def test_metrics_refuse_logits_bad_rows_and_labels_by_name():
    with pytest.raises(ValueError, match="every row of probs must sum to 1"):
        accuracy(PROBS * 2 / 3, LABELS)
    with pytest.raises(ValueError, match="probs must hold probabilities"):
        confusion_matrix(torch.randn(5, 3) * 5, LABELS)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        per_class_report(PROBS, torch.tensor([0, 1, 2, 3, 0]))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        accuracy(PROBS, torch.tensor([0, -1, 2, 1, 0]))
    with pytest.raises(TypeError, match="labels must be integer"):
        accuracy(PROBS, torch.tensor([0.5, 1, 2, 1, 0]))
    with pytest.raises(ValueError, match="probs must have 2 dimension"):
        accuracy(PROBS[0], LABELS)
    with pytest.raises(ValueError, match="images must be an N×C×H×W tensor with N = 5"):
        mistakes_gallery(torch.rand(4, 1, 8, 8), PROBS, LABELS)
