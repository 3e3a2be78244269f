"""The one trainer every chapter uses: ``fit`` (``evaluate`` and ``predict`` are in
``dldna.train.predict``).

Small datasets are served straight from in-memory tensors (no DataLoader workers to start), a
checkpoint is written atomically after every epoch, and ``resume=True`` continues a killed run
with the same numbers an uninterrupted run would have given.

>>> history = fit(model, train_set, test_set, epochs=5, lr=1e-3, optimizer="adamw",
...               schedule="warmup_cosine", label_smoothing=0.1, checkpoint="run.pt", resume=True)
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from . import distributed
from ..checkpoint import rng_state, set_rng_state
from ..config import deterministic_cudnn, seed_everything, show_progress
from .schedules import build_optimizer, build_scheduler
from .resume import resume_run, save_run
from .config import TrainConfig
from .history import History
from .inputs import as_tensors, check_labels, output_size
from .predict import evaluate, predict

__all__ = ["History", "TrainConfig", "evaluate", "fit", "predict"]
# Defined next door to keep this file short, public here: dldna.train.History in the docs and in
# type hints, as before the split.
History.__module__ = TrainConfig.__module__ = __name__

Augment = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


# --------------------------------------------------------------------------------------------
# Training: fit = check the data → build the run → train epoch by epoch → record and save

@dataclass
class _Data:
    """Training and validation tensors on the device, checked and converted once."""

    x: torch.Tensor
    y: torch.Tensor
    name: str
    val: tuple[torch.Tensor, torch.Tensor] | None


@dataclass
class _Run:
    """The pieces one training run updates (and a checkpoint stores)."""

    config: TrainConfig
    model: nn.Module                  # the caller's model
    net: nn.Module                    # what the batches go through: the model, or DDP around it
    optimizer: torch.optim.Optimizer
    scheduler: Any
    scaler: torch.amp.GradScaler
    ema: AveragedModel | None
    device: torch.device
    world: distributed.World
    steps: int                        # batches per epoch in this process

    @property
    def batch_size(self) -> int:      # images per step in this process
        return self.config.batch_size // self.world.size


def fit(model: nn.Module, train, val=None, config: TrainConfig | None = None, *,
        augment: Augment | None = None, preprocess: Callable | None = None,
        checkpoint: str | Path | None = None, resume: bool = False,
        device: torch.device | str | None = None, progress: bool | None = None,
        verbose: bool = False, **overrides) -> History:
    """Train ``model`` on ``train`` (an ImageDataset or an ``(images, labels)`` pair).

    ``config`` fields may also be given as keywords (``epochs=3, lr=0.01``). ``augment(x, y)``
    transforms each training batch (labels may become soft, e.g. MixUp); ``preprocess(x)`` runs
    on every batch, training and evaluation. With ``checkpoint`` a file is written after every
    epoch; ``resume=True`` continues from it. With ``ema_decay`` the model ends with the averaged
    weights. Progress bars show unless ``progress=False`` (default: off in the smoke profile and
    in book builds). Under ``torchrun`` every process trains on its shard of the data with
    DistributedDataParallel (see :mod:`dldna.train.distributed`); ``batch_size`` counts all processes.
    The run's random numbers come from ``seed``; the caller's global RNG state is put back after.

    Args:
        model: the network to train, in place.
        train: training data.
        val: held-out data evaluated after each epoch (``None``: none).
        config: the settings; ``None`` for the defaults.
        augment: batch transform ``(x, y) → (x, y)``, training only.
        preprocess: batch transform ``x → x`` for every batch.
        checkpoint: file written after every epoch (``None``: none).
        resume: continue from ``checkpoint`` if it exists.
        device: where to train; ``None`` picks one.
        progress: show progress bars (``None``: the profile decides).
        verbose: print one line per epoch.
        overrides: ``TrainConfig`` fields that replace those of ``config``.
    """
    config = replace(config or TrainConfig(), **overrides)
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint=<path> to resume from")
    world, device = distributed.init(device)
    if config.batch_size % world.size:
        raise ValueError(f"batch_size must be a multiple of the {world.size} processes, "
                         f"got {config.batch_size}")
    data = _prepare_data(model, train, val, preprocess, device)
    run = _build_run(model, config, data, device, world)
    history, start = History(dataset=data.name), 0
    with _seeded(config.seed + world.rank):
        if resume and Path(checkpoint).exists():
            start, history = resume_run(checkpoint, run)
        show = (show_progress() if progress is None else progress) and world.is_main
        from tqdm.auto import tqdm

        bar = tqdm(range(start, config.epochs), desc=f"{type(model).__name__} on {data.name}",
                   unit="epoch", disable=not show, initial=start, total=config.epochs)
        for epoch in bar:
            tic = time.perf_counter()
            lr_now = run.optimizer.param_groups[0]["lr"]
            loss, accuracy = _train_epoch(run, data, epoch, augment, preprocess, show)
            _record(history, epoch, loss, accuracy, lr_now, _validate(run, data, preprocess))
            if checkpoint is not None:
                save_run(checkpoint, run, epoch + 1, history)
            history.seconds.append(time.perf_counter() - tic)
            _report(bar, history, config.epochs, verbose and world.is_main)
        bar.close()
    if run.ema is not None:
        model.load_state_dict(run.ema.module.state_dict())
    return history


def _prepare_data(model, train, val, preprocess, device) -> _Data:
    """Check everything before the first step; convert and move the data once."""
    x_train, y_train, name, n_classes = as_tensors(train, "train")
    val_data = as_tensors(val, "val") if val is not None else None
    model.to(device)
    n_out = output_size(model, x_train, preprocess, device)
    check_labels(y_train, n_out, n_classes, name, "train")
    if val_data is not None:
        check_labels(val_data[1], n_out, val_data[3], val_data[2], "val")
        val_data = (val_data[0].to(device), val_data[1].to(device))
    return _Data(x_train.to(device), y_train.to(device), name, val_data)


def _build_run(model, config, data, device, world) -> _Run:
    n = -(-data.x.shape[0] // world.size)           # items per process (the sampler pads)
    b = config.batch_size // world.size
    steps = max(1, n // b + (n % b > 1))             # never a batch of 1
    optimizer = build_optimizer(model.parameters(), config.optimizer, lr=config.lr,
                                weight_decay=config.weight_decay, momentum=config.momentum)
    scheduler = build_scheduler(optimizer, config.schedule, total_steps=config.epochs * steps,
                                steps_per_epoch=steps, step_epochs=config.step_epochs,
                                warmup_steps=round(config.warmup_epochs * steps),
                                gamma=config.gamma, min_lr=config.min_lr)
    use_amp = config.amp and device.type == "cuda"
    ema = (AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay),
                         use_buffers=True) if config.ema_decay else None)
    return _Run(config, model, distributed.wrap(model, world, device), optimizer, scheduler,
                torch.amp.GradScaler("cuda", enabled=use_amp), ema, device, world, steps)


@contextmanager
def _seeded(seed: int):
    """Seed the global RNGs (dropout, augmentation) and make cuDNN deterministic for the run;
    the caller's RNG state and cuDNN flags come back after."""
    saved = rng_state()
    try:
        with deterministic_cudnn():
            seed_everything(seed)
            yield
    finally:
        set_rng_state(saved)


