"""Real photographs that ship inside installed wheels (skimage, matplotlib, scikit-learn).

Nothing here touches the network: every name below is read from a file already on disk.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from skimage import data

        return getattr(data, name)()

    return load


def _matplotlib(filename: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import matplotlib.cbook as cbook
        from PIL import Image

        with cbook.get_sample_data(filename) as fh:
            return np.asarray(Image.open(fh).convert("RGB"))

    return load


def _sklearn(filename: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image

        return load_sample_image(filename)

    return load


# name -> (loader, where it comes from); each returns uint8, H×W (grey) or H×W×3 (colour).
_SOURCES: dict[str, tuple[Callable[[], np.ndarray], str]] = {
    "astronaut": (_skimage("astronaut"), "skimage: Eileen Collins, NASA"),
    "camera": (_skimage("camera"), "skimage: cameraman"),
    "coffee": (_skimage("coffee"), "skimage: a cup of coffee"),
    "chelsea": (_skimage("chelsea"), "skimage: Chelsea the cat"),
    "rocket": (_skimage("rocket"), "skimage: a rocket launch"),
    "coins": (_skimage("coins"), "skimage: Greek coins"),
    "brick": (_skimage("brick"), "skimage: brick wall texture"),
    "grass": (_skimage("grass"), "skimage: grass texture"),
    "gravel": (_skimage("gravel"), "skimage: gravel texture"),
    "moon": (_skimage("moon"), "skimage: lunar surface"),
    "text": (_skimage("text"), "skimage: handwritten text"),
    "hubble": (_skimage("hubble_deep_field"), "skimage: Hubble deep field"),
    "cells": (_skimage("immunohistochemistry"), "skimage: immunohistochemistry stain"),
    "grace_hopper": (_matplotlib("grace_hopper.jpg"), "matplotlib: Grace Hopper"),
    "china": (_sklearn("china.jpg"), "scikit-learn: a temple in China"),
    "flower": (_sklearn("flower.jpg"), "scikit-learn: a flower"),
}

#: The names :func:`photo` accepts, one per bundled photograph.
PHOTOS: tuple[str, ...] = tuple(_SOURCES)


@lru_cache(maxsize=None)
def _cached(name: str) -> np.ndarray:
    image = np.asarray(_SOURCES[name][0]())
    if image.ndim == 3 and image.shape[2] == 4:  # drop alpha
        image = image[..., :3]
    image = np.ascontiguousarray(image.astype(np.uint8, copy=False))
    image.setflags(write=False)
    return image


def photo(name: str = "chelsea", *, grey: bool = False) -> np.ndarray:
    """A bundled photo as a uint8 array (H×W×3, or H×W with ``grey=True``).

    Args:
        name: a bundled photo's name, one of ``PHOTOS``.
        grey: return the luminance (H×W) instead of the colour photo.

    >>> photo("coffee").shape
    (400, 600, 3)
    """
    if name not in _SOURCES:
        raise ValueError(f"name={name!r} is not a bundled photo; known photos: {', '.join(PHOTOS)}")
    image = _cached(name)
    if grey and image.ndim == 3:
        weights = np.array([0.299, 0.587, 0.114])
        return np.round(image @ weights).clip(0, 255).astype(np.uint8)
    if not grey and image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=2)
    return image.copy()


def describe(name: str) -> str:
    """Where a bundled photo comes from.

    Args:
        name: a bundled photo's name, one of ``PHOTOS``.
    """
    if name not in _SOURCES:
        raise ValueError(f"name={name!r} is not a bundled photo; known photos: {', '.join(PHOTOS)}")
    return _SOURCES[name][1]
