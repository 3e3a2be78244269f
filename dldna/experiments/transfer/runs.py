"""One run of each kind (probe, top stages, full fine-tuning, scratch) and the grid of them.

Every run returns one row (:func:`result_row`) that names its dataset, model, strategy, size and
seed, with its test accuracy, trainable-parameter count and CPU seconds.
"""
from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext

import torch
from torch import nn

from ... import transfer
from ...config import get_device, seed_everything
from ...models import create
from .scale import (
    MODELS,
    TITLES,
    Split,
    TransferScale,
    pick,
    preprocess_for,
    pretrained_model,
    shared_pretrained,
)


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


def result_row(split, model, strategy, per_class, seed, acc, trainable, cpu, wall,
               **extra) -> dict:
    """One result: what ran (dataset, model title, strategy, images per class, seed) and what it
    gave (test accuracy, trainable parameters, CPU and wall seconds), plus ``extra`` columns."""
    return {"dataset": split.name, "model": TITLES.get(model, model), "strategy": strategy,
            "per class": per_class, "seed": seed, "test accuracy": acc,
            "trainable parameters": trainable, "cpu seconds": cpu, "seconds": wall, **extra}


def epochs_for(steps: int, n: int, batch_size: int) -> int:
    """Epochs that give about ``steps`` optimiser steps over ``n`` images (at least one)."""
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
    net = shared_pretrained(model)
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
                                      epochs=epochs_for(scale.probe_steps, len(y),
                                                        scale.batch_size),
                                      dataset=split.name)
        acc, _ = transfer.accuracy(head, feats["test"][feats["head"]], split.y_test)
    return result_row(split, model, "linear probe", per_class, seed, acc,
                      transfer.count_parameters(head), time.process_time() - tic,
                      time.perf_counter() - wall, history=history)


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
                                      epochs=epochs_for(scale.probe_steps, len(y),
                                                        scale.batch_size))
        acc, _ = transfer.accuracy(top, test_x, split.y_test)
    return result_row(split, model, f"top {scale.top_stages} stages", per_class, seed, acc,
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
    return result_row(split, model, "full (discriminative LRs)", per_class, seed, acc,
                      prep.trainable, cpu, seconds, history=history, **extra)


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
                                      epochs=epochs_for(scale.scratch_steps, len(y),
                                                        scale.batch_size))
        cpu, seconds = time.process_time() - tic, time.perf_counter() - wall
        acc, _ = transfer.accuracy(net, split.x_test, split.y_test, preprocess=pre)
        extra = {"val accuracy": transfer.accuracy(net, *val, preprocess=pre)[0]} if val else {}
    return result_row(split, model, "scratch", per_class, seed, acc,
                      transfer.count_parameters(net), cpu, seconds, history=history, **extra)


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