def _train_epoch(run: _Run, data: _Data, epoch: int, augment, preprocess,
                 show: bool) -> tuple[float, float]:
    """One pass over this process's shard; returns mean loss and accuracy over all processes."""
    from tqdm.auto import tqdm

    config, b = run.config, run.batch_size
    order = distributed.epoch_order(data.x.shape[0], run.world, seed=config.seed * 100_003,
                                    epoch=epoch).to(run.device)
    totals = torch.zeros(3, device=run.device)  # loss sum, correct, images
    run.net.train()
    for i in tqdm(range(run.steps), leave=False, disable=not show, unit="batch",
                  desc=f"epoch {epoch + 1}"):
        index = order[i * b:(i + 1) * b]
        x, y = data.x[index], data.y[index]
        if augment is not None:
            x, y = augment(x, y)
        if preprocess is not None:
            x = preprocess(x)
        scores, loss = _step(run, x, y)
        hard = y.argmax(1) if y.ndim == 2 else y
        totals += torch.stack([loss.detach().float() * index.shape[0],
                               (scores.detach().argmax(1) == hard).sum().float(),
                               torch.tensor(float(index.shape[0]), device=run.device)])
    for module in (run.model, run.ema):
        if module is not None:
            distributed.sync_buffers(module, run.world)
    loss_sum, correct, seen = distributed.all_reduce_sum(totals, run.world).tolist()
    return loss_sum / seen, correct / seen


def _step(run: _Run, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward, backward (gradients averaged over processes by DDP), update; scores and loss."""
    config = run.config
    with torch.autocast(run.device.type, enabled=run.scaler.is_enabled()):
        scores = run.net(x)
        loss = F.cross_entropy(scores, y, label_smoothing=config.label_smoothing)
    run.optimizer.zero_grad(set_to_none=True)
    run.scaler.scale(loss).backward()
    if config.clip_grad_norm is not None:
        run.scaler.unscale_(run.optimizer)
        nn.utils.clip_grad_norm_(run.model.parameters(), config.clip_grad_norm)
    run.scaler.step(run.optimizer)
    run.scaler.update()
    run.scheduler.step()
    if run.ema is not None:
        run.ema.update_parameters(run.model)
    return scores, loss


@torch.no_grad()
def _validate(run: _Run, data: _Data, preprocess) -> tuple[float, float] | None:
    """Mean loss and accuracy on the validation data (each process scores every N-th image)."""
    if data.val is None:
        return None
    model = run.ema.module if run.ema is not None else run.model
    x, y = (t[run.world.rank::run.world.size] for t in data.val)
    totals = torch.zeros(3, device=run.device)  # loss sum, correct, images
    if y.shape[0]:  # a process may get no image when there are fewer images than processes
        scores = predict(model, x, batch_size=run.config.eval_batch_size, preprocess=preprocess,
                         device=run.device).to(run.device)
        totals += torch.stack([F.cross_entropy(scores, y, reduction="sum"),
                               (scores.argmax(1) == y).sum().float(),
                               torch.tensor(float(y.shape[0]), device=run.device)])
    loss_sum, correct, n = distributed.all_reduce_sum(totals, run.world).tolist()
    return loss_sum / n, correct / n


def _record(history: History, epoch: int, loss: float, accuracy: float, lr: float,
            val: tuple[float, float] | None) -> None:
    history.epoch.append(epoch + 1)
    history.train_loss.append(loss)
    history.train_accuracy.append(accuracy)
    history.lr.append(lr)
    if val is not None:
        history.val_loss.append(val[0])
        history.val_accuracy.append(val[1])


def _report(bar, history: History, epochs: int, verbose: bool) -> None:
    summary = {"loss": f"{history.train_loss[-1]:.3f}"}
    if history.val_accuracy:
        summary["val_acc"] = f"{history.val_accuracy[-1]:.1%}"
    bar.set_postfix(summary)
    if verbose:
        print(f"[{history.dataset}] epoch {history.epoch[-1]}/{epochs}: " + ", ".join(
            f"{k} {v}" for k, v in summary.items()) + f" ({history.seconds[-1]:.1f} s)")
