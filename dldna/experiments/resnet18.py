"""Train, save and reload a ResNet-18 for 28×28 grey images (for the architecture chapters).

``train_resnet18()`` uses the real Fashion-MNIST (installed with the environment by
``tools/fetch_fashion_mnist.py``, or cached, or downloaded in the gpu profile) and the bundled
MNIST-5k stand-in otherwise; every line it prints names the dataset actually used. The recipe
is :data:`RESNET18_RECIPE` (a :class:`dldna.train.TrainConfig`); its size per profile is a
:class:`dldna.config.RunSize` (:data:`RESNET18_SMOKE`, :data:`RESNET18_CPU`, :data:`RESNET18_GPU`),
picked by :func:`resnet18_settings`:

* ``gpu``   the real thing: full width (64), the whole training set, 10 epochs;
* ``cpu``   width 16 (about 1/16 of the multiply-adds of width 64) on all 60,000 training
  images for 2 epochs (batch 128, channels-last), scored on all 10,000 test images. Measured on
  the real Fashion-MNIST on a shared 2-core machine (load 6–8): 91.8 % (seed 1, 303 s of process
  CPU time with two threads, so about 150 s of wall time on a quiet machine, an estimate);
  30,000 images gave 90.4 % (seed 0, 136 s CPU on one thread). ``python -m dldna.bench
  resnet18`` measures it again;
* ``smoke`` width 8, 1,000 images, two epochs (tests; it learns, 44–52 %).

Model files are :mod:`dldna.models.io` files (registry name ``resnet18`` and its arguments),
written and read by :func:`dldna.models.io.save_model` and :func:`dldna.models.io.load_model`;
:func:`model_info` is the metadata stored with them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .. import data as _data
from ..checkpoint import CheckpointError
from ..config import Profile, RunSize, cache_dir, get_profile, seed_everything
from ..models import create
from ..models import io as _io
from ..models.io import load_model, save_model  # noqa: F401  (the one copy; dldna.train_resnet re-exports it)
from ..train import History, TrainConfig, evaluate, fit

MODEL_FORMAT = _io.MODEL_FORMAT

#: The training recipe of this ResNet-18 (AdamW, weight decay 0.05, one-cycle from 3e-3).
RESNET18_RECIPE = TrainConfig(optimizer="adamw", lr=3e-3, weight_decay=0.05,
                              schedule="onecycle")
#: smoke: a width-8 net on 1,000 images for 2 epochs, a few seconds (the tests); it learns
#: (44–52 % on 200 test images of Fashion-MNIST, seeds 0 and 1), where 300 images for one
#: epoch stayed at chance.
RESNET18_SMOKE = RunSize(width=8, train_size=1000, test_size=200, epochs=2, batch_size=64)
#: cpu: width 16 on all 60,000 training images for 2 epochs, scored on all 10,000 test images.
RESNET18_CPU = RunSize(width=16, train_size=None, test_size=None, epochs=2, batch_size=128)
#: gpu: the paper's width (64) on all 60,000 training images for 10 epochs.
RESNET18_GPU = RunSize(width=64, train_size=None, test_size=None, epochs=10, batch_size=128)
#: What the cpu profile may spend: width² × training images × epochs (cost grows with the
#: square of the width). Width 16 × 120,000 image passes took 303 s of CPU time, about 150 s
#: on two quiet cores (estimate).
CPU_BUDGET = 16 ** 2 * 120_000


def resnet18_settings(profile: str | None = None) -> RunSize:
    """The :class:`~dldna.config.RunSize` of a profile (``None``: the active one).

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``; ``None`` for the active profile.
    """
    chosen = Profile(profile) if profile is not None else get_profile()
    return chosen.pick(smoke=RESNET18_SMOKE, cpu=RESNET18_CPU, gpu=RESNET18_GPU)


def training_cost(settings: RunSize, train_images: int = 60_000) -> int:
    """The cost of a run in the units of ``CPU_BUDGET``, width² × images × epochs.

    Args:
        settings: the run's sizes.
        train_images: images in the whole training split (used when ``train_size`` is None).
    """
    if not isinstance(settings, RunSize):
        raise TypeError(f"settings must be a RunSize, got {type(settings).__name__}")
    images = min(settings.train_size or train_images, train_images)
    return (settings.width or 64) ** 2 * images * settings.epochs


@dataclass
class TrainedModel:
    """What :func:`train_resnet18` returns: the model and how it was made and measured.

    Args:
        model: the trained network.
        history: its per-epoch metrics.
        dataset: the name of the training data.
        classes: the class names, in label order.
        test_accuracy: accuracy on the test images (a fraction).
        path: where the model file was saved.
        settings: the run's sizes (epochs, width, subset sizes).
    """

    model: nn.Module
    history: History
    dataset: str
    classes: tuple[str, ...]
    test_accuracy: float
    path: Path
    settings: RunSize

    def __repr__(self) -> str:
        return (f"TrainedModel(ResNet-18 width {self.settings.width} on {self.dataset}: "
                f"test accuracy {self.test_accuracy:.1%}, saved at {self.path})")


@dataclass
class Example:
    """A trained model with one test image, its true label and the model's prediction.

    Args:
        model: the trained network.
        image: the test image, C×H×W floats in [0, 1].
        label: its true class index.
        prediction: the class index the model predicts.
        classes: the class names, in label order.
        dataset: the name of the data the image comes from.
    """

    model: nn.Module
    image: torch.Tensor          # C×H×W float in [0, 1]
    label: int
    prediction: int
    classes: tuple[str, ...]
    dataset: str

    @property
    def correct(self) -> bool:
        return self.label == self.prediction

    def __repr__(self) -> str:
        return (f"Example({self.dataset}: true {self.classes[self.label]!r}, predicted "
                f"{self.classes[self.prediction]!r})")


def train_resnet18(*, dataset: str = "fashion-mnist", epochs: int | None = None,
                   width: int | None = None, train_size: int | None = None,
                   lr: float = 3e-3, seed: int = 0, path: str | Path | None = None,
                   resume: bool = True, progress: bool | None = None,
                   verbose: bool = True) -> TrainedModel:
    """Train a small-stem ResNet-18 (sizes from the profile unless given) and save it.

    A checkpoint is written after every epoch next to ``path``; with ``resume=True`` an
    interrupted run continues where it stopped.

    Args:
        dataset: the dataset name for ``dldna.data.load``.
        epochs: training epochs; ``None``: the profile's.
        width: channels of the first stage; ``None``: the profile's.
        train_size: training images (a seeded subset); ``None``: the profile's.
        lr: the peak learning rate.
        seed: seeds the data subsets and the training run.
        path: the model file; ``None`` for one in the cache folder named after the settings.
        resume: continue an interrupted run from its checkpoint.
        progress: show progress bars (``None``: the profile decides).
        verbose: print the test accuracy at the end.
    """
    settings = resnet18_settings().replace(**{k: v for k, v in dict(
        epochs=epochs, width=width, train_size=train_size).items() if v is not None})
    seed_everything(seed)
    train_set, test_set = _datasets(dataset, settings, seed)
    arch = dict(num_classes=train_set.num_classes, in_channels=train_set.image_shape[0],
                small_input=True, width=settings.width)
    model = create("resnet18", **arch)
    if path is None:
        tag = train_set.name.split(" ")[0].lower()
        path = cache_dir() / f"resnet18-{tag}-w{settings.width}-n{len(train_set)}-" \
                             f"e{settings.epochs}-s{seed}.pt"
    path = Path(path)
    # channels-last memory layout: about 15 % faster convolutions on a CPU; back to the
    # default layout after training, so the saved and the returned model compute alike
    model.to(memory_format=torch.channels_last)
    history = fit(model, train_set, test_set, RESNET18_RECIPE, lr=lr, seed=seed,
                  checkpoint=path.with_suffix(".checkpoint.pt"), resume=resume,
                  progress=progress, preprocess=_channels_last, **settings.training())
    model.to(memory_format=torch.contiguous_format)
    accuracy = evaluate(model, test_set)["accuracy"]
    if verbose:
        print(f"ResNet-18 (width {settings.width}) trained on {len(train_set)} images of "
              f"{train_set.name} for {settings.epochs} epoch(s): test accuracy "
              f"{accuracy:.1%} on {len(test_set)} test images of {test_set.name}")
    _io.save_model(model, path, info=model_info(
        train_set.classes, train_set.name, examples=(test_set.images[:16], test_set.labels[:16]),
        metrics={"test_accuracy": accuracy}))
    return TrainedModel(model, history, train_set.name, train_set.classes, accuracy, path,
                        settings)


def _channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last)


def _datasets(dataset: str, settings: RunSize, seed: int):
    train_set, test_set = _data.load(dataset, "train"), _data.load(dataset, "test")
    if settings.train_size:
        train_set = train_set.subset(settings.train_size, seed=seed)
    if settings.test_size:
        test_set = test_set.subset(settings.test_size, seed=seed)
    return train_set, test_set


def model_info(classes: tuple[str, ...], dataset: str, *,
               examples: tuple[torch.Tensor, torch.Tensor] | None = None,
               metrics: dict[str, float] | None = None) -> dict[str, Any]:
    """The metadata stored with a trained model (the ``info`` of
    :func:`dldna.models.io.save_model`): what :func:`load_example` reads back.

    Args:
        classes: the class names, in label order.
        dataset: the name of the training data.
        examples: a few test images (``uint8``, as in ``ImageDataset.images``) and their labels.
        metrics: plain numbers to store, e.g. the test accuracy.
    """
    if not classes or not all(isinstance(c, str) for c in classes):
        raise ValueError(f"classes must be a non-empty sequence of names, got {classes!r}")
    info: dict[str, Any] = {"classes": list(classes), "dataset": dataset,
                            "metrics": dict(metrics or {})}
    if examples is not None:
        images, labels = examples
        if images.dtype != torch.uint8:
            raise TypeError("examples must be uint8 images (as in ImageDataset.images)")
        info["examples"] = {"images": images.cpu(), "labels": labels.cpu()}
    return info


def load_example(path: str | Path | None = None, *, index: int = 0,
                 train_if_missing: bool = True) -> Example:
    """A trained ResNet-18 and one of the test images saved with it, with label and prediction.

    Without ``path`` the profile's default model is used, trained first if it does not exist.

    Args:
        path: the model file; ``None`` for the profile's default model.
        index: which stored test image, from 0.
        train_if_missing: train and save the model if the file does not exist.
    """
    if path is None or (train_if_missing and not Path(path).exists()):
        path = train_resnet18(path=path, verbose=True).path
    model, info = _io.load_model(path)
    if "examples" not in info:
        raise CheckpointError(f"{path} holds no test images; save it with examples=...")
    images, labels = info["examples"]["images"], info["examples"]["labels"]
    if not 0 <= index < len(labels):
        raise ValueError(f"index must be in [0, {len(labels) - 1}], got {index}")
    image = images[index].float() / 255.0
    with torch.no_grad():
        prediction = int(model(image[None]).argmax(1))
    return Example(model, image, int(labels[index]), prediction, tuple(info["classes"]),
                   info["dataset"])
