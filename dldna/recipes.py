"""The CIFAR-10 ResNet-18 training recipe of chapter 11 as one function, and its ablation.

Full recipe (gpu profile, real CIFAR-10): ResNet-18 with the small-image stem; pad-4 crop, flip,
colour jitter, RandAugment, random erasing; AdamW lr 1e-3, weight decay 0.05; 5 warm-up epochs
then cosine; label smoothing 0.1; gradient clipping at norm 1.0; 100 epochs. The cpu and smoke
profiles run the same recipe scaled down (narrower network, subset, fewer epochs) on whatever
:func:`dldna.data.load` returns for "cifar10" (offline: the bundled photo-patches stand-in).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import data as _data
from .augment import standard_augment
from .config import get_profile, seed_everything
from .models import ResNet18
from .train import History, evaluate, fit

#: The full CIFAR-10 ResNet-18 recipe (gpu profile); smaller profiles change only the scale.
RECIPE: dict[str, Any] = dict(epochs=100, batch_size=128, optimizer="adamw", lr=1e-3,
                              weight_decay=0.05, schedule="warmup_cosine", warmup_epochs=5,
                              label_smoothing=0.1, clip_grad_norm=1.0)
AUGMENTATION: dict[str, Any] = dict(crop_padding=4, flip=True, colour=0.2, randaugment=9,
                                    erasing=0.25)


def recipe_scale(profile: str | None = None) -> dict[str, Any]:
    """How big the run is per profile; everything else comes from :data:`RECIPE`.

    The cpu profile is sized so that the network clearly learns in a few seconds per epoch on a
    laptop-class CPU (the book build runs the recipe and its ablation in a few minutes); the gpu
    profile is the full recipe on all of real CIFAR-10.
    """
    name = profile or get_profile().name
    return {
        "smoke": dict(width=4, train_size=200, test_size=100, epochs=2, warmup_epochs=0.5,
                      batch_size=50, ema_decay=0.5),
        "cpu": dict(width=8, train_size=2000, test_size=1000, epochs=8, warmup_epochs=1,
                    batch_size=32, ema_decay=0.95),
        "gpu": dict(width=64, train_size=None, test_size=None, epochs=100, warmup_epochs=5,
                    batch_size=128, ema_decay=0.999),
    }[name]


def ablation_scale(profile: str | None = None) -> dict[str, Any]:
    """The budget of each ablation run: the recipe's own scale, except in the gpu profile.

    There the full recipe takes 100 epochs on all of CIFAR-10; six such runs plus a second seed
    would take seven times as long as the recipe itself. The ablation uses a fixed smaller budget
    instead (full width, 10,000 training images, 15 epochs, the whole test set); its cost relative
    to one full run is :func:`ablation_cost`.
    """
    name = profile or get_profile().name
    if name != "gpu":
        return recipe_scale(name)
    return dict(width=64, train_size=10_000, test_size=None, epochs=15, warmup_epochs=1,
                batch_size=128, ema_decay=0.99)


#: Images in the CIFAR-10 training set (what a ``train_size`` of ``None`` means).
CIFAR10_TRAIN_SIZE = 50_000


def ablation_cost(profile: str = "gpu") -> float:
    """Training images the ablation's runs (its rows plus the second seed) see together, as a
    fraction of one run of the recipe at the profile's own scale."""
    def images(scale):
        return (scale["train_size"] or CIFAR10_TRAIN_SIZE) * scale["epochs"]

    return (len(ABLATION) + 1) * images(ablation_scale(profile)) / images(recipe_scale(profile))


@dataclass
class RecipeResult:
    history: History
    test_accuracy: float
    dataset: str
    settings: dict[str, Any]


def recipe_data(scale: dict[str, Any] | None = None, seed: int = 0):
    """CIFAR-10 (or its bundled stand-in) train and test sets at the profile's size."""
    scale = {**recipe_scale(), **(scale or {})}
    train_set, test_set = _data.load("cifar10", "train"), _data.load("cifar10", "test")
    if scale["train_size"]:
        train_set = train_set.subset(scale["train_size"], seed=seed)
    if scale["test_size"]:
        test_set = test_set.subset(scale["test_size"], seed=seed)
    return train_set, test_set


def train_cifar10_resnet18(*, augmentation: bool = True, label_smoothing: float | None = None,
                           schedule: str | None = None, clip: bool = True, ema: bool = False,
                           scale: dict[str, Any] | None = None, seed: int = 0,
                           progress: bool | None = None, datasets=None) -> RecipeResult:
    """Train with the recipe; each keyword switches one ingredient (used by :func:`ablation`).

    ``datasets`` = ``(train, test)`` reuses loaded data (default: :func:`recipe_data`).
    """
    scale = {**recipe_scale(), **(scale or {})}
    seed_everything(seed)
    train_set, test_set = datasets or recipe_data(scale, seed)
    settings = {**RECIPE, "epochs": scale["epochs"], "warmup_epochs": scale["warmup_epochs"],
                "batch_size": scale["batch_size"], "seed": seed}
    if label_smoothing is not None:
        settings["label_smoothing"] = label_smoothing
    if schedule is not None:
        settings["schedule"] = schedule
    if not clip:
        settings["clip_grad_norm"] = None
    if ema:
        settings["ema_decay"] = scale["ema_decay"]
    size = train_set.image_shape[-1]
    augment = standard_augment(size, **AUGMENTATION) if augmentation else None
    model = ResNet18(train_set.num_classes, in_channels=train_set.image_shape[0],
                     small_input=True, width=scale["width"])
    history = fit(model, train_set, test_set, augment=augment, progress=progress, **settings)
    accuracy = evaluate(model, test_set)["accuracy"]
    return RecipeResult(history, accuracy, train_set.name,
                        {**settings, "width": scale["width"], "train_size": len(train_set),
                         "test_size": len(test_set), "augmentation": augmentation})


