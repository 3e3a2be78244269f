"""Chapter 7's experiments on depth: degradation, gradient norms per layer, block deletion.

* :func:`degradation` trains plain and residual CIFAR-style nets (same layers, same parameter
  count) at several depths and seeds and records training loss and test accuracy per epoch.
* :func:`gradient_norms` measures the gradient of every convolution's weights for one batch.
* :func:`~dldna.experiments.block_deletion.block_deletion` removes one block at a time from a trained net at test time
  (Veit et al., 2016) and measures the test accuracy without it.

Sizes per profile come from :func:`degradation_settings`; every result names its dataset.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from .. import data as _data
from ..config import (Profile, RunSize, check_label_range, get_device, get_profile,
                      seed_everything)
from ..models.resnet import CifarResNet
from ..train import History, fit

KINDS = ("plain", "residual")


@dataclass(frozen=True)
class DegradationSettings:
    """What the degradation experiment trains: data, depths, seeds, learning rate and the
    profile-sized part (a :class:`~dldna.config.RunSize`: epochs, batch size, width, images).

    Read like a mapping as well (``s["depths"]``, ``s["epochs"]``), as the chapter does.

    Args:
        dataset: a dataset name for :func:`dldna.data.load`.
        depths: network depths, each of the form 6n + 2.
        seeds: one run per seed, per depth and per kind.
        size: epochs, batch size, width and training images (``None``: all).
        lr: the SGD learning rate.
    """

    dataset: str
    depths: tuple[int, ...]
    seeds: tuple[int, ...]
    size: RunSize
    lr: float

    def __post_init__(self) -> None:
        if not self.depths or any(not isinstance(d, int) or d < 8 or (d - 2) % 6
                                  for d in self.depths):
            raise ValueError(f"depths must be ints of the form 6n + 2 (≥ 8), got {self.depths!r}")
        if not self.seeds:
            raise ValueError("seeds must name at least one seed")
        if not isinstance(self.size, RunSize):
            raise TypeError(f"size must be a RunSize, got {type(self.size).__name__}")

    def __getitem__(self, key: str) -> Any:
        if key in _SIZE_KEYS:
            return getattr(self.size, key)
        if key in _OWN_KEYS:
            return getattr(self, key)
        raise KeyError(f"{key!r}: known settings are {', '.join(_OWN_KEYS + _SIZE_KEYS)}")

    def changed(self, **changes: Any) -> "DegradationSettings":
        """A copy with some settings changed (any key that ``s[key]`` reads).

        Args:
            changes: new values, e.g. ``epochs=1, depths=(8, 14)``.
        """
        unknown = sorted(set(changes) - set(_OWN_KEYS + _SIZE_KEYS))
        if unknown:
            raise ValueError(f"unknown settings {unknown}; "
                             f"known: {', '.join(_OWN_KEYS + _SIZE_KEYS)}")
        size = replace(self.size, **{k: v for k, v in changes.items() if k in _SIZE_KEYS})
        return replace(self, size=size, **{k: v for k, v in changes.items() if k in _OWN_KEYS})


_OWN_KEYS = ("dataset", "depths", "seeds", "lr")
_SIZE_KEYS = ("epochs", "batch_size", "width", "train_size")


def degradation_settings(profile: str | None = None) -> DegradationSettings:
    """Data, depths, seeds, width and epochs of the degradation experiment for a profile.

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``; ``None`` uses the active profile. Another
            name raises ``ValueError`` listing the profiles.

    Returns:
        The settings :func:`degradation` takes.
    """
    chosen = get_profile() if profile is None else Profile(profile)
    return chosen.pick(
        smoke=DegradationSettings("digits", (8, 14), (0,), RunSize(epochs=1, batch_size=64,
                                                                   width=4, train_size=300), 0.05),
        # depths at which, on 5 seeds, the plain net's loss clearly rises and the residual's falls
        cpu=DegradationSettings("digits", (8, 14, 20), (0, 1, 2, 3, 4),
                                RunSize(epochs=3, batch_size=64, width=8), 0.05),
        gpu=DegradationSettings("cifar10", (20, 32, 56), (0, 1, 2, 3, 4),
                                RunSize(epochs=20, batch_size=128, width=16), 0.1))


def build(kind: str, depth: int, dataset: _data.ImageDataset, width: int) -> CifarResNet:
    """A plain or residual CIFAR-style net sized for ``dataset``.

    Args:
        kind: ``"plain"`` or ``"residual"``.
        depth: weighted layers, 6n + 2 (8, 14, 20, 32, 56 …).
        dataset: gives the number of classes and input channels.
        width: channels of the first stage (doubled at each of the next two).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return CifarResNet(depth, dataset.num_classes, dataset.image_shape[0], width,
                       residual=kind == "residual")


