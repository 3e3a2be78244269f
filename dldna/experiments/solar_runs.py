"""Chapter 14's runs: the baselines and the three transfer strategies on ELPV.

Each function trains one model on the training positions of a
:class:`~dldna.experiments.solar.Split` and returns it (the chapter measures it with
:mod:`dldna.experiments.solar_report`). The transfer strategies share one
:class:`Transfer`: MobileNetV2's frozen prefix runs once over every cell
(:func:`dldna.transfer.extract_features`), and the trainable top (:func:`dldna.transfer.tail`)
trains on those cached feature maps.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..transfer import Preprocess, extract_features, prepare, tail
from .solar import (VIEWS, Recipe, ScratchCNN, SolarNet, Split, folds, resize, solar_net,
                    train)

@torch.no_grad()
def probabilities(model: nn.Module, x: Tensor, batch_size: int = 256) -> Tensor:
    """Softmax probabilities of ``model`` in eval mode, N×classes."""
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([model(b.to(device)).softmax(1).cpu() for b in x.split(batch_size)])


# --------------------------------------------------------------------------------------------
# Transfer strategies on MobileNetV2

@dataclass
class Transfer:
    """A prepared MobileNetV2 and the cached output of its frozen prefix.

    Args:
        net: the whole classifier (its ``tail`` shares the parameters).
        top: the trainable part above the cut, from :func:`dldna.transfer.tail`.
        cut: the layer whose output is cached.
        maps: that layer's output for every cell (N×C×h×w).
        param_groups: the optimiser groups :func:`dldna.transfer.prepare` returned.
        preprocess: the preprocessing of the cached pass.
    """

    net: SolarNet
    top: nn.Module
    cut: str
    maps: Tensor
    param_groups: list[dict]
    preprocess: Preprocess


def cached_top(cells_images: Tensor, size: int, top_stages: int,
               device: torch.device | str = "cpu") -> Transfer:
    """Prepare MobileNetV2 for the "top" strategy and run its frozen prefix once over all cells.

    Args:
        cells_images: uint8 N×1×300×300 (every cell; the split only decides what trains).
        size: input side.
        top_stages: stages that train (see :func:`dldna.transfer.prepare`).
        device: where the network runs.
    """
    net, preprocess = solar_net(size)
    net.to(device)
    prepared = prepare(net.backbone, "top", 4, top_stages=top_stages, lr=1e-3)
    cut, top = tail(net.backbone, top_stages)
    maps, _ = extract_features(net.backbone, cells_images, layer=cut, preprocess=preprocess)
    return Transfer(net, top, cut, maps, prepared.param_groups, preprocess)


def fresh_top(transfer: Transfer, seed: int) -> tuple[nn.Module, list[dict]]:
    """An independent copy of the trainable top (new head drawn with ``seed``) and its groups."""
    top = copy.deepcopy(transfer.top)
    head = top[-1][-1] if isinstance(top[-1], nn.Sequential) else top[-1]
    torch.manual_seed(seed)
    head.reset_parameters()
    by_id = {id(p): p for p in transfer.top.parameters()}
    copies = dict(zip((id(p) for p in transfer.top.parameters()), top.parameters()))
    groups = [{"params": [copies[id(p)] for p in g["params"] if id(p) in by_id], "lr": g["lr"]}
              for g in transfer.param_groups]
    return top, [g for g in groups if g["params"]]


def view_maps(transfer: Transfer, images: Tensor, view: str) -> Tensor:
    """The frozen prefix's output for one test-time view of ``images`` (uint8 N×1×H×W)."""
    if view == "identity":
        raise ValueError("the identity view is already cached in transfer.maps")
    seen = VIEWS[view](images)
    maps, _ = extract_features(transfer.net.backbone, seen.contiguous(), layer=transfer.cut,
                               preprocess=transfer.preprocess)
    return maps


def assemble(transfer: Transfer, head: nn.Module) -> SolarNet:
    """The whole classifier for deployment: the frozen prefix up to the cut, then ``head`` (a
    trained top or a :class:`PoolingHead`), inside a
    :class:`~dldna.experiments.solar.SolarNet` (copies, in eval mode)."""
    last = int(transfer.cut.rpartition(".")[2])
    prefix = copy.deepcopy(transfer.net.backbone.features[:last + 1])
    backbone = nn.Sequential(prefix, copy.deepcopy(head))
    net = SolarNet(backbone, transfer.net.size, transfer.net.mean.flatten().tolist(),
                   transfer.net.std.flatten().tolist())
    return net.eval()


