"""Classification metrics on predicted probabilities, computed with ``sklearn.metrics``.

Every function takes ``probs`` (N×C, rows summing to 1: softmax outputs) and ``labels`` (N
class indices) and checks both first, so logits passed by mistake or labels from another
dataset are refused with a message that names the argument.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from ._checks import check_labels, check_positive_int, check_probabilities


def checked(probs, labels) -> tuple[torch.Tensor, torch.Tensor]:
    """``(probs, labels)`` checked against each other (see the module docstring).

    Args:
        probs: N×C probabilities.
        labels: N class indices in ``[0, C)``.
    """
    probs = check_probabilities(probs, "probs")
    return probs, check_labels(labels, probs.shape[1], probs.shape[0], "labels")


def correct(probs, labels) -> torch.Tensor:
    """1.0 where the most probable class is the true one, else 0.0: the input of
    :func:`~dldna.evaluate.bootstrap_ci` and :func:`~dldna.evaluate.paired_difference`.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
    """
    probs, labels = checked(probs, labels)
    return (probs.argmax(dim=1) == labels).float()


def accuracy(probs, labels) -> float:
    """Fraction of examples whose most probable class is the true one.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
    """
    from sklearn.metrics import accuracy_score

    probs, labels = checked(probs, labels)
    return float(accuracy_score(labels.numpy(), probs.argmax(dim=1).numpy()))


def top_k_accuracy(probs, labels, k: int = 5) -> float:
    """Fraction of examples whose true class is among the ``k`` most probable.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        k: how many guesses count, 1 ≤ k ≤ C.
    """
    from sklearn.metrics import top_k_accuracy_score

    probs, labels = checked(probs, labels)
    k = check_positive_int(k, "k")
    if k > probs.shape[1]:
        raise ValueError(f"k must be at most the {probs.shape[1]} classes, got {k}")
    return float(top_k_accuracy_score(labels.numpy(), probs.numpy(), k=k,
                                      labels=np.arange(probs.shape[1])))


def confusion_matrix(probs, labels) -> np.ndarray:
    """C×C counts: row = true class, column = predicted class (sklearn's convention).

    Args:
        probs: N×C probabilities.
        labels: N class indices.
    """
    from sklearn.metrics import confusion_matrix as sk_confusion

    probs, labels = checked(probs, labels)
    return sk_confusion(labels.numpy(), probs.argmax(dim=1).numpy(),
                        labels=np.arange(probs.shape[1]))


def per_class_report(probs, labels, classes: Sequence[str] | None = None):
    """Precision, recall, F1 and support of every class, as a pandas DataFrame.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        classes: the class names (``None``: the indices).
    """
    import pandas as pd
    from sklearn.metrics import precision_recall_fscore_support

    probs, labels = checked(probs, labels)
    names = _class_names(classes, probs.shape[1])
    precision, recall, f1, support = precision_recall_fscore_support(
        labels.numpy(), probs.argmax(dim=1).numpy(), labels=np.arange(probs.shape[1]),
        zero_division=0)
    return pd.DataFrame({"class": names, "precision": precision, "recall": recall,
                         "F1": f1, "support": support})


def _class_names(classes, n: int) -> list[str]:
    if classes is None:
        return [str(i) for i in range(n)]
    names = [str(c) for c in classes]
    if len(names) != n:
        raise ValueError(f"classes must name all {n} classes, got {len(names)} names")
    return names


def most_confident_mistakes(probs, labels, k: int = 12) -> torch.Tensor:
    """Indices of the ``k`` wrong predictions with the highest confidence, most confident first.

    Args:
        probs: N×C probabilities.
        labels: N class indices.
        k: how many (fewer come back when there are fewer mistakes).
    """
    probs, labels = checked(probs, labels)
    k = check_positive_int(k, "k")
    confidence, predicted = probs.max(dim=1)
    wrong = torch.nonzero(predicted != labels).flatten()
    order = confidence[wrong].argsort(descending=True, stable=True)
    return wrong[order[:k]]


def mistakes_gallery(images, probs, labels, classes: Sequence[str] | None = None, *,
                     k: int = 12, columns: int = 6, title: str | None = None):
    """A figure of the ``k`` most confident mistakes: each image with its true class, the
    predicted class and the confidence.

    Args:
        images: the N test images (N×C×H×W, float in [0, 1] or uint8).
        probs: N×C probabilities.
        labels: N class indices.
        classes: the class names (``None``: the indices).
        k: how many mistakes to show.
        columns: images per row.
        title: the figure's title (name the dataset in it).

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    probs, labels = checked(probs, labels)
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or len(images) != len(labels):
        raise ValueError(f"images must be an N×C×H×W tensor with N = {len(labels)}")
    columns = check_positive_int(columns, "columns")
    names = _class_names(classes, probs.shape[1])
    index = most_confident_mistakes(probs, labels, k)
    rows = max(1, -(-len(index) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.25 * columns, 1.55 * rows + 0.3),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, index.tolist()):
        picture = images[i].float() / (255.0 if images.dtype == torch.uint8 else 1.0)
        grey = picture.shape[0] == 1
        ax.imshow((picture[0] if grey else picture.permute(1, 2, 0).clamp(0, 1)).numpy(),
                  cmap="gray" if grey else None)
        ax.set_title(f"true: {names[labels[i]]}\nsaid: {names[probs[i].argmax()]} "
                     f"{probs[i].max():.0%}", fontsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
