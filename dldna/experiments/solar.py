"""Chapter 14's experiment code: defective solar cells in ELPV, from the split to the export.

Every model here predicts the four classes ``round(3 * p)``; the binary answer (defective when
p ≥ 0.5) is P(class 2) + P(class 3) ≥ 0.5 from the same probabilities, so one model gives both
tasks' numbers (:mod:`dldna.experiments.solar_report` measures them). The transfer models
reuse :mod:`dldna.transfer`: a frozen prefix of
MobileNetV2 runs once over every cell (:func:`dldna.transfer.extract_features`), and the
trainable top (:func:`dldna.transfer.tail`) trains on those cached feature maps, so an epoch
of the "top" strategy costs a fraction of a forward pass through the network.

The sizes of every run come from :func:`solar_scale` (one :class:`SolarScale` per profile).
This module holds the setup (sizes, the split, the networks, the dihedral views, the training
loop); :mod:`dldna.experiments.solar_runs` holds the baselines and the transfer strategies, and
:mod:`dldna.experiments.solar_verdicts` the small functions that read the measured intervals
into the chapter's sentences.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..config import get_profile
from ..data.elpv import ElpvData
from ..train.schedules import build_scheduler
from ..transfer import Preprocess, normalization

BACKBONE = "mobilenet_v2"


@dataclass(frozen=True)
class SolarScale:
    """How big each run of the chapter is in one profile.

    Args:
        every: keep every ``every``-th cell of ELPV (1: all 2,624).
        size: input side of the transfer models in pixels (ELPV cells are 300 px).
        top_epochs: epochs of the "top" strategy on cached feature maps.
        head_epochs: epochs of the light
            :class:`~dldna.experiments.solar_runs.PoolingHead` on the same maps.
        top_stages: MobileNetV2 stages the "top" strategy trains.
        full_size: input side for the "full" strategy (the whole network trains on images).
        full_epochs: epochs of the "full" strategy.
        scratch_size: input side of the small CNN trained from scratch.
        scratch_epochs: its epochs.
        members: ensemble members (seeds).
        folds: folds of the out-of-fold predictions used to choose the threshold.
        tta_views: the test-time views (names of :data:`VIEWS`).
        export_images: test images used for the export's parity check and timing.
        n_boot: bootstrap resamples of every interval.
    """

    every: int
    size: int
    top_epochs: int
    head_epochs: int
    top_stages: int
    full_size: int
    full_epochs: int
    scratch_size: int
    scratch_epochs: int
    members: int
    folds: int
    tta_views: tuple[str, ...]
    export_images: int
    n_boot: int


def solar_scale(profile: str | None = None) -> SolarScale:
    """The :class:`SolarScale` of ``profile`` (``None``: the active one)."""
    name = profile or get_profile().name
    return {
        "smoke": SolarScale(every=16, size=64, top_epochs=1, head_epochs=2, full_size=64,
                            full_epochs=1, scratch_size=32, scratch_epochs=1, members=2, folds=2,
                            export_images=8, n_boot=200, top_stages=2,
                            tta_views=("identity", "hflip")),
        "cpu": SolarScale(every=1, size=160, top_epochs=3, head_epochs=20, full_size=80,
                          full_epochs=1, scratch_size=48, scratch_epochs=6, members=3, folds=3,
                          export_images=64, n_boot=1000, top_stages=2,
                          tta_views=("identity", "hflip")),
        "gpu": SolarScale(every=1, size=300, top_epochs=30, head_epochs=60, full_size=300,
                          full_epochs=20, scratch_size=128, scratch_epochs=40, members=5, folds=5,
                          export_images=656, n_boot=2000, top_stages=3,
                          tta_views=("identity", "hflip", "vflip", "rot180")),
    }[name]


# --------------------------------------------------------------------------------------------
# The split

@dataclass(frozen=True)
class Split:
    """Positions of the training and test cells (disjoint, together all cells).

    Args:
        train: positions of the training cells.
        test: positions of the test cells.
    """

    train: np.ndarray
    test: np.ndarray


def strata(cells: ElpvData) -> np.ndarray:
    """The stratum of every cell: class × module type (8 strata)."""
    return (cells.label * 2 + cells.module_type).numpy()


def stratified_split(cells: ElpvData, test_fraction: float = 0.25, seed: int = 0) -> Split:
    """A split that keeps every class × type stratum's share in both parts.

    Args:
        cells: the dataset.
        test_fraction: share of every stratum that goes to the test part, in (0, 1).
        seed: seed of the random choice.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(cells))
    train, test = train_test_split(positions, test_size=test_fraction, stratify=strata(cells),
                                   random_state=seed)
    return Split(np.sort(train), np.sort(test))


