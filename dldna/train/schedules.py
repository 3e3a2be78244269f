"""Optimizers and learning-rate schedules from plain arguments, built from ``torch.optim`` parts.

Every schedule here is a real ``torch.optim.lr_scheduler`` object stepped once per *batch*, so the
curves the book plots (:func:`lr_curve`) are exactly what the trainer uses.
"""
from __future__ import annotations

from typing import Iterable

import torch
from torch.optim import lr_scheduler

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "step", "cosine", "warmup_cosine", "onecycle")


def build_optimizer(params: Iterable, name: str = "adamw", *, lr: float = 1e-3,
                    weight_decay: float = 0.0,
                    momentum: float = 0.9) -> torch.optim.Optimizer:
    """SGD with (Nesterov-free) momentum, Adam, AdamW (decoupled weight decay) or
    RMSProp.

    Args:
        params: the parameters (or parameter groups) to optimise.
        name: ``sgd``, ``adam``, ``adamw`` or ``rmsprop``.
        lr: the learning rate.
        weight_decay: L2 penalty (decoupled for AdamW).
        momentum: for SGD and RMSProp only.
    """
    name = name.lower()
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum,
                               weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum,
                                   weight_decay=weight_decay)
    raise ValueError(f"optimizer={name!r} is not known; "
                     f"expected one of {', '.join(OPTIMIZERS)}")


def build_scheduler(optimizer: torch.optim.Optimizer, name: str, *, total_steps: int,
                    steps_per_epoch: int = 1, warmup_steps: int = 0,
                    step_epochs: int = 30, gamma: float = 0.1,
                    min_lr: float = 0.0) -> lr_scheduler.LRScheduler:
    """A per-batch schedule over ``total_steps`` batches.

    ``step``: multiply by ``gamma`` every ``step_epochs`` epochs.
    ``cosine``: η_t = η_min + ½(η_max − η_min)(1 + cos(πt/T)).
    ``warmup_cosine``: linear warm-up over ``warmup_steps``, then cosine.
    ``onecycle``: rise to the peak over 30 % of the run, then anneal.

    Args:
        optimizer: the optimiser whose learning rate is scheduled.
        name: ``constant``, ``step``, ``cosine``, ``warmup_cosine`` or ``onecycle``.
        total_steps: batches in the whole run.
        steps_per_epoch: batches per epoch (for ``step``).
        warmup_steps: warm-up batches (for ``warmup_cosine``).
        step_epochs: epochs between drops (for ``step``).
        gamma: factor of each drop (for ``step``).
        min_lr: final learning rate η_min (cosine schedules).
    """
    name = name.lower()
    if total_steps < 1:
        raise ValueError(f"total_steps must be at least 1, got {total_steps}")
    if name == "constant":
        return lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    if name == "step":
        every = max(1, step_epochs * steps_per_epoch)
        return lr_scheduler.StepLR(optimizer, step_size=every, gamma=gamma)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps,
                                              eta_min=min_lr)
    if name == "warmup_cosine":
        warmup = min(max(1, warmup_steps), total_steps - 1) if total_steps > 1 else 0
        if warmup == 0:
            return lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps,
                                                  eta_min=min_lr)
        rise = lr_scheduler.LinearLR(optimizer, start_factor=1.0 / (warmup + 1),
                                     total_iters=warmup)
        fall = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup,
                                              eta_min=min_lr)
        return lr_scheduler.SequentialLR(optimizer, [rise, fall], milestones=[warmup])
    if name == "onecycle":
        peaks = [group["lr"] for group in optimizer.param_groups]
        return lr_scheduler.OneCycleLR(optimizer, max_lr=peaks, total_steps=total_steps)
    raise ValueError(f"schedule={name!r} is not known; "
                     f"expected one of {', '.join(SCHEDULES)}")


def lr_curve(name: str, *, lr: float = 0.1, epochs: int = 20, steps_per_epoch: int = 10,
             **kwargs) -> list[float]:
    """The learning rate at every batch of a run, read from the real scheduler object.

    Args:
        name: the schedule's name, as for :func:`build_scheduler`.
        lr: the peak (starting) learning rate.
        epochs: epochs in the run.
        steps_per_epoch: batches per epoch.
        kwargs: further keywords for :func:`build_scheduler` (e.g. ``warmup_steps``).
    """
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=lr, momentum=0.9)
    total = epochs * steps_per_epoch
    scheduler = build_scheduler(optimizer, name, total_steps=total,
                                steps_per_epoch=steps_per_epoch, **kwargs)
    rates = []
    for _ in range(total):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates
