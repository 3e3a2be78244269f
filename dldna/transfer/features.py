"""Inputs the way the pretrained weights expect them, and features computed once.

:func:`normalization` reads mean and standard deviation from the weights' own metadata;
:class:`Preprocess` turns a batch of small grey or colour images into the network's input;
:func:`extract_features` runs a frozen network once over a dataset and keeps the result in an
in-memory cache, so that several probes (seeds, learning rates, training-set sizes) on the same
images pay for the forward passes once.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .heads import find_head


@dataclass(frozen=True)
class Normalization:
    """Per-channel ``(x − mean) / std`` for inputs in [0, 1].

    Args:
        mean: one value per colour channel.
        std: one positive value per colour channel.
        source: where the numbers were read from.
    """

    mean: tuple[float, ...]
    std: tuple[float, ...]
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.mean) != len(self.std) or not all(s > 0 for s in self.std):
            raise ValueError(f"mean and std must have the same length and std must be positive, "
                             f"got mean={self.mean}, std={self.std}")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        mean = torch.tensor(self.mean, dtype=x.dtype, device=x.device)[:, None, None]
        std = torch.tensor(self.std, dtype=x.dtype, device=x.device)[:, None, None]
        return (x - mean) / std

    @property
    def input_range(self) -> tuple[float, float]:
        """The values that 0 and 1 become in the first channel, e.g. (−2.1, 2.2) for ImageNet
        statistics and (−1, 1) for Lite0."""
        return (-self.mean[0] / self.std[0], (1 - self.mean[0]) / self.std[0])


def _from_compose(transform, source: str) -> Normalization:
    for step in getattr(transform, "transforms", [transform]):
        if hasattr(step, "mean") and hasattr(step, "std"):
            return Normalization(tuple(map(float, step.mean)), tuple(map(float, step.std)),
                                 source)
    raise ValueError(f"{source}: its transform has no normalisation step")


# Names of the bundled pretrained networks → how to get their published preprocessing.
_NAMED = {"mobilenet_v2": "MobileNet_V2_Weights.IMAGENET1K_V1",
          "imagenet": "MobileNet_V2_Weights.IMAGENET1K_V1",
          "efficientnet_lite0": "lite0"}


def normalization(weights_or_name) -> Normalization:
    """The input normalisation that belongs to a set of pretrained weights.

    Args:
        weights_or_name: a torchvision weights enum (``MobileNet_V2_Weights.IMAGENET1K_V1``),
            its name as a string, or one of ``"mobilenet_v2"``, ``"efficientnet_lite0"``,
            ``"imagenet"``. Read from ``weights.transforms()`` for torchvision, from
            :func:`dldna.pretrained.efficientnet_lite.transform` for Lite0.
    """
    from torchvision.models import get_weight
    from torchvision.models._api import WeightsEnum

    if isinstance(weights_or_name, WeightsEnum):
        return _from_compose(weights_or_name.transforms(), str(weights_or_name))
    if not isinstance(weights_or_name, str):
        raise TypeError(f"weights_or_name must be a torchvision weights enum or a string, "
                        f"got {type(weights_or_name).__name__}")
    name = _NAMED.get(weights_or_name.strip().lower(), weights_or_name.strip())
    if name == "lite0":
        from ..pretrained.efficientnet_lite import transform

        return _from_compose(transform(), "efficientnet_lite0 (TensorFlow release)")
    try:
        weights = get_weight(name)
    except (ValueError, KeyError, AttributeError):
        raise ValueError(f"weights_or_name={weights_or_name!r} is neither a torchvision weights "
                         f"name nor one of {', '.join(_NAMED)}") from None
    return _from_compose(weights.transforms(), name)


@dataclass(frozen=True)
class Preprocess:
    """Batch → network input: grey to three channels, resize to a square of side ``size``, normalise.

    Args:
        size: side of the square input in pixels.
        norm: the normalisation (``None``: leave the values in [0, 1]).
    """

    size: int
    norm: Normalization | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.size, int) or self.size < 8:
            raise ValueError(f"size must be an integer ≥ 8, got {self.size!r}")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == torch.uint8:
            x = x.float() / 255.0
        if x.ndim != 4 or x.shape[1] not in (1, 3):
            raise ValueError(f"images must be N×1×H×W or N×3×H×W, got {tuple(x.shape)}")
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        if x.shape[-2:] != (self.size, self.size):
            x = F.interpolate(x, size=(self.size, self.size), mode="bilinear",
                              align_corners=False, antialias=x.shape[-1] > self.size)
        return self.norm(x) if self.norm is not None else x


# --------------------------------------------------------------------------------------------
# Feature extraction with a cache

_CACHE: OrderedDict = OrderedDict()
_STATS = {"hits": 0, "misses": 0}
CACHE_SIZE = 24


def cache_info() -> dict[str, int]:
    """Hits, misses and entries of the feature cache so far."""
    return {**_STATS, "entries": len(_CACHE)}


def clear_cache() -> None:
    """Forget every cached feature (the counts start again at 0)."""
    _CACHE.clear()
    _STATS.update(hits=0, misses=0)


def _fingerprint(model: nn.Module) -> tuple:
    # Every in-place change of a weight or buffer (optimiser step, load_state_dict, BN
    # statistics) bumps its tensor's version counter, so a changed model misses the cache.
    return tuple(t._version for t in model.state_dict(keep_vars=True).values())


def _as_images(data) -> tuple[torch.Tensor, torch.Tensor | None]:
    if isinstance(data, torch.Tensor):
        images, labels = data, None
    elif hasattr(data, "images") and hasattr(data, "labels"):
        images, labels = data.images, data.labels
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        images, labels = data
    else:
        raise TypeError(f"dataset_or_tensor must be an ImageDataset, an (images, labels) pair or "
                        f"an N×C×H×W tensor, got {type(data).__name__}")
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[0] == 0:
        raise ValueError("dataset_or_tensor: images must be a non-empty N×C×H×W tensor")
    return images, labels


class _Done(Exception):
    """Raised by a hook once every requested feature is captured (skips the rest)."""


@torch.no_grad()
def _run(model, images, layers, batch_size, preprocess, device) -> dict[str, torch.Tensor]:
    head_name, head = find_head(model)
    wanted = [head_name if name is None else name for name in layers]
    out: dict[str, list] = {name: [] for name in wanted}
    got: dict[str, torch.Tensor] = {}

    def keep(name, value):
        got[name] = value.detach().float().cpu()
        if len(got) == len(wanted):
            raise _Done

    handles = []
    for name in wanted:
        if name == head_name:
            handles.append(head.register_forward_pre_hook(lambda m, a, n=name: keep(n, a[0])))
        else:
            handles.append(model.get_submodule(name).register_forward_hook(
                lambda m, a, o, n=name: keep(n, o)))
    was_training = model.training
    model.eval()
    try:
        for start in range(0, images.shape[0], batch_size):
            x = images[start:start + batch_size].to(device)
            x = preprocess(x) if preprocess is not None else (
                x.float() / 255.0 if x.dtype == torch.uint8 else x)
            got.clear()
            try:
                model(x)
            except _Done:
                pass
            for name in wanted:
                out[name].append(got[name])
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return {name: torch.cat(parts) for name, parts in out.items()}


def extract_features(model: nn.Module, dataset_or_tensor, *, batch_size: int = 256,
                     preprocess=None, layer: str | Sequence[str] | None = None,
                     cache: bool = True, device: torch.device | str | None = None):
    """Run ``model`` in eval mode over the images and return what enters its head.

    Args:
        model: a classifier (see :func:`dldna.transfer.find_head`); its mode is restored.
        dataset_or_tensor: an ImageDataset, an ``(images, labels)`` pair or an image tensor.
        batch_size: images per forward pass.
        preprocess: batch transform before the model, e.g. :class:`Preprocess`
            (``None``: uint8 → [0, 1] only).
        layer: ``None`` for the head's input (the penultimate features), a module's dotted
            name for its output, or several names (then a dict name → tensor is returned).
        cache: reuse (and store) the result for the same model weights, images, preprocessing
            and layers.
        device: where to compute (``None``: where the model's parameters are).

    Returns:
        ``(features, labels)``: an N×… float tensor (or a dict of them) on the CPU, and the
        labels (``None`` for a bare tensor).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    images, labels = _as_images(dataset_or_tensor)
    several = isinstance(layer, (list, tuple))
    layers = tuple(layer) if several else (layer,)
    for name in layers:
        if name is not None:
            model.get_submodule(name)  # an AttributeError naming the missing layer
    device = torch.device(device) if device is not None else next(model.parameters()).device
    key = (id(model), _fingerprint(model), id(images), images._version, tuple(images.shape),
           preprocess if preprocess is None or _hashable(preprocess) else id(preprocess),
           layers, str(device))
    if cache and key in _CACHE:
        _STATS["hits"] += 1
        _CACHE.move_to_end(key)
        features = _CACHE[key][0]
    else:
        _STATS["misses"] += cache
        features = _run(model, images, layers, batch_size, preprocess, device)
        if cache:  # the entry holds the images and the model: their ids cannot be reused
            _CACHE[key] = (features, images, model, preprocess)
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    head_name = find_head(model)[0]
    result = {(n or head_name): features[n or head_name] for n in layers}
    return (result if several else result[layers[0] or head_name]), labels


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
