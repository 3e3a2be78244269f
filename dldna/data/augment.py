"""Data augmentation with ``torchvision.transforms.v2``: named operations for the gallery and the
playground, per-image randomness for training batches, and MixUp/CutMix with visible labels.

A v2 transform called on a batch draws *one* random setting for the whole batch; training wants
a fresh draw per image, which :class:`PerImage` provides (cheap for small images).
"""
from __future__ import annotations

from typing import Callable

import torch
from torchvision.transforms import v2

from ..config import check_label_range, check_positive_int, check_range

from .batch_ops import BatchRotation, batch_crop, erase_mask, rotate_batch  # noqa: F401

OPS = ("horizontal flip", "pad + random crop", "random resized crop", "colour jitter",
       "rotation", "random erasing", "gaussian blur", "AutoAugment", "RandAugment",
       "TrivialAugment")


def make_op(name: str, magnitude: float = 0.5, size: int | None = None) -> Callable:
    """One named augmentation; ``magnitude`` in [0, 1] sets its strength.

    ``size`` is the image side (the crops need it). AutoAugment uses its ImageNet
    policy and TrivialAugment draws its own strength: ``magnitude`` does not
    change them.

    Args:
        name: one of ``OPS``.
        magnitude: strength, 0 (none) to 1 (strongest).
        size: image side in pixels; needed by the two crops.
    """
    if name not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, got {name!r}")
    check_range(magnitude, "magnitude", 0, 1)
    if name in ("pad + random crop", "random resized crop") and not size:
        raise ValueError(f"{name!r} needs the image size")
    m = float(magnitude)
    if name == "horizontal flip":
        return v2.RandomHorizontalFlip(p=m)
    if name == "pad + random crop":
        return v2.RandomCrop(size, padding=max(0, round(m * size / 4)))
    if name == "random resized crop":
        return v2.RandomResizedCrop(size, scale=(1 - 0.92 * m, 1.0), antialias=True)
    if name == "colour jitter":
        return v2.ColorJitter(brightness=0.8 * m, contrast=0.8 * m,
                              saturation=0.8 * m, hue=0.4 * m)
    if name == "rotation":
        return v2.RandomRotation(degrees=180 * m)
    if name == "random erasing":
        return v2.RandomErasing(p=1.0 if m > 0 else 0.0, scale=(0.02, 0.02 + 0.4 * m),
                                value=0.5)
    if name == "gaussian blur":
        return v2.GaussianBlur(kernel_size=9, sigma=(0.1, 0.1 + 3 * m))
    if name == "AutoAugment":
        return _on_uint8(v2.AutoAugment(v2.AutoAugmentPolicy.IMAGENET))
    if name == "RandAugment":
        return _on_uint8(v2.RandAugment(num_ops=2, magnitude=round(30 * m),
                                        num_magnitude_bins=31))
    return _on_uint8(v2.TrivialAugmentWide())


def _on_uint8(transform: Callable) -> Callable:
    """Run an auto-augment policy on uint8 pixels (its colour ops are defined on 0–255)."""
    def apply(image: torch.Tensor) -> torch.Tensor:
        out = transform((image.clamp(0, 1) * 255).round().to(torch.uint8))
        return out.float() / 255.0
    apply.__name__ = type(transform).__name__
    return apply


def augment_samples(image: torch.Tensor, op: str, magnitude: float = 0.5, n: int = 8,
                    seed: int = 0) -> torch.Tensor:
    """``n`` independent draws of one augmentation applied to a C×H×W float image in [0, 1].

    This is the pure function behind the playground widget (same inputs → same images).

    Args:
        image: C×H×W image, float in [0, 1] (uint8 is rescaled).
        op: augmentation name, one of ``OPS``.
        magnitude: strength in [0, 1], as for ``make_op``.
        n: number of draws.
        seed: seed of the draws; the caller's random state is restored afterwards.

    Returns:
        An n×C×H×W tensor of augmented copies, clamped to [0, 1].
    """
    if not isinstance(image, torch.Tensor) or image.ndim != 3:
        raise ValueError("image must be a C×H×W tensor")
    if image.dtype == torch.uint8:
        image = image.float() / 255.0
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    transform = make_op(op, magnitude, size=image.shape[-1])
    state = torch.get_rng_state()
    torch.manual_seed(seed)
    try:
        out = torch.stack([transform(image).clamp(0, 1) for _ in range(n)])
    finally:
        torch.set_rng_state(state)  # no hidden change to the caller's random stream
    return out


