"""The CIFAR-10 ResNet-18 training recipe of chapter 11 as one function, and its ablation.

Full recipe (gpu profile, real CIFAR-10): ResNet-18 with the small-image stem; pad-4 crop, flip,
colour jitter, RandAugment, random erasing; AdamW lr 1e-3, weight decay 0.05; 5 warm-up epochs
then cosine; label smoothing 0.1; gradient clipping at norm 1.0; 100 epochs. The cpu and smoke
profiles keep the training settings but run them at a small :class:`Scale` on real
Fashion-MNIST (a small CNN, a subset, fewer epochs), with the augmentations that fit grey
clothing images (:func:`augmentation_for`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Sequence

from .. import data as _data
from ..data.augment import BatchAugment, standard_augment
from ..config import Profile, RunSize, get_profile, seed_everything
from .ablation import (ABLATION, Variant, ablation_effects, describe_effects,  # noqa: F401
                       noise_threshold)
from .repeated import Run, curve_set, measure
from ..models import create
from ..train import TrainConfig, fit


#: The full CIFAR-10 ResNet-18 recipe (gpu profile) as the trainer's own settings type;
#: smaller profiles change only what a :class:`Scale` holds.
RECIPE = TrainConfig(epochs=100, batch_size=128, optimizer="adamw", lr=1e-3,
                     weight_decay=0.05, schedule="warmup_cosine", warmup_epochs=5,
                     label_smoothing=0.1, clip_grad_norm=1.0)

#: Augmentations per dataset (matched by the start of the dataset's name), and why.
AUGMENTATIONS: dict[str, dict[str, Any]] = {
    # colour photos whose class does not depend on colour: everything, colour included
    "CIFAR": dict(crop_padding=4, flip=True, colour=0.2, randaugment=9, erasing=0.25),
    # grey clothing, left–right symmetric: shifts, mirror images, occlusion; no colour operation
    "Fashion-MNIST": dict(crop_padding=2, flip=True, erasing=0.25),
    # digits: a mirrored 2 or 7 is not a digit, so no flip
    "MNIST": dict(crop_padding=2, flip=False, erasing=0.25),
    # the photo-patches stand-in: colour tells the photos apart, so no colour operation
    "Photo-patches": dict(crop_padding=4, flip=True, erasing=0.25),
}


def augmentation_for(dataset_name: str) -> dict[str, Any]:
    """The augmentation settings that fit a dataset (see :data:`AUGMENTATIONS`).

    Args:
        dataset_name: the dataset's display name, e.g. ``"Fashion-MNIST"`` (matched by prefix).

    Returns:
        A fresh dict of ``standard_augment`` keywords.
    """
    for prefix, settings in AUGMENTATIONS.items():
        if dataset_name.startswith(prefix):
            return dict(settings)
    raise ValueError(f"no augmentation is defined for dataset {dataset_name!r}; "
                     f"known: {', '.join(AUGMENTATIONS)}")


def make_augment(settings: dict[str, Any], size: int):
    """The batch augmentation for ``settings``: vectorised when it has no colour operation.

    Args:
        settings: ``standard_augment`` keywords, e.g. from :func:`augmentation_for`.
        size: image side in pixels.
    """
    if settings.get("colour") or settings.get("randaugment") is not None:
        return standard_augment(size, **settings)
    return BatchAugment(crop_padding=settings.get("crop_padding", 0),
                        flip=settings.get("flip", False), erasing=settings.get("erasing", 0.0))


@dataclass(frozen=True)
class Scale(RunSize):
    """How big a run of the recipe is: a :class:`~dldna.config.RunSize` (epochs, batch,
    width, subset sizes, warm-up, EMA decay) plus the data, the network, the peak learning
    rate and the ablation's seeds per row; everything else comes from :data:`RECIPE`.

    Args:
        dataset: a dataset name for ``dldna.data.load``.
        model: ``"resnet18"`` (small-image stem) or ``"small_cnn"``.
        lr: peak learning rate.
        seeds: runs per row of the ablation.
    """

    dataset: str = "cifar10"    # a name for dldna.data.load
    model: str = "resnet18"     # "resnet18" (small-image stem) or "small_cnn"
    lr: float = 1e-3
    seeds: int = 2              # ablation: runs per row


_SCALES = dict(
    smoke=Scale(epochs=1, batch_size=50, width=4, train_size=100, test_size=100,
                warmup_epochs=0.5, ema_decay=0.5, dataset="fashion-mnist",
                model="small_cnn", lr=3e-3),
    cpu=Scale(epochs=8, batch_size=32, width=8, train_size=500, test_size=2000,
              warmup_epochs=1, ema_decay=0.95, dataset="fashion-mnist", model="small_cnn",
              lr=3e-3),
    gpu=Scale(epochs=100, batch_size=128, width=64, train_size=None, test_size=None,
              warmup_epochs=5, ema_decay=0.999, dataset="cifar10", model="resnet18",
              lr=1e-3),
)


def recipe_scale(profile: str | None = None) -> Scale:
    """The recipe's size in a profile (default: the active one).

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``; ``None`` for the active profile.
    """
    p = get_profile() if profile is None else Profile(profile)
    return p.pick(**_SCALES)


def ablation_scale(profile: str | None = None) -> Scale:
    """The budget of each ablation run: the recipe's own scale, except in the gpu profile.

    There the full recipe takes 100 epochs on all of CIFAR-10, and twelve such runs would take
    twelve times as long. The ablation uses a fixed smaller budget instead (10,000 training
    images, 15 epochs, the whole test set); :func:`ablation_cost` gives its relative cost.

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``; ``None`` for the active profile.
    """
    p = get_profile() if profile is None else Profile(profile)
    return p.pick(smoke=_SCALES["smoke"], cpu=_SCALES["cpu"],
                  gpu=replace(_SCALES["gpu"], train_size=10_000, epochs=15, warmup_epochs=1,
                              ema_decay=0.99))


#: Images in the CIFAR-10 training set (what a ``train_size`` of ``None`` means there).
CIFAR10_TRAIN_SIZE = 50_000


def ablation_cost(profile: str = "gpu") -> float:
    """Training images all ablation runs see together, as a fraction of one recipe run.

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``.
    """
    def images(scale: Scale) -> int:
        return (scale.train_size or CIFAR10_TRAIN_SIZE) * scale.epochs

    scale = ablation_scale(profile)
    return len(ABLATION) * scale.seeds * images(scale) / images(recipe_scale(profile))


def recipe_data(scale: Scale | None = None, seed: int = 0):
    """Training and test sets at the scale's size (the test subset is the same for every seed).

    Args:
        scale: the run's size; ``None`` for the active profile's :func:`recipe_scale`.
        seed: seed of the training subset.

    Returns:
        ``(train_set, test_set)``.
    """
    scale = scale or recipe_scale()
    train_set, test_set = _data.load(scale.dataset, "train"), _data.load(scale.dataset, "test")
    if scale.train_size:
        train_set = train_set.subset(scale.train_size, seed=seed)
    if scale.test_size:
        test_set = test_set.subset(scale.test_size, seed=0)
    return train_set, test_set


def network(scale: Scale, train_set):
    """The scale's network for the data's channels, size and classes.

    Args:
        scale: names the model (``"resnet18"`` or ``"small_cnn"``) and its width.
        train_set: the training set; its image shape and class count size the network.
    """
    channels, size = train_set.image_shape[0], train_set.image_shape[-1]
    if scale.model == "resnet18":
        return create("resnet18", num_classes=train_set.num_classes, in_channels=channels,
                      small_input=True, width=scale.width)
    return create(scale.model, num_classes=train_set.num_classes, in_channels=channels,
                  image_size=size, widths=(scale.width, 2 * scale.width))


def train_recipe(*, scale: Scale | None = None, seed: int = 0,
                 augmentation: bool = True, ema: bool = False, datasets=None,
                 curve: bool = False, progress: bool | None = None,
                 **changes) -> Run:
    """Train with the recipe at ``scale`` and measure the run on clean images.

    ``changes`` replace :data:`RECIPE` fields (e.g. ``label_smoothing=0.0``);
    ``augmentation=False`` and ``ema=True`` switch those two ingredients.
    ``curve=True`` also evaluates 500 test images after every epoch (for a plot).

    Args:
        scale: run size; ``None``: the active profile's.
        seed: seed of the weights, the batches and the subset.
        augmentation: use the dataset's augmentations.
        ema: keep and measure an EMA of the weights (``scale.ema_decay``).
        datasets: ``(train, test)`` to reuse; ``None`` loads them.
        curve: record a test-accuracy curve.
        progress: show a progress bar (``None``: trainer default).
        changes: :data:`RECIPE` fields to replace.
    """
    scale = scale or recipe_scale()
    train_set, test_set = datasets or recipe_data(scale, seed)
    recipe = replace(RECIPE, **scale.training(), lr=scale.lr,
                     ema_decay=scale.ema_decay if ema else None, **changes)
    seed_everything(seed)
    model = network(scale, train_set)
    augment = None
    if augmentation:
        settings = augmentation_for(train_set.name)
        augment = make_augment(settings, train_set.image_shape[-1])
    tic = time.process_time()
    history = fit(model, train_set, curve_set(test_set) if curve else None, recipe,
                  augment=augment, seed=seed, progress=progress)
    return measure(model, train_set, test_set, history, condition="full recipe",
                   seed=seed, cpu_seconds=time.process_time() - tic)


def ablation(scale: Scale | None = None, seeds: Sequence[int] | None = None,
             progress: bool | None = None, done: Sequence[Run] = ()):
    """Switch one ingredient at a time, each row with several seeds; a pandas DataFrame with one
    row per run (``variant``, ``seed``, accuracies, ``final train loss``, ``cpu seconds``).

    ``done`` holds finished full-recipe runs at the same scale (reused, not trained again).
    Each seed trains on its own training subset; all rows share the seeds, so rows compare
    like with like.

    Args:
        scale: budget of each run; ``None`` for the active profile's :func:`ablation_scale`.
        seeds: the seeds; ``None`` for ``range(scale.seeds)``.
        progress: show progress bars (``None``: the trainer's default).
        done: finished full-recipe runs to reuse, matched by seed.
    """
    import pandas as pd

    scale = scale or ablation_scale()
    seeds = list(range(scale.seeds)) if seeds is None else list(seeds)
    reuse = {run.seed: run for run in done}
    rows = []
    for seed in seeds:
        datasets = recipe_data(scale, seed)
        for variant in ABLATION:
            if not variant.change and seed in reuse:
                run = reuse[seed]
            else:
                run = train_recipe(scale=scale, seed=seed, datasets=datasets, progress=progress,
                                   **variant.change)
            rows.append({"variant": variant.label, "seed": seed,
                         "test accuracy": run.test_accuracy, "train accuracy": run.train_accuracy,
                         "final train loss": run.history.train_loss[-1],
                         "cpu seconds": run.cpu_seconds, "dataset": run.dataset})
    return pd.DataFrame(rows)


def ablation_means(table):
    """Per variant (table order): mean, lowest and highest test accuracy over the seeds, and
    ``change`` = the variant's mean minus the full recipe's mean.

    Args:
        table: the DataFrame from :func:`ablation`, full recipe first.

    Returns:
        A DataFrame with columns ``variant``, ``mean``, ``min``, ``max``, ``count``, ``change``.
    """
    grouped = table.groupby("variant", sort=False)["test accuracy"]
    means = grouped.agg(["mean", "min", "max", "count"]).reset_index()
    means["change"] = means["mean"] - means["mean"].iloc[0]
    return means
