"""Where datasets live on disk and how their original file formats are read.

Two kinds of folder are searched, in this order:

* the **data folder** of the environment, ``<sys.prefix>/share/dldna/data`` (``DLDNA_DATA``
  overrides it): filled once when the environment is built, by ``tools/fetch_fashion_mnist.py``,
  which the Makefile's ``.venv`` bootstrap runs; read-only afterwards;
* the **cache** (:func:`dldna.config.cache_dir`, ``DLDNA_CACHE``): where torchvision downloads.

Both use torchvision's layout (``FashionMNIST/raw/``, ``cifar-10-batches-py/`` …), so
``torchvision.datasets.FashionMNIST(data_dir(), download=False)`` reads the very same files.
"""
from __future__ import annotations

import gzip
import os
import pickle
import sys
from pathlib import Path

import numpy as np

from ..config import cache_dir

DATA_ENV = "DLDNA_DATA"
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def data_dir() -> Path:
    """The read-only data folder: ``DLDNA_DATA``, else ``<sys.prefix>/share/dldna/data``."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value).expanduser() if value else Path(sys.prefix) / "share" / "dldna" / "data"


def search_roots(root: str | Path | None = None) -> list[Path]:
    """The folders to look in: ``[root]`` when given, else the data folder and then the cache.

    Args:
        root: a folder chosen by the caller (``None``: the default folders).
    """
    if root is not None:
        return [Path(root)]
    roots = [data_dir(), cache_dir()]
    return roots if roots[0].resolve() != roots[1].resolve() else roots[1:]


def short_path(path: Path) -> str:
    """A path for printed messages without the machine's home or environment prefix."""
    path = Path(path)
    for base, shown in ((Path(sys.prefix), "<env>"), (Path.home(), "~")):
        try:
            return str(Path(shown) / path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (the MNIST family's format), plain or gzipped."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path} is truncated: expected {int(np.prod(dims))} values, "
                         f"found {data.size}")
    return data.reshape(dims).copy()  # frombuffer is read-only; torch wants writable memory


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    return None


def fashion_mnist_files(root: Path, split: str):
    """``(images N×1×28×28, labels, classes)`` from ``root/FashionMNIST/raw``, or None."""
    raw = Path(root) / "FashionMNIST" / "raw"
    prefix = "train" if split == "train" else "t10k"
    images = _find(raw, f"{prefix}-images-idx3-ubyte")
    labels = _find(raw, f"{prefix}-labels-idx1-ubyte")
    if images is None or labels is None:
        return None
    return read_idx(images)[:, None], read_idx(labels).astype(np.int64), FASHION_CLASSES


def _unpickle(path: Path) -> dict:
    with open(path, "rb") as fh:
        return pickle.load(fh, encoding="latin1")


def cifar_files(root: Path, split: str, *, hundred: bool):
    """``(images N×3×32×32, labels, classes)`` from torchvision's CIFAR folders, or None."""
    folder = Path(root) / ("cifar-100-python" if hundred else "cifar-10-batches-py")
    if hundred:
        files = [folder / split]
        meta, label_key, names_key = folder / "meta", "fine_labels", "fine_label_names"
    else:
        files = ([folder / f"data_batch_{i}" for i in range(1, 6)] if split == "train"
                 else [folder / "test_batch"])
        meta, label_key, names_key = folder / "batches.meta", "labels", "label_names"
    if not meta.exists() or not all(f.exists() for f in files):
        return None
    batches = [_unpickle(f) for f in files]
    images = np.concatenate([np.asarray(b["data"], dtype=np.uint8) for b in batches])
    labels = np.concatenate([np.asarray(b[label_key], dtype=np.int64) for b in batches])
    return images.reshape(-1, 3, 32, 32), labels, tuple(_unpickle(meta)[names_key])
