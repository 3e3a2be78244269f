"""Execution profiles, seeding, device choice and the cache directory.

One environment variable, ``DLDNA_PROFILE``, chooses how much work each chapter does:

* ``smoke`` – the test suite: every notebook in seconds on tiny subsets.
* ``cpu``   – the default without CUDA: the book build, minutes, real results on bundled data.
* ``gpu``   – the default with CUDA (Colab): the full recipes on the real datasets.
"""
from __future__ import annotations

import os
import random
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch

PROFILES = ("smoke", "cpu", "gpu")
PROFILE_ENV = "DLDNA_PROFILE"
CACHE_ENV = "DLDNA_CACHE"
DOWNLOAD_ENV = "DLDNA_DOWNLOAD"
BOOK_BUILD_ENV = "DLDNA_BOOK_BUILD"  # set by the book build (book/_ext/dldna_book.py)


class DldnaNotice(UserWarning):
    """Something a reader should know that is not an error (a stand-in dataset, a substitute
    setting). Notices go through ``warnings``, so a notebook shows each one once and a test can
    assert it (``pytest.warns(DldnaNotice)``) or silence it (``warnings.simplefilter``)."""


class DatasetFallbackWarning(DldnaNotice):
    """A named dataset is missing and cannot be downloaded: its bundled stand-in is used."""


@dataclass(frozen=True)
class Profile:
    """The active execution profile; ``pick`` selects a per-profile value.

    Args:
        name: ``"smoke"``, ``"cpu"`` or ``"gpu"``.
    """

    name: str

    def __post_init__(self) -> None:
        if self.name not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {self.name!r}")

    def pick(self, *, smoke: Any, cpu: Any, gpu: Any) -> Any:
        """Return the value for this profile, e.g. ``epochs = P.pick(smoke=1, cpu=5, gpu=30)``;
        for the size of a whole run pick a :class:`RunSize`.

        Args:
            smoke: the value in the smoke profile (a few seconds per chapter).
            cpu: the value in the cpu profile (a laptop's CPU).
            gpu: the value in the gpu profile (full-size runs).

        Returns:
            The one of the three that belongs to this profile.
        """
        return {"smoke": smoke, "cpu": cpu, "gpu": gpu}[self.name]

    @property
    def is_smoke(self) -> bool:
        return self.name == "smoke"

    def __str__(self) -> str:
        return self.name


def check_positive_int(value: Any, name: str, *, optional: bool = False) -> int | None:
    """``value`` as an ``int`` if it is a whole number ≥ 1 (a NumPy integer too, not a bool);
    otherwise ``ValueError`` naming ``name``. The one positive-integer check of the library.

    Args:
        value: the value to check.
        name: the argument's name, for the message.
        optional: also accept ``None`` (and return it).
    """
    if optional and value is None:
        return None
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int{' or None' if optional else ''}, "
                         f"got {value!r}")
    return int(value)


def check_positive_ints(**values: Any) -> None:
    """:func:`check_positive_int` for several keyword arguments: ``check_positive_ints(k=k)``."""
    for name, value in values.items():
        check_positive_int(value, name)


def check_range(value: Any, name: str, low: float, high: float, *,
                integer: bool = False) -> float | int:
    """``value`` if it is a number (an int when ``integer``) in ``[low, high]``; otherwise a
    ValueError naming ``name`` and the range. The one range check of the library's settings.

    Args:
        value: the value to check.
        name: the argument's name, for the message.
        low: the smallest value allowed.
        high: the largest value allowed.
        integer: also require a whole number.
    """
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        what = "an int" if integer else "a number"
        raise ValueError(f"{name} must be {what} in [{low}, {high}], got {value!r}")
    return value


def check_label_range(labels: Any, num_classes: int, name: str = "labels") -> torch.Tensor:
    """``labels`` as a long tensor if every one is a class index in ``[0, num_classes)``;
    otherwise a TypeError/ValueError giving the range found and the range expected. The one
    label check of the library (mixing, training, metrics, gradient norms).

    Args:
        labels: class indices: a tensor, an array, a list or one int.
        num_classes: how many classes there are.
        name: the argument's name, for the message.
    """
    num_classes = check_positive_int(num_classes, "num_classes")
    tensor = labels.detach().cpu() if isinstance(labels, torch.Tensor) else torch.as_tensor(
        np.asarray(labels))
    if tensor.dtype == torch.bool or tensor.is_floating_point() or tensor.is_complex():
        raise TypeError(f"{name} must be integer class indices, got {tensor.dtype}: "
                        "convert with `.long()` (soft labels are not class indices)")
    tensor = tensor.long()
    if tensor.numel() == 0:
        return tensor
    low, high = int(tensor.min()), int(tensor.max())
    if low < 0 or high >= num_classes:
        hint = (" (1-based labels? subtract 1)" if low >= 1 and high == num_classes else
                " (negative labels are not class indices)" if low < 0 else
                f" (build it with num_classes={high + 1}?)")
        raise ValueError(f"{name} must lie in [0, {num_classes - 1}] for {num_classes} "
                         f"classes; got values in [{low}, {high}]{hint}")
    return tensor


