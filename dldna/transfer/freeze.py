"""The three transfer strategies as one call, :func:`prepare`, with the details done right.

* ``"linear_probe"``: everything but the new head is frozen (a fixed feature extractor);
* ``"top"``: the last ``top_stages`` stages and the head train, the rest is frozen;
* ``"full"``: everything trains, with *discriminative* learning rates (Howard & Ruder 2018):
  the head gets ``lr``, the first stage ``lr · backbone_lr_factor`` and the stages between
  geometric steps from one to the other.

``requires_grad=False`` stops gradients but not BatchNorm's running statistics, which keep
moving whenever the network is in training mode (pytorch/pytorch#86590). So every BatchNorm in
the frozen part is *locked*: its class is swapped for a subclass whose ``train()`` always
means ``eval()``, so ``model.train()`` (as every trainer calls it) leaves it in eval mode.
The state dict is unchanged, so checkpoints load into the plain architecture.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from .heads import find_head, replace_head, stages

STRATEGIES = ("linear_probe", "top", "full")
_LOCKED: dict[type, type] = {}  # BatchNorm class → its locked subclass


def _locked_class(cls: type) -> type:
    if cls not in _LOCKED:
        def train(self, mode: bool = True):
            return _BatchNorm.train(self, False)  # frozen: always evaluation mode

        _LOCKED[cls] = type(f"Locked{cls.__name__}", (cls,), {
            "train": train, "__doc__": f"{cls.__name__} that stays in eval mode.",
            "__module__": __name__})
        globals()[_LOCKED[cls].__name__] = _LOCKED[cls]  # so that pickle finds the class
    return _LOCKED[cls]


def is_locked(module: nn.Module) -> bool:
    """Whether ``module`` is a BatchNorm locked in eval mode by :func:`lock_batchnorm`.

    Args:
        module: any module.
    """
    return type(module) in _LOCKED.values()


def lock_batchnorm(module: nn.Module) -> int:
    """Keep every BatchNorm inside ``module`` in eval mode for good, and freeze its affine
    parameters; returns how many layers were locked (already locked ones count too).

    Args:
        module: a network or part of one.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    count = 0
    for m in module.modules():
        if isinstance(m, _BatchNorm):
            if not is_locked(m):
                m.__class__ = _locked_class(type(m))
            m.eval()
            for p in m.parameters():
                p.requires_grad_(False)
            count += 1
    return count


def unlock_batchnorm(module: nn.Module) -> int:
    """Undo :func:`lock_batchnorm` (the layers follow ``train()``/``eval()`` again); returns
    how many layers were unlocked. Their parameters' ``requires_grad`` is left as it is.

    Args:
        module: a network or part of one.
    """
    count = 0
    for m in module.modules():
        if is_locked(m):
            m.__class__ = type(m).__mro__[1]
            count += 1
    return count


def count_parameters(model: nn.Module, trainable: bool | None = True) -> int:
    """Number of parameters (``trainable=True``: those with ``requires_grad``; ``False``: the
    frozen ones; ``None``: all).

    Args:
        model: the network.
        trainable: which parameters to count.
    """
    return sum(p.numel() for p in model.parameters()
               if trainable is None or p.requires_grad == trainable)


@dataclass
class Prepared:
    """A network made ready for one transfer strategy (see :func:`prepare`).

    Args:
        model: the network, its head replaced, the frozen part frozen (changed in place).
        strategy: ``"linear_probe"``, ``"top"`` or ``"full"``.
        param_groups: optimiser groups ``{"name", "params", "lr"}`` of the trainable
            parameters, ready for any ``torch.optim`` optimiser.
        trainable: number of trainable parameters.
        total: number of parameters.
        locked_bn: BatchNorm layers locked in eval mode.
        head: dotted name of the new classifier.
        frozen_stages: names of the frozen stages.
    """

    model: nn.Module
    strategy: str
    param_groups: list[dict] = field(repr=False)
    trainable: int
    total: int
    locked_bn: int
    head: str
    frozen_stages: list[str]

    def optimizer(self, name: str = "adamw", *, weight_decay: float = 0.0,
                  momentum: float = 0.9) -> torch.optim.Optimizer:
        """A ``torch.optim`` optimiser over ``param_groups`` (each with its own lr).

        Args:
            name: ``sgd``, ``adam``, ``adamw`` or ``rmsprop``.
            weight_decay: L2 penalty (decoupled for AdamW).
            momentum: for SGD and RMSProp.
        """
        from ..train.schedules import build_optimizer

        groups = [{"params": g["params"], "lr": g["lr"], "name": g["name"]}
                  for g in self.param_groups]
        return build_optimizer(groups, name, lr=groups[-1]["lr"], weight_decay=weight_decay,
                               momentum=momentum)

    def learning_rates(self) -> dict[str, float]:
        """``{group name: learning rate}``, from the first stage to the head."""
        return {g["name"]: g["lr"] for g in self.param_groups}