class PoolingHead(nn.Module):
    """A light head for frozen feature maps: 1×1 conv → BN → ReLU, then average *and* maximum
    over positions (a crack covers a few positions; the mean alone would dilute it), dropout,
    linear.

    Args:
        in_channels: channels of the cached maps.
        hidden: channels after the 1×1 convolution.
        num_classes: output scores.
    """

    def __init__(self, in_channels: int, hidden: int = 64, num_classes: int = 4) -> None:
        super().__init__()
        self.reduce = nn.Sequential(nn.Conv2d(in_channels, hidden, 1, bias=False),
                                    nn.BatchNorm2d(hidden), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(2 * hidden, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        h = self.reduce(x)
        return self.fc(self.dropout(torch.cat([h.mean((2, 3)), h.amax((2, 3))], dim=1)))


def pooling_head(transfer: Transfer, y: Tensor, positions: np.ndarray, recipe: Recipe, *,
                 seed: int = 0) -> PoolingHead:
    """Train a :class:`PoolingHead` on the cached maps of the cells at ``positions``."""
    torch.manual_seed(seed)
    head = PoolingHead(transfer.maps.shape[1]).to(transfer.net.mean.device)
    train(head, transfer.maps[positions], y[positions], recipe, seed=seed)
    return head


# --------------------------------------------------------------------------------------------
# The chapter's runs (each returns the test cells' 4-class probabilities)

def majority(y: Tensor, split: Split) -> Tensor:
    """Always the most frequent training class, as 4-class probabilities for the test cells."""
    common = int(torch.bincount(y[split.train], minlength=4).argmax())
    return F.one_hot(torch.full((len(split.test),), common), 4).float()


def scratch(images: Tensor, y: Tensor, split: Split, size: int, recipe: Recipe, *,
            seed: int = 0, device: torch.device | str = "cpu") -> tuple[Tensor, dict[str, float]]:
    """Train :class:`~dldna.experiments.solar.ScratchCNN` on the cells at ``size`` px; returns
    test probabilities and the normalisation, whose mean and standard deviation come from the
    training cells only."""
    x = resize(images, size)
    mean, std = float(x[split.train].mean()), float(x[split.train].std())
    x = (x - mean) / std
    torch.manual_seed(seed)
    model = ScratchCNN(4).to(device)
    train(model, x[split.train], y[split.train], recipe, seed=seed)
    return probabilities(model, x[split.test]), {"mean": mean, "std": std}


def head_features(transfer: Transfer) -> Tensor:
    """The pretrained network's penultimate features (what its head sees) from the cached maps,
    for the linear probe: the untrained top without its classifier, run once."""
    body = copy.deepcopy(transfer.top)[:-1].eval()
    device = transfer.net.mean.device
    with torch.no_grad():
        return torch.cat([body(b.to(device)).cpu() for b in transfer.maps.split(256)])


def linear_probe(features: Tensor, y: Tensor, split: Split, recipe: Recipe, *,
                 seed: int = 0) -> Tensor:
    """A new linear head on frozen features (the ``"linear_probe"`` strategy)."""
    torch.manual_seed(seed)
    head = nn.Linear(features.shape[1], 4)
    mean, std = features[split.train].mean(0), features[split.train].std(0) + 1e-6
    probe = nn.Sequential(Standardize(mean, std), head)
    train(probe, features[split.train], y[split.train], recipe, seed=seed)
    return probabilities(probe, features[split.test])


class Standardize(nn.Module):
    """``(x − mean) / std`` with statistics fixed from the training set."""

    def __init__(self, mean: Tensor, std: Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.mean) / self.std


def top(transfer: Transfer, y: Tensor, positions: np.ndarray, recipe: Recipe, *,
        seed: int = 0) -> nn.Module:
    """Train a fresh copy of the top stages on the cached maps of the cells at ``positions``."""
    model, groups = fresh_top(transfer, seed)
    train(model, transfer.maps[positions], y[positions], recipe, param_groups=groups, seed=seed)
    return model


def full(images: Tensor, y: Tensor, split: Split, size: int, recipe: Recipe, *,
         seed: int = 0, device: torch.device | str = "cpu") -> tuple[SolarNet, Tensor]:
    """The ``"full"`` strategy: every layer trains (discriminative rates) on cells at ``size``."""
    net, _ = solar_net(size)
    prepared = prepare(net.backbone, "full", 4, lr=recipe.lr, backbone_lr_factor=0.1)
    net.to(device)
    x = resize(images, size)
    train(net, x[split.train], y[split.train], recipe, param_groups=prepared.param_groups,
          seed=seed)
    return net, probabilities(net, x[split.test])


def out_of_fold(transfer: Transfer, y: Tensor, split: Split, recipe: Recipe, k: int) -> Tensor:
    """4-class probabilities for every *training* cell from a model that did not train on it
    (``k`` folds inside the training split): what a threshold may be tuned on."""
    out = torch.zeros(len(split.train), 4)
    for fold, (fit, held) in enumerate(folds(y[split.train].numpy(), k)):
        model = pooling_head(transfer, y, split.train[fit], recipe, seed=100 + fold)
        out[held] = probabilities(model, transfer.maps[split.train[held]])
    return out
