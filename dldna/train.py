"""The one trainer every chapter uses: ``fit``, ``evaluate``, ``predict``.

Small datasets are served straight from in-memory tensors (no DataLoader workers to start), a
checkpoint is written atomically after every epoch, and ``resume=True`` continues a killed run
with the same numbers an uninterrupted run would have given.

>>> history = fit(model, train_set, test_set, epochs=5, lr=1e-3, optimizer="adamw",
...               schedule="warmup_cosine", label_smoothing=0.1, checkpoint="run.pt", resume=True)
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from .checkpoint import (CheckpointError, check_state_dict, load_checkpoint, restore_model,
                         rng_state, save_checkpoint, set_rng_state)
from .config import get_device, get_profile, seed_everything, show_progress
from .schedules import OPTIMIZERS, SCHEDULES, build_optimizer, build_scheduler
from .train_inputs import as_tensors, check_labels, output_size

Augment = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class TrainConfig:
    """Everything that changes the numbers of a run (so a resumed run must use the same)."""

    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adamw"          # sgd | adam | adamw | rmsprop
    momentum: float = 0.9             # sgd and rmsprop
    weight_decay: float = 0.0
    schedule: str = "constant"        # constant | step | cosine | warmup_cosine | onecycle
    warmup_epochs: float = 0.0        # warmup_cosine
    step_epochs: int = 30             # step: decay every this many epochs ...
    gamma: float = 0.1                # ... by this factor
    min_lr: float = 0.0               # floor of the cosine schedules
    label_smoothing: float = 0.0
    clip_grad_norm: float | None = None
    ema_decay: float | None = None    # e.g. 0.999; evaluation then uses the averaged weights
    amp: bool = True                  # mixed precision, used only on CUDA
    seed: int = 0
    eval_batch_size: int = 512

    def __post_init__(self) -> None:
        def bad(name: str, expected: str) -> ValueError:
            return ValueError(f"{name} must be {expected}, got {getattr(self, name)!r}")

        if not isinstance(self.epochs, int) or isinstance(self.epochs, bool) or self.epochs < 1:
            raise bad("epochs", "a positive integer")
        for name in ("batch_size", "eval_batch_size", "step_epochs"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise bad(name, "a positive integer")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise bad("lr", "a positive finite number")
        for name in ("weight_decay", "warmup_epochs", "min_lr"):
            if not getattr(self, name) >= 0:
                raise bad(name, "≥ 0")
        if not 0 <= self.momentum < 1:
            raise bad("momentum", "in [0, 1)")
        if not 0 < self.gamma <= 1:
            raise bad("gamma", "in (0, 1]")
        if not 0 <= self.label_smoothing < 1:
            raise bad("label_smoothing", "in [0, 1)")
        if self.clip_grad_norm is not None and not self.clip_grad_norm > 0:
            raise bad("clip_grad_norm", "None or a positive number")
        if self.ema_decay is not None and not 0 < self.ema_decay < 1:
            raise bad("ema_decay", "None or in (0, 1)")
        if self.optimizer.lower() not in OPTIMIZERS:
            raise bad("optimizer", f"one of {', '.join(OPTIMIZERS)}")
        if self.schedule.lower() not in SCHEDULES:
            raise bad("schedule", f"one of {', '.join(SCHEDULES)}")


@dataclass
class History:
    """Per-epoch metrics of a run; ``dataset`` names the data actually used."""

    dataset: str = ""
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "History":
        return cls(**{f.name: data[f.name] for f in fields(cls)})

    def metrics(self) -> dict[str, list]:
        """The numbers that must not depend on timing (used to compare runs)."""
        return {k: v for k, v in self.to_dict().items() if k != "seconds"}

    def __repr__(self) -> str:
        if not self.epoch:
            return f"History({self.dataset!r}, no epochs)"
        last = f"train acc {self.train_accuracy[-1]:.1%}"
        if self.val_accuracy:
            last += f", val acc {self.val_accuracy[-1]:.1%}"
        return f"History({self.dataset!r}, {len(self.epoch)} epochs, {last})"

    def plot(self, title: str | None = None, axes=None,
             labels: tuple[str, str] = ("train", "validation")):
        """Loss and accuracy per epoch, train vs held-out data; returns the figure.

        ``labels`` names the two curves (e.g. ``("train (augmented)", "test")``)."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
        else:
            fig = axes[0].figure
        for ax, key in ((axes[0], "loss"), (axes[1], "accuracy")):
            ax.plot(self.epoch, getattr(self, f"train_{key}"), "o-", label=labels[0])
            if getattr(self, f"val_{key}"):
                ax.plot(self.epoch, getattr(self, f"val_{key}"), "s-", label=labels[1])
            ax.set_xlabel("epoch")
            ax.set_ylabel(key)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend()
        fig.suptitle(title or f"Training on {self.dataset}")
        fig.tight_layout()
        return fig