def _check_prepare(model, strategy, num_classes, top_stages, lr, backbone_lr_factor) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if not isinstance(top_stages, int) or isinstance(top_stages, bool) or top_stages < 1:
        raise ValueError(f"top_stages must be a positive integer, got {top_stages!r}")
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not (isinstance(backbone_lr_factor, (int, float)) and 0 < backbone_lr_factor <= 1):
        raise ValueError(f"backbone_lr_factor must lie in (0, 1], got {backbone_lr_factor!r}")


def prepare(model: nn.Module, strategy: str, num_classes: int, *, top_stages: int = 1,
            lr: float = 1e-3, backbone_lr_factor: float = 0.1,
            lock_bn: bool = True) -> Prepared:
    """Replace the head and freeze what ``strategy`` freezes; return the optimiser groups.

    Stage ``i`` of ``n`` (0 = next to the input) that trains gets
    ``lr · backbone_lr_factor ** ((n − i) / n)``; the new head gets ``lr``. With ``"top"``
    only the last ``top_stages`` stages train (the same rule gives their rates).

    Args:
        model: a pretrained network (changed in place); see :func:`find_head`.
        strategy: ``"linear_probe"``, ``"top"`` or ``"full"``.
        num_classes: classes of the new task.
        top_stages: stages trained by ``"top"``, 1 to ``len(stages(model))``.
        lr: learning rate of the new head.
        backbone_lr_factor: ratio of the first stage's rate to the head's, in (0, 1]
            (1: one rate for everything).
        lock_bn: keep the frozen part's BatchNorm layers in eval mode (``False`` only to
            measure what happens without it).

    Returns:
        A :class:`Prepared`.
    """
    _check_prepare(model, strategy, num_classes, top_stages, lr, backbone_lr_factor)
    body = stages(model)
    if strategy == "top" and top_stages > len(body):
        raise ValueError(f"top_stages={top_stages} but {type(model).__name__} has only "
                         f"{len(body)} stages: {', '.join(n for n, _ in body)}")
    replace_head(model, num_classes)
    head_name, head = find_head(model)
    n_train = {"linear_probe": 0, "top": top_stages, "full": len(body)}[strategy]
    frozen = body[:len(body) - n_train]
    model.requires_grad_(strategy == "full")
    for _, stage in body[len(body) - n_train:]:
        stage.requires_grad_(True)
    head.requires_grad_(True)
    locked = sum(lock_batchnorm(stage) for _, stage in frozen) if lock_bn else 0
    groups, n = [], len(body)
    for i, (name, stage) in enumerate(body):
        params = [p for p in stage.parameters() if p.requires_grad]
        if params:
            groups.append({"name": name, "params": params,
                           "lr": lr * backbone_lr_factor ** ((n - i) / n)})
    seen = {id(p) for g in groups for p in g["params"]} | {id(p) for p in head.parameters()}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in seen]
    if rest:  # trainable layers outside the stages (rare): the smallest rate
        groups.insert(0, {"name": "other", "params": rest, "lr": lr * backbone_lr_factor})
    groups.append({"name": head_name, "params": list(head.parameters()), "lr": lr})
    return Prepared(model, strategy, groups, count_parameters(model), count_parameters(model, None),
                    locked, head_name, [name for name, _ in frozen])
