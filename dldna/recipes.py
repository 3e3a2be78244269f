"""The CIFAR-10 ResNet-18 training recipe of chapter 11 as one function, and its ablation.

Full recipe (gpu profile, real CIFAR-10): ResNet-18 with the small-image stem; pad-4 crop, flip,
colour jitter, RandAugment, random erasing; AdamW lr 1e-3, weight decay 0.05; 5 warm-up epochs
then cosine; label smoothing 0.1; gradient clipping at norm 1.0; 100 epochs. The cpu and smoke
profiles run the same recipe scaled down (narrower network, subset, fewer epochs) on whatever
:func:`dldna.data.load` returns for "cifar10" (offline: the bundled photo-patches stand-in).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    """How big the run is per profile; everything else comes from :data:`RECIPE`."""
    name = profile or get_profile().name
    return {
        "smoke": dict(width=4, train_size=100, test_size=100, epochs=1, warmup_epochs=0.5,
                      batch_size=50, ema_decay=0.5),
        "cpu": dict(width=8, train_size=500, test_size=500, epochs=4, warmup_epochs=1,
                    batch_size=50, ema_decay=0.9),
        "gpu": dict(width=64, train_size=None, test_size=None, epochs=100, warmup_epochs=5,
                    batch_size=128, ema_decay=0.999),
    }[name]


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
                "batch_size": scale["batch_size"]}
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
    history = fit(model, train_set, test_set, augment=augment, seed=seed, progress=progress,
                  **settings)
    accuracy = evaluate(model, test_set)["accuracy"]
    return RecipeResult(history, accuracy, train_set.name,
                        {**settings, "width": scale["width"], "train_size": len(train_set),
                         "test_size": len(test_set), "augmentation": augmentation})


ABLATION: tuple[tuple[str, dict[str, Any]], ...] = (
    ("full recipe", {}),
    ("− augmentation", dict(augmentation=False)),
    ("− label smoothing", dict(label_smoothing=0.0)),
    ("− warm-up + cosine (constant LR)", dict(schedule="constant")),
    ("− gradient clipping", dict(clip=False)),
    ("+ EMA of weights", dict(ema=True)),
)


def ablation(scale: dict[str, Any] | None = None, seed: int = 0, progress: bool | None = None):
    """Switch one ingredient at a time at the same budget; returns a pandas DataFrame."""
    import pandas as pd

    rows, datasets = [], recipe_data(scale, seed)
    for name, change in ABLATION:
        result = train_cifar10_resnet18(scale=scale, seed=seed, progress=progress,
                                        datasets=datasets, **change)
        h = result.history
        rows.append({"variant": name, "test accuracy": result.test_accuracy,
                     "final train loss": h.train_loss[-1],
                     "seconds": sum(h.seconds), "dataset": result.dataset})
    return pd.DataFrame(rows)
