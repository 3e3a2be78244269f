"""Data: the image datasets (:func:`load`), where their files are, bundled photos, augmentation.

* ``dldna.data.datasets`` – :func:`load` and :class:`ImageDataset`;
* :mod:`dldna.data.files` – torchvision's on-disk layouts and where the files are searched for;
* :mod:`dldna.data.photos` – the bundled photos (scikit-image's sample images);
* :mod:`dldna.data.augment` – image augmentations (chapter 10).

``dldna.data`` re-exports ``dldna.data.datasets``, so ``dldna.data.load`` keeps working.
"""
from .datasets import NAMES, PATCH_PHOTOS, SPLITS, ImageDataset, load

__all__ = ["ImageDataset", "NAMES", "PATCH_PHOTOS", "SPLITS", "load"]