@dataclass(frozen=True)
class RunSize:
    """How big one training run is in one profile; the one way the library sizes its runs.

    The training recipe itself (optimiser, learning rate, schedule …) is a
    :class:`dldna.train.TrainConfig`; a ``RunSize`` holds only what the profile scales: epochs
    and batch size (and, where a recipe scales them too, warm-up epochs and the EMA decay), the
    network ``width``, and how many training and test images (``None``: the whole split).
    Choose one per profile with :meth:`Profile.pick`::

        size = get_profile().pick(smoke=RunSize(epochs=1, batch_size=64, width=4),
                                  cpu=RunSize(epochs=3, batch_size=64, width=16),
                                  gpu=RunSize(epochs=10, batch_size=128, width=64))
        fit(model, train, test, recipe, **size.training())

    Args:
        epochs: passes over the training set, ≥ 1.
        batch_size: images per training step, ≥ 1.
        width: channel-width knob of the network, ≥ 1 (``None``: the model's default).
        train_size: training images to use, ≥ 1 (``None``: the whole split).
        test_size: test images to use, ≥ 1 (``None``: the whole split).
        warmup_epochs: epochs of learning-rate warm-up, in [0, ``epochs``] (``None``: the
            recipe's).
        ema_decay: decay of the weight average, in (0, 1) (``None``: no averaging).
    """

    epochs: int
    batch_size: int
    width: int | None = None
    train_size: int | None = None
    test_size: int | None = None
    warmup_epochs: float | None = None
    ema_decay: float | None = None

    def __post_init__(self) -> None:
        check_positive_ints(epochs=self.epochs, batch_size=self.batch_size)
        for name in ("width", "train_size", "test_size"):
            check_positive_int(getattr(self, name), name, optional=True)
        if self.warmup_epochs is not None and not 0 <= self.warmup_epochs <= self.epochs:
            raise ValueError(f"warmup_epochs must lie in [0, epochs={self.epochs}], "
                             f"got {self.warmup_epochs!r}")
        if self.ema_decay is not None and not 0 < self.ema_decay < 1:
            raise ValueError(f"ema_decay must lie in (0, 1), got {self.ema_decay!r}")

    def training(self) -> dict[str, Any]:
        """The :class:`~dldna.train.TrainConfig` fields this size always sets (keywords for
        ``fit``): epochs, batch size and, if given, warm-up epochs. ``ema_decay`` is left out:
        it switches averaging on, which a recipe decides (``fit(..., ema_decay=size.ema_decay)``).
        """
        fields = {"epochs": self.epochs, "batch_size": self.batch_size,
                  "warmup_epochs": self.warmup_epochs}
        return {k: v for k, v in fields.items() if v is not None}

    def replace(self, **changes: Any) -> "RunSize":
        """A copy with some fields changed (checked again).

        Args:
            changes: field names and their new values.
        """
        return replace(self, **changes)


def get_profile() -> Profile:
    """Read ``DLDNA_PROFILE`` (smoke/cpu/gpu); without it, ``gpu`` with CUDA, else ``cpu``."""
    value = os.environ.get(PROFILE_ENV, "").strip().lower()
    if not value:
        return Profile("gpu" if torch.cuda.is_available() else "cpu")
    if value not in PROFILES:
        raise ValueError(
            f"{PROFILE_ENV}={value!r} is not a profile; expected one of {', '.join(PROFILES)}"
        )
    return Profile(value)


def show_progress() -> bool:
    """Whether training shows progress bars by default: yes in Jupyter and Colab; no in the
    smoke profile, and no while the book is built (a saved bar is only blank space in the HTML;
    the chapters print their results instead)."""
    return not get_profile().is_smoke and os.environ.get(BOOK_BUILD_ENV) != "1"


def seed_everything(seed: int = 0) -> int:
    """Seed Python, NumPy and PyTorch (CPU and CUDA) so two runs give the same numbers.

    Only the random number generators change; no global flag is set. cuDNN's deterministic
    algorithms are switched on for a block of code by :func:`deterministic_cudnn`, which
    :func:`dldna.train.fit` uses around its run and undoes after it.

    Args:
        seed: a non-negative integer (NumPy gets it modulo 2³²).

    Returns:
        The seed used, as a Python ``int``.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed


@contextmanager
def deterministic_cudnn(enabled: bool = True) -> Iterator[None]:
    """Inside the block, cuDNN uses deterministic algorithms and does no autotuning (so a seeded
    GPU run repeats exactly); the caller's ``torch.backends.cudnn`` flags come back after it.

    Args:
        enabled: ``False`` leaves the flags as they are (the block does nothing).
    """
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool, got {type(enabled).__name__}")
    cudnn = torch.backends.cudnn
    saved = (cudnn.deterministic, cudnn.benchmark)
    try:
        if enabled:
            cudnn.deterministic, cudnn.benchmark = True, False
        yield
    finally:
        cudnn.deterministic, cudnn.benchmark = saved


def get_device(prefer: str | None = None) -> torch.device:
    """CUDA when available (or ``prefer`` if given and usable), otherwise the CPU.

    Args:
        prefer: a device string such as ``"cpu"`` or ``"cuda:1"`` to use instead of the
            automatic choice; asking for CUDA without CUDA raises ``ValueError``.
    """
    if prefer is not None:
        device = torch.device(prefer)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"prefer={prefer!r} asks for CUDA, but no CUDA device is available")
        return device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cache_dir() -> Path:
    """The one directory for downloads and trained models (``DLDNA_CACHE`` overrides it)."""
    root = os.environ.get(CACHE_ENV)
    path = Path(root).expanduser() if root else Path.home() / ".cache" / "dldna"
    path.mkdir(parents=True, exist_ok=True)
    return path


def downloads_allowed() -> bool:
    """Network downloads happen only in the gpu profile or when ``DLDNA_DOWNLOAD=1``."""
    flag = os.environ.get(DOWNLOAD_ENV, "").strip().lower()
    if flag in {"0", "false", "no"}:
        return False
    return flag in {"1", "true", "yes"} or get_profile().name == "gpu"
