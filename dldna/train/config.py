"""The settings of a training run (:class:`TrainConfig`), checked when they are made."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .schedules import OPTIMIZERS, SCHEDULES


@dataclass(frozen=True)
class TrainConfig:
    """Everything that changes the numbers of a run (so a resumed run must use the same).

    Args:
        epochs: passes over the training data (≥ 1).
        batch_size: images per step, summed over all processes.
        lr: peak learning rate.
        optimizer: ``sgd``, ``adam``, ``adamw`` or ``rmsprop``.
        momentum: for SGD and RMSProp.
        weight_decay: L2 penalty (decoupled for AdamW).
        schedule: ``constant``, ``step``, ``cosine``, ``warmup_cosine`` or ``onecycle``.
        warmup_epochs: warm-up length for ``warmup_cosine`` (may be fractional).
        step_epochs: epochs between drops for ``step``.
        gamma: factor of each drop for ``step``.
        min_lr: floor of the cosine schedules.
        label_smoothing: probability mass spread over all classes in the loss.
        clip_grad_norm: largest gradient norm before clipping; ``None``: no clipping.
        ema_decay: decay of the weight average (e.g. 0.999); ``None``: no averaging.
        amp: mixed precision (used only on CUDA).
        seed: seeds everything random in the run.
        eval_batch_size: images per forward pass in evaluation.
    """

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
