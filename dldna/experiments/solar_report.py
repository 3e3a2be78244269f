"""Chapter 14's measurements, tables and figures: scores with intervals, the cost-tuned
threshold, the results table, the per-type breakdown, example cells, the worst mistakes with
Grad-CAM, and the skipping of data cells when ELPV is missing."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from ..data.elpv import CLASSES, LICENCE, TITLE, TYPES, ElpvData
from ..evaluate import bootstrap_ci


def binary_from_four(probs4: Tensor) -> Tensor:
    """P(defective) = P(p = 2/3) + P(p = 1) for every cell."""
    return probs4[:, 2] + probs4[:, 3]


@dataclass(frozen=True)
class Scores:
    """Test results of one model, each with a bootstrap interval.

    Args:
        name: the model's row in the results table.
        binary: binary accuracy (defective ⇔ p ≥ 0.5) with its interval.
        four: 4-class accuracy with its interval.
        binary_correct: per-cell 0/1 of the binary answer (for paired comparisons).
        four_correct: per-cell 0/1 of the 4-class answer.
        seconds: CPU seconds the model took to train (``process_time``).
    """

    name: str
    binary: object
    four: object
    binary_correct: np.ndarray
    four_correct: np.ndarray
    seconds: float


def score(name: str, probs4: Tensor, labels4: Tensor, *, n_boot: int, seconds: float = 0.0,
          threshold: float = 0.5) -> Scores:
    """Accuracies of 4-class probabilities on the binary and 4-class tasks, with intervals."""
    defective = (labels4 >= 2).numpy()
    binary_correct = ((binary_from_four(probs4) >= threshold).numpy() == defective).astype(float)
    four_correct = (probs4.argmax(1) == labels4).numpy().astype(float)
    return Scores(name, bootstrap_ci(binary_correct, n_boot=n_boot),
                  bootstrap_ci(four_correct, n_boot=n_boot), binary_correct, four_correct,
                  seconds)


class CpuClock:
    """``with CpuClock() as clock: …`` then ``clock.seconds``: CPU time of the block."""

    def __enter__(self) -> "CpuClock":
        self._start, self.seconds = time.process_time(), 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.process_time() - self._start



def threshold_for_cost(p_defective: Tensor, defective: Tensor, miss_cost: float) -> float:
    """The threshold on P(defective) with the lowest total cost ``miss_cost · misses + false
    alarms`` on the given cells (use out-of-fold training cells, never the test split).

    Args:
        p_defective: predicted probability that each cell is defective.
        defective: the truth, 0/1.
        miss_cost: cost of missing a defective cell, in units of one false alarm (> 0).
    """
    if not miss_cost > 0:
        raise ValueError(f"miss_cost must be positive, got {miss_cost!r}")
    candidates = torch.unique(torch.cat([p_defective, torch.tensor([0.5])]))
    truth = defective.bool()
    costs = [miss_cost * int((~(p_defective >= t) & truth).sum())
             + int(((p_defective >= t) & ~truth).sum()) for t in candidates]
    return float(candidates[int(np.argmin(costs))])


def cost_table(p_defective: Tensor, defective: Tensor, thresholds: dict[str, float],
               miss_cost: float, n_boot: int) -> list[dict]:
    """Recall, precision and cost per cell at each named threshold, with bootstrap intervals."""
    truth, rows = defective.bool().numpy(), []
    for name, t in thresholds.items():
        flagged = (p_defective >= t).numpy()
        cost = miss_cost * (~flagged & truth) + (flagged & ~truth)
        rows.append({"threshold": name, "value": t,
                     "recall": bootstrap_ci(flagged[truth].astype(float), n_boot=n_boot),
                     "precision": bootstrap_ci(truth[flagged].astype(float), n_boot=n_boot),
                     "cost per cell": bootstrap_ci(cost.astype(float), n_boot=n_boot, unit="")})
    return rows


SKIP_NOTE = ("skipped: the ELPV dataset is not installed, so this result cannot be computed "
             "(install it with `python tools/fetch_elpv.py`)")
RUNS_ANYWAY = "# runs without ELPV"


def skip_cells_without_data(available: bool) -> bool:
    """When ``available`` is false, make every later code cell of the running notebook print
    ``SKIP_NOTE`` instead of running, except cells whose first line is
    ``RUNS_ANYWAY`` (quizzes, exercises). Returns ``available``."""
    if available:
        return True
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        def skip(lines: list[str]) -> list[str]:
            if lines and lines[0].startswith(RUNS_ANYWAY):
                return lines
            return [f"print({SKIP_NOTE!r})\n"]
        shell.input_transformers_post.append(skip)
    return False


def results_frame(rows: Sequence[Scores]):
    """The results table: one row per model, both tasks with their intervals, training CPU s."""
    import pandas as pd

    return pd.DataFrame([{"model": r.name, "binary accuracy [95 % CI]": str(r.binary),
                          "4-class accuracy [95 % CI]": str(r.four),
                          "training CPU s": round(r.seconds, 1)} for r in rows])


def by_type(probs4: Tensor, labels4: Tensor, module_type: Tensor, *, n_boot: int,
            threshold: float = 0.5):
    """Binary and 4-class accuracy per module type (mono, poly), each with its interval."""
    import pandas as pd

    rows = []
    for code, name in enumerate(TYPES):
        mask = module_type == code
        binary = ((binary_from_four(probs4[mask]) >= threshold) == (labels4[mask] >= 2))
        four = probs4[mask].argmax(1) == labels4[mask]
        rows.append({"type": name, "cells": int(mask.sum()),
                     "binary": bootstrap_ci(binary.numpy().astype(float), n_boot=n_boot),
                     "4-class": bootstrap_ci(four.numpy().astype(float), n_boot=n_boot)})
    return pd.DataFrame(rows)


def show_cells(cells: ElpvData, positions: Sequence[int], titles: Sequence[str], *,
               columns: int = 4, title: str = ""):
    """A grid of cells with their titles; the figure's title names the dataset and licence."""
    import matplotlib.pyplot as plt

    rows = -(-len(positions) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.9 * columns, 2.1 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, position, text in zip(axes.flat, positions, titles):
        ax.imshow(cells.images[position, 0].numpy(), cmap="gray", vmin=0, vmax=255)
        ax.set_title(text, fontsize=8)
    fig.suptitle(f"{title}\n{TITLE}; {LICENCE}", fontsize=8)
    fig.tight_layout()
    return fig


def examples_per_class(cells: ElpvData, per_group: int = 1, seed: int = 0) -> tuple[list, list]:
    """Positions and titles of ``per_group`` random cells for every class × type."""
    rng = np.random.default_rng(seed)
    positions, titles = [], []
    for code, kind in enumerate(TYPES):
        for label, name in enumerate(CLASSES):
            chosen = (cells.label == label) & (cells.module_type == code)
            pool = np.flatnonzero(chosen.numpy())
            for position in rng.choice(pool, size=min(per_group, len(pool)), replace=False):
                positions.append(int(position))
                titles.append(f"{kind}, {name}")
    return positions, titles


def show_mistakes(net, images: Tensor, positions: Sequence[int], probs4: Tensor, labels4: Tensor,
                  layer: str, *, title: str = ""):
    """Each mistake twice: the cell, and its Grad-CAM for the predicted class over it."""
    import matplotlib.pyplot as plt

    from ..explain.gradcam import grad_cam

    # At most the book's 7-inch column: a wider figure is shrunk by the browser.
    width = min(7.0, 1.2 * len(positions))
    fig, axes = plt.subplots(2, len(positions), figsize=(width, 4.4), squeeze=False)
    for column, position in enumerate(positions):
        image = images[position]
        # The layer sits in the frozen prefix: ask for the input's gradient so that its
        # activations are part of the graph Grad-CAM differentiates.
        guess_class = int(probs4[position].argmax())
        cam = grad_cam(net, image.clone().requires_grad_(True), layer, target=guess_class)
        truth, guess = CLASSES[int(labels4[position])], CLASSES[guess_class]
        p_defective = float(binary_from_four(probs4[position:position + 1]))
        for row in (0, 1):
            ax = axes[row, column]
            ax.imshow(image[0].numpy(), cmap="gray", vmin=0, vmax=1)
            if row == 1:
                ax.imshow(cam.heatmap.numpy(), cmap="jet", alpha=0.45, vmin=0, vmax=1)
            ax.axis("off")
        axes[0, column].set_title(f"true: {truth}\nsaid: {guess}\n"
                                  f"P(defective) {p_defective:.2f}",
                                  fontsize=7)
    fig.suptitle(f"{title}\n{TITLE}; {LICENCE}", fontsize=8)
    fig.tight_layout()
    return fig