@dataclass
class DegradationResult:
    """Histories of every run, the seed-0 models, and a one-row-per-run table.

    Args:
        dataset: name of the training set, for titles.
        settings: the settings the runs used.
        histories: ``(kind, depth, seed) → History``.
        models: ``(kind, depth) → trained model`` of the first seed.
        seconds: wall-clock time of all runs.
    """

    dataset: str
    settings: DegradationSettings
    histories: dict[tuple[str, int, int], History] = field(default_factory=dict)
    models: dict[tuple[str, int], nn.Module] = field(default_factory=dict)
    seconds: float = 0.0

    def table(self) -> pd.DataFrame:
        """One row per run: net, depth, seed, final training loss, final test accuracy."""
        rows = [{"net": kind, "depth": depth, "seed": seed, "train loss": h.train_loss[-1],
                 "test accuracy": h.val_accuracy[-1]}
                for (kind, depth, seed), h in self.histories.items()]
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """Mean, spread (max − min over seeds) of the final training loss and test accuracy."""
        grouped = self.table().groupby(["net", "depth"], sort=True)
        out = grouped.agg(loss_mean=("train loss", "mean"), loss_min=("train loss", "min"),
                          loss_max=("train loss", "max"), acc_mean=("test accuracy", "mean"),
                          acc_min=("test accuracy", "min"), acc_max=("test accuracy", "max"),
                          seeds=("seed", "count"))
        return out.reset_index()

    def plot(self):
        """Training loss per epoch (mean over seeds, band = min–max) and test accuracy per depth."""
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(7, 2.8))
        axes[1].sharey(axes[0])  # before plotting, so the limits cover both kinds
        colours = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(self.settings["depths"])))
        for ax, kind in zip(axes[:2], KINDS):
            for depth, colour in zip(self.settings["depths"], colours):
                losses = torch.tensor([self.histories[(kind, depth, s)].train_loss
                                       for s in self.settings["seeds"]])
                epochs = range(1, losses.shape[1] + 1)
                ax.plot(epochs, losses.mean(0), ".-", color=colour, label=f"{depth} layers")
                ax.fill_between(epochs, losses.min(0).values, losses.max(0).values,
                                color=colour, alpha=0.25)
            ax.set_title(f"{kind} nets", fontsize=10)
            ax.set_xlabel("epoch")
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(_plain_log_formatter())  # 0.5 rather than 5×10⁻¹
            ax.yaxis.set_minor_formatter(_plain_log_formatter(labelOnlyBase=False))
        axes[0].set_ylabel("training loss")
        axes[0].legend(fontsize=9)
        summary = self.summary()
        for kind, marker in zip(KINDS, "os"):
            part = summary[summary.net == kind]
            axes[2].errorbar(part.depth, 100 * part.acc_mean,
                             yerr=[100 * (part.acc_mean - part.acc_min),
                                   100 * (part.acc_max - part.acc_mean)],
                             marker=marker, capsize=3, label=kind)
        axes[2].set_xlabel("depth (layers)")
        axes[2].set_ylabel("test accuracy (%)")
        axes[2].set_xticks(list(self.settings["depths"]))
        axes[2].legend(fontsize=9)
        fig.suptitle(f"Plain vs residual on {self.dataset}", fontsize=10)
        fig.tight_layout()
        return fig


def _plain_log_formatter(**kwargs):
    """matplotlib's choice of which log ticks to label, written as plain numbers (0.5, 2)."""
    from matplotlib.ticker import LogFormatter

    class Plain(LogFormatter):
        def __call__(self, x, pos=None):
            return f"{x:g}" if super().__call__(x, pos) else ""

    return Plain(**kwargs)


