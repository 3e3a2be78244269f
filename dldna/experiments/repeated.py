"""Repeated runs for chapters 10 and 11: one comparison trained with several seeds, measured the
same way every time, and summarised with its seed-to-seed spread.

Training accuracy is measured on the *clean* training images with the network in evaluation mode
(:func:`measure`), not read from the running average over augmented batches that the trainer
logs while it trains, so it can be compared with the test accuracy.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .. import data as _data
from ..config import Profile, RunSize, get_profile, seed_everything
from ..models import create
from ..train import History, evaluate, fit


@dataclass(frozen=True)
class Run:
    """One finished training run, measured on clean images in evaluation mode.

    Args:
        condition: what the run tested, e.g. ``"augmented"`` (the row label).
        seed: the run's seed.
        train_accuracy: accuracy on the clean training images, a fraction in [0, 1].
        test_accuracy: accuracy on the test images, a fraction in [0, 1].
        test_loss: mean cross-entropy on the test images.
        history: the trainer's per-epoch log.
        cpu_seconds: process CPU time of the training.
        dataset: name of the training set.
    """

    condition: str
    seed: int
    train_accuracy: float
    test_accuracy: float
    test_loss: float
    history: History
    cpu_seconds: float
    dataset: str

    @property
    def gap(self) -> float:
        """The generalisation gap, clean training accuracy minus test accuracy."""
        return self.train_accuracy - self.test_accuracy


#: Test images evaluated after every epoch for a training curve (the final numbers use all).
CURVE_IMAGES = 500


def curve_set(test_set):
    """A class-balanced subset of :data:`CURVE_IMAGES` images of the test set.

    Args:
        test_set: the full test set (a ``dldna.data`` dataset); the subset's seed is fixed at 0.
    """
    return test_set.subset(min(CURVE_IMAGES, len(test_set)), seed=0)


def measure(model, train_set, test_set, history: History, *, condition: str, seed: int,
            cpu_seconds: float = 0.0) -> Run:
    """Evaluate a trained model on its (clean) training images and on the test images.

    Args:
        model: the trained network.
        train_set: the images it was trained on, without augmentation.
        test_set: the test images.
        history: the trainer's log, kept in the result.
        condition: label of the run.
        seed: the run's seed.
        cpu_seconds: CPU time the training took.
    """
    train = evaluate(model, train_set)
    test = evaluate(model, test_set)
    return Run(condition, seed, train["accuracy"], test["accuracy"], test["loss"], history,
               cpu_seconds, train_set.name)


def runs_table(runs: Iterable[Run]):
    """One row per run: condition, seed, train and test accuracy, gap, test loss.

    Args:
        runs: finished runs.

    Returns:
        A pandas DataFrame (also with a ``cpu seconds`` column).
    """
    import pandas as pd

    return pd.DataFrame([{"condition": r.condition, "seed": r.seed,
                          "train accuracy": r.train_accuracy, "test accuracy": r.test_accuracy,
                          "gap": r.gap, "test loss": r.test_loss, "cpu seconds": r.cpu_seconds}
                         for r in runs])


def spread(values: Sequence[float], *, percent: bool = True, points: bool = False) -> str:
    """Mean and range of a few runs as text: ``"80.1% (79.5 to 80.6)"``, or in points.

    Args:
        values: one number per run (fractions when ``percent`` or ``points``).
        percent: show fractions as percentages with one decimal; ``False``: three decimals.
        points: show differences of fractions as percentage points (overrides ``percent``).
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("values must hold at least one number")
    scale, unit = (100, " points") if points else (100, "%") if percent else (1, "")
    fmt = "{:.1f}" if (percent or points) else "{:.3f}"
    mean = sum(values) / len(values)
    low, high = (fmt.format(scale * v) for v in (min(values), max(values)))
    text = fmt.format(scale * mean) + unit
    if len(values) > 1:
        text += " (every run)" if low == high else f" ({low} to {high})"
    return text.replace("-", "−")


