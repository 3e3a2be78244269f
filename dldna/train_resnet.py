"""Train, save and reload a ResNet-18 for 28×28 grey images (for the architecture chapters).

``train_resnet18()`` uses Fashion-MNIST when it is cached or may be downloaded (gpu profile,
``DLDNA_DOWNLOAD=1``) and the bundled MNIST-5k stand-in otherwise; every line it prints names
the dataset actually used. Sizes per profile (see :func:`resnet18_settings`):

* ``gpu``   the real thing: full width (64), the whole training set, 10 epochs;
* ``cpu``   a scaled-down run that finishes in minutes on two cores: width 16 (about 1/16 of the
  multiply-adds), a class-balanced subset of the training set, a few epochs;
* ``smoke`` width 4, a few hundred images, one epoch (tests).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import data as _data
from .checkpoint import CheckpointError, load_checkpoint, restore_model, save_checkpoint
from .config import cache_dir, get_profile, seed_everything
from .models import resnet as _resnet
from .train import History, evaluate, fit

MODEL_FORMAT = "dldna-model-v1"
_BUILDERS = {"ResNet18": _resnet.ResNet18, "ResNet34": _resnet.ResNet34,
             "ResNet50": _resnet.ResNet50}


def resnet18_settings(profile: str | None = None) -> dict[str, Any]:
    """Width, training-set size, test-set size and epochs for a profile (``None`` = active)."""
    name = profile or get_profile().name
    return {"smoke": dict(width=4, train_size=300, test_size=200, epochs=1, batch_size=64),
            "cpu": dict(width=16, train_size=2000, test_size=1000, epochs=3, batch_size=64),
            "gpu": dict(width=64, train_size=None, test_size=None, epochs=10, batch_size=128),
            }[name]


@dataclass
class TrainedModel:
    """What :func:`train_resnet18` returns: the model and how it was made and measured."""

    model: nn.Module
    history: History
    dataset: str
    classes: tuple[str, ...]
    test_accuracy: float
    path: Path
    settings: dict[str, Any]

    def __repr__(self) -> str:
        return (f"TrainedModel(ResNet-18 width {self.settings['width']} on {self.dataset}: "
                f"test accuracy {self.test_accuracy:.1%}, saved at {self.path})")


@dataclass
class Example:
    """A trained model with one test image, its true label and the model's prediction."""

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
    """
    settings = resnet18_settings()
    settings.update({k: v for k, v in dict(epochs=epochs, width=width,
                                           train_size=train_size).items() if v is not None})
    seed_everything(seed)
    train_set = _data.load(dataset, "train")
    test_set = _data.load(dataset, "test")
    if settings["train_size"]:
        train_set = train_set.subset(settings["train_size"], seed=seed)
    if settings["test_size"]:
        test_set = test_set.subset(settings["test_size"], seed=seed)
    arch = dict(num_classes=train_set.num_classes, in_channels=train_set.image_shape[0],
                small_input=True, width=settings["width"])
    model = _resnet.ResNet18(**arch)
    if path is None:
        tag = train_set.name.split(" ")[0].lower()
        path = cache_dir() / f"resnet18-{tag}-w{settings['width']}-n{len(train_set)}-" \
                             f"e{settings['epochs']}-s{seed}.pt"
    path = Path(path)
    history = fit(model, train_set, test_set, epochs=settings["epochs"], lr=lr, seed=seed,
                  optimizer="adamw", weight_decay=0.05, schedule="onecycle",
                  batch_size=settings["batch_size"], checkpoint=path.with_suffix(".checkpoint.pt"),
                  resume=resume, progress=progress)
    accuracy = evaluate(model, test_set)["accuracy"]
    if verbose:
        print(f"ResNet-18 (width {settings['width']}) trained on {len(train_set)} images of "
              f"{train_set.name} for {settings['epochs']} epoch(s): test accuracy "
              f"{accuracy:.1%} on {len(test_set)} test images of {test_set.name}")
    save_model(model, path, arch=arch, classes=train_set.classes, dataset=train_set.name,
               examples=(test_set.images[:16], test_set.labels[:16]),
               metrics={"test_accuracy": accuracy})
    return TrainedModel(model, history, train_set.name, train_set.classes, accuracy, path,
                        settings)


def save_model(model: nn.Module, path: str | Path, *, arch: dict[str, Any],
               classes: tuple[str, ...], dataset: str, builder: str = "ResNet18",
               examples: tuple[torch.Tensor, torch.Tensor] | None = None,
               metrics: dict[str, float] | None = None) -> Path:
    """Save weights plus everything needed to rebuild the model (written atomically)."""
    if builder not in _BUILDERS:
        raise ValueError(f"builder must be one of {sorted(_BUILDERS)}, got {builder!r}")
    if len(classes) != arch.get("num_classes", len(classes)):
        raise ValueError(f"{len(classes)} class names for a model with "
                         f"{arch['num_classes']} outputs")
    state = {"builder": builder, "arch": dict(arch), "classes": list(classes),
             "dataset": dataset, "metrics": dict(metrics or {}),
             "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
    if examples is not None:
        images, labels = examples
        if images.dtype != torch.uint8:
            raise TypeError("examples must be uint8 images (as in ImageDataset.images)")
        state["examples"] = {"images": images.cpu(), "labels": labels.cpu()}
    return save_checkpoint(path, state, kind=MODEL_FORMAT)


def load_model(path: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild a model saved by :func:`save_model`; returns ``(model in eval mode, info)``."""
    state = load_checkpoint(path, kind=MODEL_FORMAT)
    if state.get("builder") not in _BUILDERS:
        raise CheckpointError(f"{path} names an unknown builder {state.get('builder')!r}")
    try:
        model = _BUILDERS[state["builder"]](**state["arch"])
    except TypeError as err:
        raise CheckpointError(f"{path} has unusable model settings: {err}") from err
    restore_model(model, state["state_dict"], f"model file {path}")
    info = {k: v for k, v in state.items() if k not in ("state_dict", "format")}
    info["classes"] = tuple(info["classes"])
    return model.eval(), info


def load_example(path: str | Path | None = None, *, index: int = 0,
                 train_if_missing: bool = True) -> Example:
    """A trained ResNet-18 and one of the test images saved with it, with label and prediction.

    Without ``path`` the profile's default model is used, trained first if it does not exist.
    """
    if path is None or (train_if_missing and not Path(path).exists()):
        path = train_resnet18(path=path, verbose=True).path
    model, info = load_model(path)
    if "examples" not in info:
        raise CheckpointError(f"{path} holds no test images; save it with examples=...")
    images, labels = info["examples"]["images"], info["examples"]["labels"]
    if not 0 <= index < len(labels):
        raise ValueError(f"index must be in [0, {len(labels) - 1}], got {index}")
    image = images[index].float() / 255.0
    with torch.no_grad():
        prediction = int(model(image[None]).argmax(1))
    return Example(model, image, int(labels[index]), prediction, info["classes"], info["dataset"])
