"""Chapter 13's experiment: a small zoo of Fashion-MNIST models, trained the book's way, to
evaluate with intervals, test-time augmentation, ensembles and calibration.

The zoo (:func:`train_zoo`), all trained with :func:`dldna.train.fit` on the same training
subset with pad-and-crop shifts and mirror images (the views TTA will use), AdamW and a
one-cycle schedule:

* ``lenet5`` – LeNet-5 (ReLU) with several seeds: the members of the seed ensemble;
* ``lenet5_ls`` – the same seeds with label smoothing 0.1 (chapter 11);
* ``lenet5_long`` – one LeNet-5 trained as many times longer as there are seeds: the same
  training compute as the whole seed ensemble;
* ``small_cnn`` and ``lenet5_tanh`` – chapter 4's small CNN (batch norm, max pooling) and
  LeNet-5 as in 1998 (tanh): with LeNet-5 the members of the architecture ensemble. (A ResNet-8
  was tried first: at this budget it trained at a third of LeNet-5's speed and reached 46 %.)

A validation split held out of the training set (never trained on) is where the temperature
is fitted; the test split is only ever evaluated.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import torch
from torch import nn

from .. import data as _data
from ..data.augment import BatchAugment
from ..config import Profile, RunSize, get_profile, seed_everything
from ..evaluate import predict_logits, tta_predict
from ..evaluate.tables import compare_row
from ..models import create
from ..train import fit

#: The architectures of the zoo, each as a registry name and keywords for ``dldna.models.create``.
ARCHITECTURES: dict[str, tuple[str, dict]] = {
    "lenet5": ("lenet5", dict(image_size=28, padding=2, activation="relu")),
    "small_cnn": ("small_cnn", dict(image_size=28)),
    "lenet5_tanh": ("lenet5", dict(image_size=28, padding=2, activation="tanh")),
}

#: What the figures and tables call each model kind.
TITLES = {"lenet5": "LeNet-5", "lenet5_ls": "LeNet-5, label smoothing 0.1",
          "lenet5_long": "LeNet-5, trained longer", "small_cnn": "small CNN (ch. 4)",
          "lenet5_tanh": "LeNet-5, tanh (1998)"}


@dataclass(frozen=True)
class EvalScale(RunSize):
    """Size of the chapter's experiment: a :class:`~dldna.config.RunSize` (epochs, batch,
    training and test images) plus the held-out validation split, the seeds and the learning
    rate. ``width`` is unused (each architecture has its own).

    Args:
        dataset: a dataset name for ``dldna.data.load``.
        val_size: images held out of the training split to fit the temperature on.
        seeds: members of the seed ensemble (the long run trains ``seeds`` × ``epochs``).
        ls_seeds: seeds trained with label smoothing.
        lr: peak learning rate of the one-cycle schedule.
        n_boot: bootstrap resamples of every accuracy interval.
    """

    dataset: str = "fashion-mnist"
    val_size: int = 2000
    seeds: int = 3
    ls_seeds: int = 2
    lr: float = 3e-3
    n_boot: int = 2000


def eval_scale(profile: str | None = None) -> EvalScale:
    """The experiment's size in a profile (default: the active one).

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``; ``None`` for the active profile.
    """
    p = get_profile() if profile is None else Profile(profile)
    return p.pick(
        smoke=EvalScale(epochs=1, batch_size=50, train_size=300, test_size=300, val_size=200,
                        seeds=2, ls_seeds=2, n_boot=200),
        cpu=EvalScale(epochs=4, batch_size=50, train_size=2500, test_size=5000,
                      val_size=1000, seeds=3, ls_seeds=2),
        gpu=EvalScale(epochs=15, batch_size=128, train_size=None, test_size=None,
                      val_size=5000, seeds=5, ls_seeds=5),
    )


def eval_data(scale: EvalScale):
    """``(train, val, test)``: disjoint training and validation subsets of the training split
    (a fixed shuffle, seed 0) and the test split (a class-balanced subset when ``test_size``).

    Args:
        scale: the experiment's size.
    """
    full = _data.load(scale.dataset, "train")
    order = torch.randperm(len(full), generator=torch.Generator().manual_seed(0))
    val_index = order[:scale.val_size]
    rest = order[scale.val_size:]
    train_index = rest if scale.train_size is None else rest[:scale.train_size]

    def part(index: torch.Tensor):
        index = index.sort().values
        return replace(full, images=full.images[index], labels=full.labels[index])

    test = _data.load(scale.dataset, "test")
    if scale.test_size is not None:
        test = test.subset(scale.test_size, seed=0)
    return part(train_index), part(val_index), test


#: The training augmentation of every model: ±2-pixel shifts (pad 2 + random crop) and mirror
#: images, the two operations chapter 11 uses for Fashion-MNIST besides random erasing.
def training_augment() -> BatchAugment:
    """Pad-2 random crop and horizontal flip, drawn per image."""
    return BatchAugment(crop_padding=2, flip=True)


@dataclass
class Trained:
    """One trained model of the zoo.

    Args:
        kind: ``lenet5``, ``lenet5_ls``, ``lenet5_long``, ``small_cnn`` or ``lenet5_tanh``.
        seed: its seed.
        model: the network, in eval mode.
        epochs: epochs it trained.
        cpu_seconds: process CPU time of its training.
        dataset: the training set's name.
    """

    kind: str
    seed: int
    model: nn.Module
    epochs: int
    cpu_seconds: float
    dataset: str

    @property
    def title(self) -> str:
        return f"{TITLES[self.kind]}, seed {self.seed}"


def train_model(kind: str, train_set, scale: EvalScale, *, seed: int = 0) -> Trained:
    """Train one model of the zoo (see the module docstring for the kinds).

    Args:
        kind: which model.
        train_set: the training subset.
        scale: epochs, batch size and learning rate.
        seed: seed of the weights, the batches and the augmentation.
    """
    if kind not in TITLES:
        raise ValueError(f"kind must be one of {', '.join(TITLES)}, got {kind!r}")
    arch = kind if kind in ARCHITECTURES else "lenet5"
    name, options = ARCHITECTURES[arch]
    epochs = scale.epochs * (scale.seeds if kind == "lenet5_long" else 1)
    seed_everything(seed)
    model = create(name, num_classes=train_set.num_classes,
                   in_channels=train_set.image_shape[0], **options)
    tic = time.process_time()
    fit(model, train_set, augment=training_augment(), epochs=epochs, lr=scale.lr,
        batch_size=scale.batch_size, optimizer="adamw", weight_decay=0.01, schedule="onecycle",
        label_smoothing=0.1 if kind == "lenet5_ls" else 0.0, seed=seed, progress=False)
    model.eval()
    return Trained(kind, seed, model, epochs, time.process_time() - tic, train_set.name)


def train_zoo(scale: EvalScale | None = None, train_set=None) -> list[Trained]:
    """Every model of the chapter: ``scale.seeds`` LeNet-5s, ``scale.ls_seeds`` with label
    smoothing, one LeNet-5 trained ``scale.seeds`` times longer, a small CNN and a tanh LeNet-5.

    Args:
        scale: the experiment's size; ``None`` for the active profile's.
        train_set: the training subset; ``None`` for :func:`eval_data`'s.
    """
    scale = scale or eval_scale()
    train_set = train_set if train_set is not None else eval_data(scale)[0]
    zoo = [train_model("lenet5", train_set, scale, seed=s) for s in range(scale.seeds)]
    zoo += [train_model("lenet5_ls", train_set, scale, seed=s) for s in range(scale.ls_seeds)]
    zoo += [train_model(kind, train_set, scale) for kind in ("lenet5_long", "small_cnn",
                                                             "lenet5_tanh")]
    return zoo


def pick(zoo: Sequence[Trained], kind: str, seed: int | None = None) -> list[Trained]:
    """The zoo's models of one kind (and seed).

    Args:
        zoo: the trained models.
        kind: which kind.
        seed: which seed (``None``: all).
    """
    found = [t for t in zoo if t.kind == kind and (seed is None or t.seed == seed)]
    if not found:
        raise ValueError(f"the zoo has no {kind!r} model" + (f" with seed {seed}" if seed
                                                           is not None else ""))
    return found


def timed(fn: Callable, *args, **kwargs):
    """``(result, cpu seconds, wall seconds)`` of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.process_time() - cpu, time.perf_counter() - wall


