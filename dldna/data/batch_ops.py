"""Whole-batch image operations on the device (chapter 10): random crops after padding, random
erasing masks and per-image rotations, with no Python loop over the images.

:class:`dldna.data.augment.BatchAugment` builds on them."""
from __future__ import annotations

import math

import torch


class BatchRotation:
    """Random rotation by an angle drawn uniformly in ``[-degrees, degrees]`` for each image,
    computed for the whole batch at once: ``(x, y) -> (x', y)`` for ``fit``.

    It matches ``v2.RandomRotation(degrees)`` (about the centre, nearest neighbour, corners
    filled with 0) without a Python call per image, which made the per-image version the
    slowest cell of chapter 10.

    Args:
        degrees: largest angle in degrees, 0 to 180.
    """

    def __init__(self, degrees: float) -> None:
        if not isinstance(degrees, (int, float)) or not 0 <= degrees <= 180:
            raise ValueError(f"degrees must be a number in [0, 180], got {degrees!r}")
        self.degrees = float(degrees)

    def __call__(self, images: torch.Tensor, labels: torch.Tensor):
        if images.ndim != 4:
            raise ValueError(f"images must be an N×C×H×W batch, "
                             f"got shape {tuple(images.shape)}")
        angles = (torch.rand(images.shape[0], device=images.device) * 2 - 1) * self.degrees
        return rotate_batch(images, angles), labels

    def __repr__(self) -> str:
        return f"BatchRotation(degrees={self.degrees:g})"


def rotate_batch(images: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Rotate image ``i`` counter-clockwise by ``degrees[i]`` about its centre (nearest
    neighbour, zeros outside), like ``torchvision.transforms.v2.functional.rotate``: the same
    pixels for square images (tested); on non-square ones at angles other than quarter turns a
    few border pixels can round to the other neighbour.

    Args:
        images: N×C×H×W batch.
        degrees: N angles in degrees, one per image.
    """
    n, _, height, width = images.shape
    theta = torch.deg2rad(degrees.to(images.dtype))
    cos, sin = torch.cos(theta), torch.sin(theta)
    aspect = height / width  # grid coordinates are normalised per axis
    matrix = torch.zeros(n, 2, 3, dtype=images.dtype, device=images.device)
    matrix[:, 0, 0], matrix[:, 0, 1] = cos, -sin * aspect
    matrix[:, 1, 0], matrix[:, 1, 1] = sin / aspect, cos
    grid = torch.nn.functional.affine_grid(matrix, list(images.shape), align_corners=False)
    return torch.nn.functional.grid_sample(images, grid, mode="nearest",
                                           padding_mode="zeros", align_corners=False)


def batch_crop(images: torch.Tensor, padding: int) -> torch.Tensor:
    """Zero-pad every side, then cut each image's H×W window at its own random offset."""
    n, _, height, width = images.shape
    padded = torch.nn.functional.pad(images, (padding,) * 4)
    top = torch.randint(0, 2 * padding + 1, (n,), device=images.device)
    left = torch.randint(0, 2 * padding + 1, (n,), device=images.device)
    rows = (top[:, None] + torch.arange(height, device=images.device))[:, :, None]
    cols = (left[:, None] + torch.arange(width, device=images.device))[:, None, :]
    batch = torch.arange(n, device=images.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def erase_mask(images: torch.Tensor, p: float, scale=(0.02, 0.33),
                ratio=(0.3, 3.3)) -> torch.Tensor:
    """N×H×W mask of one random rectangle per image (with probability ``p``)."""
    n, _, height, width = images.shape
    device = images.device
    area = torch.empty(n, device=device).uniform_(*scale) * height * width
    log_ratio = torch.empty(n, device=device).uniform_(math.log(ratio[0]), math.log(ratio[1]))
    h = (area * log_ratio.exp()).sqrt().round().clamp(1, height)
    w = (area / log_ratio.exp()).sqrt().round().clamp(1, width)
    top = (torch.rand(n, device=device) * (height - h + 1)).floor()
    left = (torch.rand(n, device=device) * (width - w + 1)).floor()
    y = torch.arange(height, device=device)[None, :]
    x = torch.arange(width, device=device)[None, :]
    in_rows = (y >= top[:, None]) & (y < (top + h)[:, None])
    in_cols = (x >= left[:, None]) & (x < (left + w)[:, None])
    chosen = torch.rand(n, device=device) < p
    return in_rows[:, :, None] & in_cols[:, None, :] & chosen[:, None, None]
