"""``dldna.chapter_07.train_resnet`` (compatibility): train, save and reload a ResNet-18 on
Fashion-MNIST with the original calls, around :mod:`dldna.train_resnet`.

The profile (``DLDNA_PROFILE``) sets the size and the time of training: ``gpu`` trains the full
ResNet-18 (width 64) on all 60,000 images for the requested epochs; ``cpu`` a narrower one
(width 16) on all 60,000 images for 2 epochs (91.8 % on the 10,000 test images with seed 1,
about 150 s on two quiet cores, an estimate); ``smoke`` a tiny one for seconds. All of them
train at 28×28 with a 3×3 stem; the original resized the images to 224×224.
"""
from __future__ import annotations

from pathlib import Path

from torch import nn

from .. import data as _data
from .. import train_resnet as _tr
from ..config import cache_dir, get_profile
from ..models import BasicBlock, ResNet
from ..models import io as _io

EXAMPLES = 16  # test images saved with a model (the first ones of the test split)


def default_model_path() -> Path:
    """Where :func:`save_model` writes and :func:`get_trained_model_and_test_image` looks: one
    file per profile in the cache directory."""
    return cache_dir() / "models" / f"resnet18_fashion-{get_profile().name}.pt"


def train_resnet18(epochs: int = 10, batch_size: int | None = None,
                   learning_rate: float | None = None) -> nn.Module:
    """Train a ResNet-18 on Fashion-MNIST and return the trained model (in eval mode).

    The profile sets the size and the time: only the gpu profile trains the ``epochs`` asked
    for; cpu and smoke use their own few epochs and say so. ``batch_size`` is the profile's;
    ``learning_rate`` (default: the library's recipe, AdamW with one-cycle 3e-3) is passed on.

    Args:
        epochs: epochs to train (gpu profile only).
        batch_size: ignored with a message: the profile sets it.
        learning_rate: peak learning rate; ``None`` for the library's 3e-3.
    """
    profile = get_profile().name
    if profile != "gpu":
        print(f"[dldna] {profile} profile: its own short schedule instead of {epochs} epochs "
              f"(DLDNA_PROFILE=gpu trains the full run).")
    if batch_size is not None:
        print(f"[dldna] batch_size={batch_size} is ignored: the {profile} profile sets it.")
    kwargs = {} if learning_rate is None else {"lr": float(learning_rate)}
    record = _tr.train_resnet18(epochs=epochs if profile == "gpu" else None, **kwargs)
    return record.model.eval()


def _resnet18_arch(model: nn.Module) -> dict:
    if not isinstance(model, ResNet):
        raise TypeError(f"model must be a dldna ResNet (e.g. from train_resnet18), "
                        f"got {type(model).__name__}")
    blocks = [len(getattr(model, f"layer{i}")) for i in range(1, 5)]
    if blocks != [2, 2, 2, 2] or not isinstance(model.layer1[0], BasicBlock):
        raise ValueError(f"model must be a ResNet-18 (BasicBlock × [2, 2, 2, 2]), got {blocks}")
    return {"num_classes": model.fc.out_features, "in_channels": model.conv1.in_channels,
            "small_input": isinstance(model.maxpool, nn.Identity),
            "width": model.conv1.out_channels}


def save_model(model: nn.Module, path: str | Path | None = None) -> Path:
    """Save a ResNet-18 with its class names and the first test images (for the loader);
    without ``path`` to :func:`default_model_path`. Returns the path written.

    Args:
        model: a dldna ResNet-18 for Fashion-MNIST (10 classes, 1 channel).
        path: the file to write; ``None`` for :func:`default_model_path`.
    """
    arch = _resnet18_arch(model)
    test = _data.load("fashion-mnist", "test")
    if (arch["num_classes"], arch["in_channels"]) != (test.num_classes, test.image_shape[0]):
        raise ValueError(f"model has {arch['num_classes']} classes and {arch['in_channels']} "
                         f"input channel(s); {test.name} has {test.num_classes} and "
                         f"{test.image_shape[0]}")
    path = Path(path) if path is not None else default_model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return _io.save_model(model, path, name="resnet18", kwargs=arch, info=_tr.model_info(
        test.classes, test.name, examples=(test.images[:EXAMPLES], test.labels[:EXAMPLES])))


def get_trained_model_and_test_image(model_path: str | Path | None = None):
    """``(model, test_image, label, pred, classes)``: the saved model, the first test image
    (C×H×W float in [0, 1]), its label and the model's prediction (ints) and the class names.
    With no model saved at ``model_path`` (default :func:`default_model_path`), one is trained
    and saved first, as the original did.

    Args:
        model_path: the saved model; ``None`` for :func:`default_model_path`.
    """
    path = Path(model_path) if model_path is not None else default_model_path()
    if not path.exists():
        print(f"[dldna] No trained model '{path.name}' yet: training one first "
              f"({get_profile().name} profile).")
        save_model(train_resnet18(), path)
    example = _tr.load_example(path, index=0, train_if_missing=False)
    return example.model, example.image, example.label, example.prediction, example.classes


__all__ = ["train_resnet18", "save_model", "get_trained_model_and_test_image",
           "default_model_path"]
