"""The side studies of chapter 12: the BatchNorm trap, the wrong normalisation, the input
resolution, the cost of training and the learning-rate sweep."""
from __future__ import annotations

import time
from dataclasses import replace

import torch
from torch import nn

from ... import transfer
from ...config import seed_everything
from .runs import epochs_for, features, full_run, probe_run, result_row, scratch_run
from .scale import MODELS, TITLES, Split, TransferScale, pick, preprocess_for, pretrained_model


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
    epochs = epochs or min(10, epochs_for(scale.probe_steps, len(index), scale.batch_size))
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
        rows.append(result_row(split, model, "linear probe", per_class, seed, acc, prep.trainable,
                               cpu, seconds, batchnorm="locked in eval mode" if locked else
                               "left in train mode", drift=drift, epochs=epochs))
    return rows


def subset_split(split: Split, per_class: int) -> tuple[Split, torch.Tensor]:
    index = pick(split.y, per_class, seed=0)
    return split.pool_subset(index), index


def normalisation_effect(split: Split, scale: TransferScale) -> list[dict]:
    """Linear probes on features computed with each network's own normalisation, the other
    network's and none (inputs left in [0, 1]), on ``probe_subset`` images per class.

    Args:
        split: the data.
        scale: the grid.
    """
    sub, index = subset_split(split, scale.probe_subset)
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
    sub, index = subset_split(split, scale.probe_subset)
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