def summary_table(table, metrics: Sequence[str] = ("train accuracy", "test accuracy", "gap")):
    """Per condition (in first-seen order): each metric as mean (lowest to highest) over seeds.

    Args:
        table: a DataFrame with a ``condition`` column, e.g. from :func:`runs_table`.
        metrics: the columns to summarise; ``gap`` and ``change`` are shown in points, columns
            named with ``loss`` as plain numbers.
    """
    import pandas as pd

    rows = []
    for condition in dict.fromkeys(table["condition"]):
        part = table[table["condition"] == condition]
        row = {"condition": condition, "seeds": len(part)}
        for metric in metrics:
            row[metric] = spread(part[metric], points=metric in ("gap", "change"),
                                 percent="loss" not in metric)
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Chapter 10: a small network with and without augmentation on a small training subset

@dataclass(frozen=True)
class GapScale(RunSize):
    """Size of chapter 10's with/without-augmentation experiment in one profile: a
    :class:`~dldna.config.RunSize` (``width`` = the small CNN's first-stage filters) plus the
    data, the peak learning rate, the number of seeds and a longer run for comparison.

    Args:
        dataset: a dataset name for ``dldna.data.load``.
        lr: peak learning rate of the one-cycle schedule.
        seeds: runs per condition.
        long_epochs: epochs of one extra, longer augmented run (0: skipped).
    """

    dataset: str = "fashion-mnist"
    lr: float = 3e-3
    seeds: int = 3
    long_epochs: int = 0  # the augmented run once more with this many epochs (0: skipped)


def gap_scale(profile: str | None = None) -> GapScale:
    """The experiment's size: tiny for smoke; a real overfitting regime for cpu and gpu.

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``; ``None`` for the active profile.
    """
    p = get_profile() if profile is None else Profile(profile)
    return p.pick(
        smoke=GapScale(epochs=1, batch_size=50, width=4, train_size=100, test_size=100,
                       seeds=2, long_epochs=3),
        cpu=GapScale(epochs=15, batch_size=32, width=8, train_size=500, test_size=2000,
                     seeds=3, long_epochs=45),
        gpu=GapScale(epochs=15, batch_size=32, width=8, train_size=500, test_size=10_000,
                     seeds=5, long_epochs=45),
    )


def gap_data(scale: GapScale, seed: int):
    """The seed's training subset (stratified) and the common test subset.

    Args:
        scale: the experiment's size (dataset and subset sizes).
        seed: seed of the training subset; the test subset always uses seed 0.

    Returns:
        ``(train_set, test_set)``.
    """
    train = _data.load(scale.dataset, "train").subset(scale.train_size, seed=seed)
    test = _data.load(scale.dataset, "test").subset(scale.test_size, seed=0)
    return train, test


def train_small_cnn(scale: GapScale, augment: Callable | None, *, seed: int,
                    condition: str, epochs: int | None = None, curve: bool = False) -> Run:
    """Train chapter 4's small CNN on the seed's subset; ``curve`` also logs the loss and
    accuracy on :data:`CURVE_IMAGES` test images after every epoch.

    Args:
        scale: the experiment's size (data, width, epochs, batch size, learning rate).
        augment: batch augmentation for ``fit``, ``(x, y) -> (x, y)``; ``None`` for none.
        seed: seed of the subset, the weights and the batches.
        condition: label of the run.
        epochs: epochs to train; ``None`` for ``scale.epochs``.
        curve: record the per-epoch test curve.
    """
    train_set, test_set = gap_data(scale, seed)
    seed_everything(seed)
    model = create("small_cnn", num_classes=train_set.num_classes,
                   in_channels=train_set.image_shape[0], image_size=train_set.image_shape[-1],
                   widths=(scale.width, 2 * scale.width))
    tic = time.process_time()
    history = fit(model, train_set, curve_set(test_set) if curve else None, augment=augment,
                  epochs=epochs or scale.epochs, lr=scale.lr, batch_size=scale.batch_size,
                  weight_decay=0.01, schedule="onecycle", seed=seed, progress=False)
    return measure(model, train_set, test_set, history, condition=condition, seed=seed,
                   cpu_seconds=time.process_time() - tic)