#: The TTA view sets of the chapter, name → views; ``vflip`` was never seen in training.
VIEW_SETS: dict[str, tuple[str, ...]] = {
    "none": ("identity",),
    "flip": ("identity", "hflip"),
    "4 shifts": ("identity", "shift_left", "shift_right", "shift_up", "shift_down"),
    "flip + 4 shifts": ("identity", "hflip", "shift_left", "shift_right", "shift_up",
                        "shift_down"),
    "upside down (never trained on)": ("identity", "vflip"),
}


def view_predictions(model: nn.Module, images: torch.Tensor,
                     names: Sequence[str]) -> tuple[dict, dict]:
    """Each view's probabilities (one forward pass per view, via ``tta_predict``) and the
    CPU seconds each pass took.

    Args:
        model: the classifier.
        images: the test images.
        names: view names.
    """
    probs, seconds = {}, {}
    for name in dict.fromkeys(names):
        probs[name], seconds[name], _ = timed(tta_predict, model, images, (name,))
    return probs, seconds


def tta_table(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *,
              view_sets: dict[str, tuple[str, ...]] | None = None, n_boot: int = 2000):
    """A DataFrame: for every view set, the TTA accuracy, its paired gain over no TTA and the
    measured inference cost (CPU seconds of its passes over those of the plain pass).

    Args:
        model: the classifier.
        images: the test images.
        labels: the test labels.
        view_sets: name → views (``None``: :data:`VIEW_SETS`).
        n_boot: bootstrap resamples.
    """
    import pandas as pd

    view_sets = view_sets or VIEW_SETS
    probs, seconds = view_predictions(model, images, [v for vs in view_sets.values() for v in vs])
    plain = probs["identity"]
    rows = []
    for name, views in view_sets.items():
        mean = torch.stack([probs[v] for v in views]).mean(0)
        cost = sum(seconds[v] for v in views) / seconds["identity"]
        rows.append(compare_row(name, mean, plain, labels, n_boot=n_boot, views=len(views),
                                cost=cost))
    return pd.DataFrame(rows)


def logits_of(zoo: Sequence[Trained], images: torch.Tensor) -> list[torch.Tensor]:
    """Every model's test logits, in the zoo's order.

    Args:
        zoo: the trained models.
        images: the images.
    """
    return [predict_logits(t.model, images) for t in zoo]