# --------------------------------------------------------------------------------------------
# Evaluation and prediction

@torch.no_grad()
def predict(model: nn.Module, data, *, batch_size: int = 512, preprocess=None,
            device: torch.device | str | None = None, probabilities: bool = False) -> torch.Tensor:
    """Class scores (or softmax probabilities) for a dataset, a pair or an N×C×H×W tensor."""
    images = data if isinstance(data, torch.Tensor) else as_tensors(data)[0]
    if images.dtype == torch.uint8:
        images = images.float() / 255.0
    device = torch.device(device) if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    outs = []
    try:
        for start in range(0, images.shape[0], batch_size):
            x = images[start:start + batch_size].to(device)
            outs.append(model(preprocess(x) if preprocess else x).float().cpu())
    finally:
        model.train(was_training)
    scores = torch.cat(outs)
    return scores.softmax(dim=1) if probabilities else scores


def evaluate(model: nn.Module, data, *, batch_size: int = 512, preprocess=None,
             device: torch.device | str | None = None) -> dict[str, Any]:
    """Mean cross-entropy and accuracy on ``data``; ``dataset`` names what was measured."""
    images, labels, name, classes = as_tensors(data)
    scores = predict(model, images, batch_size=batch_size, preprocess=preprocess, device=device)
    check_labels(labels, scores.shape[1], classes, name, "data")
    return {"loss": F.cross_entropy(scores, labels).item(),
            "accuracy": (scores.argmax(1) == labels).float().mean().item(),
            "n": int(labels.shape[0]), "dataset": name}