class PerImage:
    """Apply ``transform`` to every image of a batch separately: ``(x, y) -> (x', y)``.

    Args:
        transform: a per-image transform, C×H×W → C×H×W (a fresh random draw per call).
    """

    def __init__(self, transform: Callable) -> None:
        self.transform = transform

    def __call__(self, images: torch.Tensor, labels: torch.Tensor):
        return torch.stack([self.transform(image) for image in images]), labels

    def __repr__(self) -> str:
        return f"PerImage({self.transform!r})"


class Compose2:
    """Chain batch augmentations of the form ``(x, y) -> (x, y)`` (per-image ones, then mixing).

    Args:
        steps: the batch augmentations, applied in order; ``None`` entries are skipped.
    """

    def __init__(self, *steps: Callable) -> None:
        self.steps = [s for s in steps if s is not None]

    def __call__(self, images, labels):
        for step in self.steps:
            images, labels = step(images, labels)
        return images, labels


def standard_augment(size: int, *, flip: bool = True, crop_padding: int = 4,
                     colour: float = 0.0, randaugment: int | None = None,
                     erasing: float = 0.0, mix: str | None = None,
                     num_classes: int = 10, alpha: float = 1.0) -> Compose2:
    """The usual training pipeline as one batch augmentation for ``fit``.

    pad + crop → flip → colour jitter → RandAugment(magnitude) → random erasing
    (probability), each drawn per image, then optionally MixUp or CutMix on the
    batch (soft labels).

    Args:
        size: image side in pixels.
        flip: random horizontal flip.
        crop_padding: pixels of padding before the crop; 0 for none.
        colour: colour jitter strength; 0 for none.
        randaugment: RandAugment magnitude (0–30); ``None`` for none.
        erasing: probability of random erasing.
        mix: ``"mixup"``, ``"cutmix"`` or ``None``.
        num_classes: classes, for the soft labels.
        alpha: Beta(alpha, alpha) parameter of the mixing ratio.
    """
    check_positive_int(size, "size")
    check_range(crop_padding, "crop_padding", 0, size, integer=True)
    check_range(colour, "colour", 0, 1)
    if randaugment is not None:  # torchvision's default 31 bins: magnitudes 0..30
        check_range(randaugment, "randaugment (the RandAugment magnitude)", 0, 30, integer=True)
    check_range(erasing, "erasing (a probability)", 0, 1)
    ops: list[Callable] = []
    if crop_padding:
        ops.append(v2.RandomCrop(size, padding=crop_padding))
    if flip:
        ops.append(v2.RandomHorizontalFlip())
    if colour:
        ops.append(v2.ColorJitter(brightness=colour, contrast=colour,
                                  saturation=colour))
    if randaugment is not None:
        ops.append(_on_uint8(v2.RandAugment(num_ops=2, magnitude=randaugment)))
    if erasing:
        ops.append(v2.RandomErasing(p=erasing, value=0.5))
    per_image = PerImage(v2.Compose(ops)) if ops else None
    return Compose2(per_image, mixer(mix, num_classes, alpha) if mix else None)


def mixer(kind: str, num_classes: int, alpha: float = 1.0) -> Callable:
    """``v2.MixUp`` or ``v2.CutMix``: mixes a batch with its own shuffled copy, labels soft.

    Args:
        kind: ``"mixup"`` or ``"cutmix"``.
        num_classes: number of classes of the one-hot (then soft) labels.
        alpha: the mixing ratio is drawn from Beta(alpha, alpha).
    """
    kinds = {"mixup": v2.MixUp, "cutmix": v2.CutMix}
    if kind not in kinds:
        raise ValueError(f"mix must be 'mixup' or 'cutmix', got {kind!r}")
    num_classes = check_positive_int(num_classes, "num_classes")
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or not alpha > 0:
        raise ValueError(f"alpha must be a positive number (Beta(alpha, alpha)), got {alpha!r}")
    return _LabelChecked(kinds[kind](alpha=alpha, num_classes=num_classes), num_classes)