def _full_recipe_settings(scale: dict[str, Any], datasets, seed: int) -> dict[str, Any]:
    """The settings a run of the unchanged recipe at this scale records (see ``ablation``)."""
    return {**RECIPE, "epochs": scale["epochs"], "warmup_epochs": scale["warmup_epochs"],
            "batch_size": scale["batch_size"], "seed": seed, "width": scale["width"],
            "train_size": len(datasets[0]), "test_size": len(datasets[1]), "augmentation": True}


class Variant(NamedTuple):
    """One row of the ablation: what changes and which ingredient that tests."""

    label: str          # the row label in the table
    ingredient: str     # the ingredient tested, as a sentence names it
    change: dict        # keywords for :func:`train_cifar10_resnet18`
    added: bool = False  # True: the row adds something the recipe lacks; False: it removes one


ABLATION: tuple[Variant, ...] = (
    Variant("full recipe", "", {}),
    Variant("without augmentation", "augmentation", dict(augmentation=False)),
    Variant("without label smoothing", "label smoothing", dict(label_smoothing=0.0)),
    Variant("constant LR instead of warm-up→cosine", "the warm-up→cosine schedule",
            dict(schedule="constant")),
    Variant("without gradient clipping", "gradient clipping", dict(clip=False)),
    Variant("with an EMA of the weights (added)", "an EMA of the weights", dict(ema=True),
            added=True),
)


def ablation(scale: dict[str, Any] | None = None, seed: int = 0, progress: bool | None = None,
             full: RecipeResult | None = None):
    """Switch one ingredient at a time at the same budget; returns a pandas DataFrame.

    The budget is :func:`ablation_scale` unless ``scale`` overrides parts of it.
    ``full`` reuses a finished run of the full recipe at the same scale and seed (it is the first
    row), so the notebook does not train it twice. The column ``change`` is each variant's test
    accuracy minus the full recipe's.
    """
    import pandas as pd

    scale = {**ablation_scale(), **(scale or {})}
    datasets = recipe_data(scale, seed)
    if full is not None:
        expected = _full_recipe_settings(scale, datasets, seed)
        differ = {k: (full.settings.get(k), v) for k, v in expected.items()
                  if full.settings.get(k) != v}
        if differ or full.settings.keys() != expected.keys():
            raise ValueError("full must be a run of the unchanged recipe at the same scale and "
                             f"seed; its settings differ: {differ or full.settings}")
    rows = []
    for variant in ABLATION:
        if not variant.change and full is not None:
            result = full
        else:
            result = train_cifar10_resnet18(scale=scale, seed=seed, progress=progress,
                                            datasets=datasets, **variant.change)
        h = result.history
        rows.append({"variant": variant.label, "test accuracy": result.test_accuracy,
                     "final train loss": h.train_loss[-1], "seconds": sum(h.seconds),
                     "dataset": result.dataset})
    table = pd.DataFrame(rows)
    table.insert(2, "change", table["test accuracy"] - table["test accuracy"].iloc[0])
    return table


def noise_threshold(accuracy_a: float, accuracy_b: float, n_test: int) -> float:
    """The smallest accuracy difference this book reads as an effect of one run against another.

    The larger of ``|accuracy_a − accuracy_b|`` (two runs that differ only in their seed, so the
    difference is pure noise) and twice the standard error of a difference of two accuracies
    measured on ``n_test`` images, 2·√(2p(1−p)/n).
    """
    if not isinstance(n_test, int) or n_test < 1:
        raise ValueError(f"n_test must be a positive integer, got {n_test!r}")
    for name, value in (("accuracy_a", accuracy_a), ("accuracy_b", accuracy_b)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    p = (accuracy_a + accuracy_b) / 2
    return max(abs(accuracy_a - accuracy_b), 2 * math.sqrt(2 * p * (1 - p) / n_test))


def ablation_effects(table, threshold: float) -> dict[str, list[str]]:
    """Sort the ingredients into ``helped``, ``hurt`` and ``unclear`` at the table's budget.

    A removed ingredient helped when removing it lowered the accuracy by more than ``threshold``;
    an added one helped when adding it raised the accuracy by more than ``threshold``.
    """
    if threshold < 0:
        raise ValueError(f"threshold must be ≥ 0, got {threshold!r}")
    by_label = {v.label: v for v in ABLATION}
    effects: dict[str, list[str]] = {"helped": [], "hurt": [], "unclear": []}
    for label, change in zip(table["variant"], table["change"]):
        variant = by_label.get(label)
        if variant is None:
            raise ValueError(f"unknown ablation row {label!r}")
        if not variant.change:
            continue
        gain = change if variant.added else -change  # what the ingredient did to accuracy
        key = "helped" if gain > threshold else "hurt" if gain < -threshold else "unclear"
        effects[key].append(variant.ingredient)
    return effects


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_effects(effects: dict[str, list[str]]) -> str:
    """The effects as one clause for the text, e.g. "augmentation helped; gradient clipping made
    no difference larger than the noise"."""
    parts = []
    if effects.get("helped"):
        parts.append(f"{_join(effects['helped'])} helped")
    if effects.get("hurt"):
        parts.append(f"{_join(effects['hurt'])} cost accuracy")
    if effects.get("unclear"):
        parts.append(f"{_join(effects['unclear'])} made no difference larger than the noise")
    return "; ".join(parts) if parts else "no ingredient was tested"