# --------------------------------------------------------------------------------------------
# Training

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
    weights. Progress bars show unless ``progress=False`` (default: off in the smoke profile and in book builds).
    """
    config = replace(config or TrainConfig(), **overrides)
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint=<path> to resume from")
    device = get_device(device if device is None else str(device))
    x_train, y_train, name, n_classes = as_tensors(train, "train")
    val_data = as_tensors(val, "val") if val is not None else None
    model.to(device)
    n_out = output_size(model, x_train, preprocess, device)
    check_labels(y_train, n_out, n_classes, name, "train")
    if val_data is not None:
        check_labels(val_data[1], n_out, val_data[3], val_data[2], "val")

    seed_everything(config.seed)
    n = x_train.shape[0]
    steps = max(1, n // config.batch_size + (n % config.batch_size > 1))  # never a batch of 1
    optimizer = build_optimizer(model.parameters(), config.optimizer, lr=config.lr,
                                weight_decay=config.weight_decay, momentum=config.momentum)
    scheduler = build_scheduler(optimizer, config.schedule, total_steps=config.epochs * steps,
                                steps_per_epoch=steps, step_epochs=config.step_epochs,
                                warmup_steps=round(config.warmup_epochs * steps),
                                gamma=config.gamma, min_lr=config.min_lr)
    use_amp = config.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    ema = (AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay),
                         use_buffers=True) if config.ema_decay else None)
    history, start = History(dataset=name), 0
    if resume and checkpoint is not None and Path(checkpoint).exists():
        start, history = _resume(checkpoint, config, model, optimizer, scheduler, scaler, ema)

    x_train, y_train = x_train.to(device), y_train.to(device)
    progress = show_progress() if progress is None else progress
    from tqdm.auto import tqdm

    epochs_bar = tqdm(range(start, config.epochs), desc=f"{type(model).__name__} on {name}",
                      unit="epoch", disable=not progress, initial=start, total=config.epochs)
    for epoch in epochs_bar:
        tic = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=torch.Generator().manual_seed(
            config.seed * 100_003 + epoch)).to(device)
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        lr_now = optimizer.param_groups[0]["lr"]
        for i in tqdm(range(steps), leave=False, disable=not progress, unit="batch",
                      desc=f"epoch {epoch + 1}"):
            index = order[i * config.batch_size:(i + 1) * config.batch_size]
            x, y = x_train[index], y_train[index]
            if augment is not None:
                x, y = augment(x, y)
            if preprocess is not None:
                x = preprocess(x)
            with torch.autocast(device.type, enabled=use_amp):
                scores = model(x)
                loss = F.cross_entropy(scores, y, label_smoothing=config.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if config.clip_grad_norm is not None:
                scaler.unscale_(optimizer)
                nn.utils.clip_grad_norm_(model.parameters(), config.clip_grad_norm)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            if ema is not None:
                ema.update_parameters(model)
            hard = y.argmax(1) if y.ndim == 2 else y
            loss_sum += loss.detach().float() * index.shape[0]
            correct += (scores.detach().argmax(1) == hard).sum()
        seen = min(n, steps * config.batch_size)
        history.epoch.append(epoch + 1)
        history.train_loss.append(loss_sum.item() / seen)
        history.train_accuracy.append(correct.item() / seen)
        history.lr.append(lr_now)
        if val_data is not None:
            scores_model = ema.module if ema is not None else model
            result = evaluate(scores_model, val_data[:2], batch_size=config.eval_batch_size,
                              preprocess=preprocess, device=device)
            history.val_loss.append(result["loss"])
            history.val_accuracy.append(result["accuracy"])
        if checkpoint is not None:
            _save(checkpoint, config, epoch + 1, model, optimizer, scheduler, scaler, ema, history)
        history.seconds.append(time.perf_counter() - tic)
        summary = {"loss": f"{history.train_loss[-1]:.3f}"}
        if history.val_accuracy:
            summary["val_acc"] = f"{history.val_accuracy[-1]:.1%}"
        epochs_bar.set_postfix(summary)
        if verbose:
            print(f"[{name}] epoch {epoch + 1}/{config.epochs}: " + ", ".join(
                f"{k} {v}" for k, v in summary.items()) + f" ({history.seconds[-1]:.1f} s)")
    epochs_bar.close()
    if ema is not None:
        model.load_state_dict(ema.module.state_dict())
    return history


def _save(path, config, epoch, model, optimizer, scheduler, scaler, ema, history) -> None:
    save_checkpoint(path, {
        "config": asdict(config), "epoch": epoch, "model_class": type(model).__name__,
        "model": model.state_dict(), "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(), "scaler": scaler.state_dict(),
        "ema": ema.state_dict() if ema is not None else None,
        "rng": rng_state(), "history": history.to_dict(),
    })


def _resume(path, config, model, optimizer, scheduler, scaler, ema) -> tuple[int, History]:
    """Load every piece of training state, or nothing at all (the model is restored on error)."""
    state = load_checkpoint(path)
    stored = state.get("config", {})
    differ = [k for k, v in asdict(config).items() if stored.get(k) != v]
    if differ:
        raise CheckpointError(f"{path} was written by a run with different settings "
                              + ", ".join(f"{k}={stored.get(k)!r} (now {getattr(config, k)!r})"
                                          for k in differ)
                              + "; use the same settings or another checkpoint path")
    check_state_dict(model, state["model"], f"checkpoint {path}")
    if ema is not None:
        check_state_dict(ema, state["ema"] or {}, f"EMA weights in {path}")
    backup = copy.deepcopy(model.state_dict())
    try:
        restore_model(model, state["model"], f"checkpoint {path}")
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        if ema is not None:
            restore_model(ema, state["ema"], f"EMA weights in {path}")
        history = History.from_dict(state["history"])
        set_rng_state(state["rng"])
    except Exception as err:
        model.load_state_dict(backup)
        raise CheckpointError(f"could not resume from {path}: {type(err).__name__}: {err}") from err
    return int(state["epoch"]), history
