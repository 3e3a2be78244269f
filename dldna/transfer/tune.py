"""Training with optimiser groups, and the trainable part of a network on cached features.

:func:`fit_groups` is a small loop over in-memory tensors that takes the per-group learning
rates of :class:`~dldna.transfer.freeze.Prepared` (``dldna.train.fit`` builds its optimiser
from ``model.parameters()`` with one rate, so it cannot run discriminative rates yet). It
returns the trainer's :class:`~dldna.train.History`, calls ``model.train()`` every epoch like
``fit`` does (so a BatchNorm that is not locked *will* move), and seeds everything it draws.

:func:`tail` is the part of a network above a cut, so that ``"top"`` fine-tuning can train on
features of the frozen part computed once by :func:`~dldna.transfer.features.extract_features`.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..train_history import History
from .heads import find_head, stages


class _LiteTail(nn.Module):
    """EfficientNet-Lite0 above a cut: blocks → 1×1 head conv → BN → ReLU6 → pool → head."""

    def __init__(self, model: nn.Module, first_block: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(*model._blocks[first_block:])
        self.conv_head, self.bn, self.dropout, self.fc = (model._conv_head, model._bn1,
                                                          model._dropout, model._fc)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self.bn(self.conv_head(self.blocks(x))))
        return self.fc(self.dropout(F.adaptive_avg_pool2d(x, 1).flatten(1)))


def cut_layer(model: nn.Module, top_stages: int) -> str:
    """Dotted name of the last module below the ``top_stages`` trainable stages.

    Args:
        model: the network; see :func:`dldna.transfer.stages`.
        top_stages: how many stages (from the top) train, 1 to ``len(stages) − 1``.
    """
    body = stages(model)
    if not isinstance(top_stages, int) or not 1 <= top_stages < len(body):
        raise ValueError(f"top_stages must be an integer in [1, {len(body) - 1}] for "
                         f"{type(model).__name__}, got {top_stages!r}")
    name = body[len(body) - top_stages - 1][0].split("+")[-1]
    prefix, _, last = name.rpartition(".")
    if "-" in last:
        return f"{prefix}.{last.split('-')[1]}"
    return name


def tail(model: nn.Module, top_stages: int) -> tuple[str, nn.Module]:
    """``(cut, module)``: the network's top ``top_stages`` stages plus pooling and head as one
    module that maps the output of layer ``cut`` to class scores (it shares the model's
    parameters, so training it trains the model).

    Supported: networks with ``features`` + ``classifier`` (MobileNetV2, EfficientNet, the
    book's own), ResNets (``layer1``… + ``fc``) and EfficientNet-Lite0.

    Args:
        model: the network.
        top_stages: as for :func:`cut_layer`.
    """
    cut = cut_layer(model, top_stages)
    prefix, _, index = cut.rpartition(".")
    if prefix == "_blocks" and hasattr(model, "_conv_head"):
        return cut, _LiteTail(model, int(index) + 1)
    if prefix == "features" and hasattr(model, "classifier"):
        rest = list(model.features[int(index) + 1:])
        return cut, nn.Sequential(*rest, nn.AdaptiveAvgPool2d(1), nn.Flatten(), model.classifier)
    if hasattr(model, "layer4") and hasattr(model, "fc"):
        names = [n for n in ("layer1", "layer2", "layer3", "layer4")]
        after = names[names.index(cut) + 1:] if cut in names else names
        return cut, nn.Sequential(*(getattr(model, n) for n in after), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten(), model.fc)
    raise ValueError(f"tail() does not know how {type(model).__name__} continues after {cut!r}; "
                     f"train it through the whole network instead")


def _groups(model: nn.Module, param_groups, lr: float | None) -> list[dict]:
    if param_groups is not None:
        return [{"params": g["params"], "lr": g["lr"]} for g in param_groups]
    if lr is None:
        raise ValueError("give param_groups (e.g. Prepared.param_groups) or lr")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameter")
    return [{"params": params, "lr": lr}]


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, preprocess=None,
             batch_size: int = 256) -> tuple[float, float]:
    """``(accuracy, mean cross-entropy)`` of ``model`` in eval mode (its mode restored).

    Args:
        model: the classifier.
        x: inputs (images or cached features).
        y: labels.
        preprocess: batch transform before the model.
        batch_size: inputs per forward pass.
    """
    was = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        scores = torch.cat([model(preprocess(b.to(device)) if preprocess else b.to(device)).cpu()
                            for b in x.split(batch_size)])
    finally:
        model.train(was)
    return (scores.argmax(1) == y).float().mean().item(), F.cross_entropy(scores, y).item()


def fit_groups(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int,
               batch_size: int = 32, param_groups=None, lr: float | None = None,
               weight_decay: float = 1e-4, preprocess: Callable | None = None,
               val: tuple[torch.Tensor, torch.Tensor] | None = None, seed: int = 0,
               dataset: str = "") -> History:
    """AdamW with a cosine schedule over in-memory tensors, one learning rate per group.

    Args:
        model: what to train (in place): a network or a :func:`tail`.
        x: training inputs (images in [0, 1] or features).
        y: integer labels.
        epochs: passes over the data, ≥ 1.
        batch_size: inputs per step.
        param_groups: ``[{"params", "lr"}, ...]`` (``Prepared.param_groups``); or ``lr``.
        lr: one rate for every trainable parameter, when no groups are given.
        weight_decay: AdamW's decoupled weight decay.
        preprocess: batch transform before the model (training and validation).
        val: ``(inputs, labels)`` measured after every epoch (``None``: none).
        seed: seeds the batch order (and dropout) of the run.
        dataset: name of the training data, kept in the history.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not isinstance(x, torch.Tensor) or x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise ValueError("x and y must be tensors with the same, non-zero number of rows")
    groups = _groups(model, param_groups, lr)
    optimizer = torch.optim.AdamW(groups, weight_decay=weight_decay)
    steps = max(1, math.ceil(x.shape[0] / batch_size))
    total = epochs * steps
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda t: 0.5 * (1 + math.cos(math.pi * t / total)))
    generator = torch.Generator().manual_seed(seed)
    history, device = History(dataset=dataset), next(model.parameters()).device
    torch.manual_seed(seed)
    for epoch in range(epochs):
        tic, model_lr = time.perf_counter(), optimizer.param_groups[-1]["lr"]
        model.train()
        order, loss_sum, correct = torch.randperm(x.shape[0], generator=generator), 0.0, 0
        for index in order.split(batch_size):
            if index.numel() < 2 and x.shape[0] > 1:
                continue  # a batch of one breaks BatchNorm's statistics
            xb, yb = x[index].to(device), y[index].to(device)
            scores = model(preprocess(xb) if preprocess else xb)
            loss = F.cross_entropy(scores, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * index.numel()
            correct += int((scores.argmax(1) == yb).sum())
        history.epoch.append(epoch + 1)
        history.train_loss.append(loss_sum / x.shape[0])
        history.train_accuracy.append(correct / x.shape[0])
        history.lr.append(model_lr)
        if val is not None:
            acc, val_loss = accuracy(model, *val, preprocess=preprocess)
            history.val_accuracy.append(acc)
            history.val_loss.append(val_loss)
        history.seconds.append(time.perf_counter() - tic)
    return history