class _LabelChecked:
    """A mixing transform that first checks the labels are class indices in range."""

    def __init__(self, mix: Callable, num_classes: int) -> None:
        self.mix, self.num_classes = mix, num_classes

    def __call__(self, images: torch.Tensor, labels: torch.Tensor):
        check_label_range(labels, self.num_classes)
        return self.mix(images, labels)

    def __repr__(self) -> str:
        return repr(self.mix)


def mix_pair(image_a: torch.Tensor, label_a: int, image_b: torch.Tensor, label_b: int, *,
             kind: str, num_classes: int, seed: int = 0):
    """Mix two images with the real v2 transform; returns ``(mixed image, soft label)``.

    ``v2.MixUp``/``v2.CutMix`` pair each image with its neighbour in the batch (the batch rolled
    by one), so a batch of [a, b] gives ``a`` mixed with ``b`` as its first item.

    Args:
        image_a: first C×H×W image.
        label_a: class index of ``image_a``.
        image_b: second image, same shape.
        label_b: class index of ``image_b``.
        kind: ``"mixup"`` or ``"cutmix"``.
        num_classes: length of the soft label.
        seed: seed of the draw; the caller's random state is restored afterwards.
    """
    images = torch.stack([image_a, image_b])
    labels = torch.tensor([label_a, label_b])
    state = torch.get_rng_state()
    torch.manual_seed(seed)
    try:
        mixed, soft = mixer(kind, num_classes)(images, labels)
    finally:
        torch.set_rng_state(state)
    return mixed[0], soft[0]


class BatchAugment:
    """Pad + random crop, horizontal flip and random erasing, drawn per image but
    computed for the whole batch at once: ``(x, y) -> (x', y)`` for ``fit``.

    The operations are those of ``v2.RandomCrop(size, padding)``,
    ``v2.RandomHorizontalFlip()`` and ``v2.RandomErasing(p, value=...)`` (a
    rectangle of 2–33 % of the image, aspect ratio 0.3–3.3). Called per image,
    those cost a few Python calls per image; here each image still gets its own
    draw, and a batch takes a handful of tensor operations. There is no colour
    operation, so it suits grey images.

    Args:
        crop_padding: zero padding in pixels before the random crop; 0 for no crop.
        flip: mirror each image with probability 0.5.
        erasing: probability that an image gets an erased rectangle.
        value: fill value of the erased rectangle.
    """

    def __init__(self, *, crop_padding: int = 0, flip: bool = False,
                 erasing: float = 0.0, value: float = 0.5) -> None:
        check_range(crop_padding, "crop_padding", 0, 10_000, integer=True)
        check_range(erasing, "erasing (a probability)", 0, 1)
        self.crop_padding, self.flip = crop_padding, flip
        self.erasing, self.value = erasing, value

    def __call__(self, images: torch.Tensor, labels: torch.Tensor):
        if images.ndim != 4:
            raise ValueError(f"images must be an N×C×H×W batch, "
                             f"got shape {tuple(images.shape)}")
        if self.crop_padding:
            images = batch_crop(images, self.crop_padding)
        if self.flip:
            mirror = torch.rand(images.shape[0], device=images.device) < 0.5
            images = torch.where(mirror[:, None, None, None], images.flip(-1), images)
        if self.erasing:
            mask = erase_mask(images, self.erasing)
            images = images.masked_fill(mask[:, None], self.value)
        return images, labels

    def __repr__(self) -> str:
        return (f"BatchAugment(crop_padding={self.crop_padding}, flip={self.flip}, "
                f"erasing={self.erasing})")
