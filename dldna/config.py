"""Execution profiles, seeding, device choice and the cache directory.

One environment variable, ``DLDNA_PROFILE``, chooses how much work each chapter does:

* ``smoke`` – the test suite: every notebook in seconds on tiny subsets.
* ``cpu``   – the default without CUDA: the book build, minutes, real results on bundled data.
* ``gpu``   – the default with CUDA (Colab): the full recipes on the real datasets.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

PROFILES = ("smoke", "cpu", "gpu")
PROFILE_ENV = "DLDNA_PROFILE"
CACHE_ENV = "DLDNA_CACHE"
DOWNLOAD_ENV = "DLDNA_DOWNLOAD"
BOOK_BUILD_ENV = "DLDNA_BOOK_BUILD"  # set by the book build (book/_ext/dldna_book.py)


@dataclass(frozen=True)
class Profile:
    """The active execution profile; ``pick`` selects a per-profile value."""

    name: str

    def pick(self, *, smoke: Any, cpu: Any, gpu: Any) -> Any:
        """Return the value for this profile, e.g. ``epochs = P.pick(smoke=1, cpu=5, gpu=30)``."""
        return {"smoke": smoke, "cpu": cpu, "gpu": gpu}[self.name]

    @property
    def is_smoke(self) -> bool:
        return self.name == "smoke"

    def __str__(self) -> str:
        return self.name


def get_profile() -> Profile:
    """Read ``DLDNA_PROFILE`` (smoke/cpu/gpu); without it, ``gpu`` if CUDA is present else ``cpu``."""
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


def seed_everything(seed: int = 0, *, deterministic: bool = True) -> int:
    """Seed Python, NumPy and PyTorch (CPU and CUDA) so two runs give the same numbers."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    return seed


def get_device(prefer: str | None = None) -> torch.device:
    """CUDA when available (or ``prefer`` if given and usable), otherwise the CPU."""
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