def folds(labels: np.ndarray, k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` stratified ``(fit, held-out)`` position pairs over ``labels`` (for out-of-fold use)."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels))


# --------------------------------------------------------------------------------------------
# Inputs and models

def resize(images: Tensor, size: int) -> Tensor:
    """uint8 N×1×H×W cells → float N×1×size×size in [0, 1] (antialiased when shrinking)."""
    if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"images must be uint8 N×1×H×W, got {images.dtype} "
                         f"{tuple(images.shape)}")
    x = images.float() / 255.0
    if x.shape[-1] == size and x.shape[-2] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False,
                         antialias=size < x.shape[-1]).clamp_(0, 1)


class SolarNet(nn.Module):
    """A cell classifier that takes what a camera gives: grey N×1×size×size in [0, 1].

    It repeats the grey channel three times and normalises as the backbone's weights expect
    before running the backbone, so an exported file needs no separate preprocessing.

    Args:
        backbone: the classifier on normalised N×3×size×size inputs.
        size: the input side it was trained for; other sizes raise ``ValueError``.
        mean: per-channel mean of the backbone's normalisation.
        std: per-channel standard deviation.
    """

    def __init__(self, backbone: nn.Module, size: int, mean: Sequence[float],
                 std: Sequence[float]) -> None:
        super().__init__()
        self.backbone, self.size = backbone, int(size)
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[2] != self.size or x.shape[3] != self.size:
            raise ValueError(f"SolarNet expects grey cells N×1×{self.size}×{self.size}, "
                             f"got {tuple(x.shape)}")
        return self.backbone((x.expand(-1, 3, -1, -1) - self.mean) / self.std)


def solar_net(size: int, num_classes: int = 4) -> tuple[SolarNet, Preprocess]:
    """MobileNetV2 with its ImageNet weights inside a :class:`SolarNet`, head not yet replaced,
    and the :class:`~dldna.transfer.Preprocess` that matches it for feature extraction."""
    from ..pretrained import mobilenet_v2

    norm = normalization(BACKBONE)
    net = SolarNet(mobilenet_v2(), size, norm.mean, norm.std)
    return net, Preprocess(size, norm)


class ScratchCNN(nn.Sequential):
    """The from-scratch baseline: four conv–BN–ReLU–pool stages, global pooling, linear.

    Args:
        num_classes: output scores.
        width: channels of the first stage (doubled at every stage).
    """

    def __init__(self, num_classes: int = 4, width: int = 8) -> None:
        layers, channels = [], 1
        for i in range(4):
            out = width * 2 ** i
            layers += [nn.Conv2d(channels, out, 3, padding=1, bias=False), nn.BatchNorm2d(out),
                       nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            channels = out
        super().__init__(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2),
                         nn.Linear(channels, num_classes))


# --------------------------------------------------------------------------------------------
# Augmentation that fits the domain: the eight symmetries of a square cell

def dihedral(x: Tensor, view: int) -> Tensor:
    """View ``view`` (0–7) of a square batch: rotation by ``view % 4`` quarter turns, then a
    left–right mirror for views 4–7. View 0 is the identity."""
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"dihedral views need square inputs, got {tuple(x.shape[-2:])}")
    out = torch.rot90(x, view % 4, dims=(-2, -1))
    return out.flip(-1) if view >= 4 else out


def random_dihedral(x: Tensor, generator: torch.Generator) -> Tensor:
    """Each item of the batch in one of its eight dihedral views, drawn uniformly."""
    views = torch.randint(0, 8, (x.shape[0],), generator=generator)
    out = torch.empty_like(x)
    for view in range(8):
        chosen = views == view
        if chosen.any():
            out[chosen] = dihedral(x[chosen], view)
    return out


#: Test-time views by name, all physically plausible for a cell (mirrors and rotations).
VIEWS = {"identity": lambda x: x, "hflip": lambda x: x.flip(-1), "vflip": lambda x: x.flip(-2),
         "rot90": lambda x: torch.rot90(x, 1, (-2, -1)),
         "rot180": lambda x: torch.rot90(x, 2, (-2, -1))}


# --------------------------------------------------------------------------------------------
# Training

@dataclass(frozen=True)
class Recipe:
    """How one model trains.

    Args:
        epochs: passes over the training data.
        lr: the head's learning rate (the backbone's groups keep their ratio to it).
        schedule: a :func:`dldna.schedules.build_scheduler` name (``constant``, ``onecycle`` …).
        augment: random dihedral views of every training input.
        batch_size: inputs per step.
        weight_decay: AdamW's decoupled weight decay.
    """

    epochs: int
    lr: float = 1e-3
    schedule: str = "onecycle"
    augment: bool = False
    batch_size: int = 32
    weight_decay: float = 1e-4


def train(model: nn.Module, x: Tensor, y: Tensor, recipe: Recipe, *,
          param_groups: list[dict] | None = None, seed: int = 0) -> list[float]:
    """AdamW over in-memory inputs with optional dihedral augmentation; returns epoch losses.

    Args:
        model: what trains (in place): a network or a :func:`dldna.transfer.tail`.
        x: training inputs (images or cached feature maps), N×C×H×W.
        y: class labels (N,).
        recipe: epochs, rate, schedule, augmentation.
        param_groups: optimiser groups with their own rates (``Prepared.param_groups``); the
            rates are scaled so that the last group's equals ``recipe.lr``.
        seed: seeds batch order, augmentation and dropout.
    """
    if x.shape[0] != y.shape[0] or x.shape[0] < 2:
        raise ValueError(f"x and y must have the same number (≥ 2) of rows, got "
                         f"{x.shape[0]} and {y.shape[0]}")
    if param_groups is None:
        param_groups = [{"params": [p for p in model.parameters() if p.requires_grad], "lr": 1.0}]
    scale = recipe.lr / param_groups[-1]["lr"]
    groups = [{"params": g["params"], "lr": g["lr"] * scale} for g in param_groups]
    optimizer = torch.optim.AdamW(groups, weight_decay=recipe.weight_decay)
    steps = -(-x.shape[0] // recipe.batch_size)
    scheduler = build_scheduler(optimizer, recipe.schedule, total_steps=recipe.epochs * steps,
                                steps_per_epoch=steps)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    device = next(model.parameters()).device
    losses = []
    for _ in range(recipe.epochs):
        model.train()  # prepare() keeps the frozen part's BatchNorm locked in eval mode
        order, total = torch.randperm(x.shape[0], generator=generator), 0.0
        for index in order.split(recipe.batch_size):
            if index.numel() < 2:
                continue
            xb = random_dihedral(x[index], generator) if recipe.augment else x[index]
            loss = F.cross_entropy(model(xb.to(device)), y[index].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * index.numel()
        losses.append(total / x.shape[0])
    model.eval()
    return losses