def degradation(settings: dict[str, Any] | DegradationSettings | None = None, *,
                verbose: bool = False
                ) -> DegradationResult:
    """Train plain and residual nets at every depth and seed of ``settings`` (profile default).

    Both kinds get the same data, seed, optimizer (SGD, momentum 0.9, cosine schedule) and
    number of epochs; only the shortcuts differ.

    Args:
        settings: a :class:`DegradationSettings`, or keys that change
            :func:`degradation_settings` of the active profile (``{"epochs": 1}``).
        verbose: print one line per finished run.
    """
    if isinstance(settings, DegradationSettings):
        s = settings
    else:
        s = degradation_settings().changed(**(settings or {}))
    train_set = _data.load(s["dataset"], "train")
    test_set = _data.load(s["dataset"], "test")
    if s["train_size"]:
        train_set = train_set.subset(s["train_size"], seed=0)
    result = DegradationResult(train_set.name, s)
    tic = time.perf_counter()
    for depth in s["depths"]:
        for kind in KINDS:
            for seed in s["seeds"]:
                seed_everything(seed)
                model = build(kind, depth, train_set, s["width"])
                result.histories[(kind, depth, seed)] = fit(
                    model, train_set, test_set, epochs=s["epochs"], lr=s["lr"], seed=seed,
                    optimizer="sgd", momentum=0.9, weight_decay=1e-4, schedule="cosine",
                    batch_size=s["batch_size"], progress=False)
                if seed == s["seeds"][0]:
                    result.models[(kind, depth)] = model.eval()
                if verbose:
                    h = result.histories[(kind, depth, seed)]
                    print(f"{kind:>8} {depth:>3} layers, seed {seed}: train loss "
                          f"{h.train_loss[-1]:.3f}, test accuracy {h.val_accuracy[-1]:.1%}")
    result.seconds = time.perf_counter() - tic
    return result


# --------------------------------------------------------------------------------------------
# Gradient norms per layer

def gradient_norms(model: nn.Module, images: torch.Tensor, labels: torch.Tensor
                   ) -> pd.Series:
    """The L2 norm of the loss gradient w.r.t. every convolution's weights (input to output).

    Args:
        model: the network, in the mode it should be measured in; its ``.grad`` are cleared.
        images: one batch, N×C×H×W.
        labels: the N class indices.

    Returns:
        A Series indexed by convolution name.
    """
    if images.ndim != 4 or labels.shape != images.shape[:1]:
        raise ValueError(f"images must be N×C×H×W with N labels, got {tuple(images.shape)} "
                         f"and {tuple(labels.shape)}")
    scores = model(images)
    labels = check_label_range(labels, scores.shape[1]).to(scores.device)
    model.zero_grad(set_to_none=True)
    F.cross_entropy(scores, labels).backward()
    norms = {name: module.weight.grad.norm().item() for name, module in model.named_modules()
             if isinstance(module, nn.Conv2d)}
    model.zero_grad(set_to_none=True)
    return pd.Series(norms, name="gradient norm")


def gradient_norm_profiles(depth: int, dataset: _data.ImageDataset, *, width: int = 8,
                           steps: int | None = None, batch_size: int = 64, lr: float = 0.05,
                           seed: int = 0) -> pd.DataFrame:
    """Per-layer gradient norms of a plain and a residual net, at init and after ``steps``.

    Args:
        depth: weighted layers of both nets.
        dataset: the training data; a fixed batch of it is the probe.
        width: channels of the first stage.
        steps: SGD steps between the two measurements; ``None``: the profile's number
            (2 in smoke, 20 in cpu, 50 in gpu).
        batch_size: images per step and in the probe batch.
        lr: SGD learning rate (momentum 0.9).
        seed: seeds the weights, the probe batch and the training batches.

    Returns:
        A DataFrame, one row per convolution, one column per (net, moment); ``attrs["steps"]``
        holds the number of steps.
    """
    if steps is None:
        steps = get_profile().pick(smoke=2, cpu=20, gpu=50)
    device = get_device()
    images, labels = (t.to(device) for t in dataset.tensors())
    generator = torch.Generator().manual_seed(seed)
    probe = torch.randperm(len(labels), generator=generator)[:batch_size].to(device)
    columns = {}
    for kind in KINDS:
        seed_everything(seed)
        model = build(kind, depth, dataset, width).to(device).train()
        columns[(kind, "at initialisation")] = gradient_norms(model, images[probe], labels[probe])
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        for _ in range(steps):
            batch = torch.randint(len(labels), (batch_size,), generator=generator).to(device)
            optimizer.zero_grad()
            F.cross_entropy(model(images[batch]), labels[batch]).backward()
            optimizer.step()
        columns[(kind, f"after {steps} steps")] = gradient_norms(model, images[probe],
                                                                 labels[probe])
    table = pd.DataFrame(columns)
    table.attrs["steps"] = steps
    return table


def gradient_spread(norms: pd.Series) -> float:
    """How unevenly the layers receive gradient: the largest per-layer gradient norm divided
    by the smallest (1 means every layer gets the same).

    Args:
        norms: positive gradient norms, one per layer (a column of
            :func:`gradient_norm_profiles`).
    """
    if len(norms) == 0 or (norms <= 0).any():
        raise ValueError("norms must be a non-empty series of positive numbers")
    return float(norms.max() / norms.min())


# Block deletion (the "ensemble of paths" view) lives in block_deletion.py.
from .block_deletion import block_deletion, deletable_blocks, delete_block  # noqa: E402,F401
