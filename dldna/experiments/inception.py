"""The arithmetic of the Inception module and its descendants (chapter 6).

* :func:`inception_macs` / :func:`naive_inception_macs` – multiply-adds of one module by formula;
  :func:`module_costs` builds the modules, counts them with ``FlopCounterMode`` and checks that the
  two agree.
* :func:`factorisation_savings` – Inception v2/v3: 5×5 → two 3×3, n×n → 1×n then n×1.
* :func:`~dldna.measure.efficiency.separable_costs` – depthwise-separable convolution (Xception, MobileNet) against a
  standard one; the ratio is 1/C_out + 1/k² (from :mod:`dldna.measure.efficiency`).
* :func:`aux_head_experiment` – a shallow GoogLeNet with and without auxiliary heads.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..config import check_positive_ints
from ..measure import counting
from ..measure.efficiency import separable_costs, separable_ratio  # noqa: F401  (chapter 6)
from ..models.googlenet import InceptionModule, NaiveInceptionModule, googlenet_loss
from ..models.googlenet_mini import googlenet_mini


def inception_macs(size: int, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int,
                   ch5x5red: int, ch5x5: int, pool_proj: int, k5: int = 5) -> int:
    """Multiply-adds of an Inception module with 1×1 reductions on a size×size map.

    Args:
        size: side of the square feature map (stride 1, so the output has the same side).
        in_channels: channels entering the module.
        ch1x1: outputs of the 1×1 branch.
        ch3x3red: outputs of the 1×1 reduction before the 3×3.
        ch3x3: outputs of the 3×3 branch.
        ch5x5red: outputs of the 1×1 reduction before the 5×5.
        ch5x5: outputs of the 5×5 branch.
        pool_proj: outputs of the 1×1 projection after the max pool.
        k5: kernel side of the "5×5" branch (torchvision's GoogLeNet uses 3).
    """
    check_positive_ints(size=size, in_channels=in_channels, ch1x1=ch1x1, ch3x3red=ch3x3red,
                        ch3x3=ch3x3, ch5x5red=ch5x5red, ch5x5=ch5x5, pool_proj=pool_proj, k5=k5)
    per_pixel = (in_channels * (ch1x1 + ch3x3red + ch5x5red + pool_proj)
                 + ch3x3red * ch3x3 * 9 + ch5x5red * ch5x5 * k5 * k5)
    return size * size * per_pixel


def naive_inception_macs(size: int, in_channels: int, ch1x1: int, ch3x3: int, ch5x5: int) -> int:
    """Multiply-adds of the naive module: 1×1, 3×3 and 5×5 convolutions on the full input.

    Args:
        size: side of the square feature map.
        in_channels: channels entering the module.
        ch1x1: outputs of the 1×1 convolution.
        ch3x3: outputs of the 3×3 convolution.
        ch5x5: outputs of the 5×5 convolution.
    """
    check_positive_ints(size=size, in_channels=in_channels, ch1x1=ch1x1, ch3x3=ch3x3, ch5x5=ch5x5)
    return size * size * in_channels * (ch1x1 + 9 * ch3x3 + 25 * ch5x5)


def module_costs(size: int, row: Sequence[int]):
    """Naive against reduced module for one row of the Inception table (``in, #1×1, #3×3 red,
    #3×3, #5×5 red, #5×5, pool proj``) on a size×size map: output channels, parameters and
    multiply-adds, by formula and as counted on the built modules (they must agree).

    Args:
        size: side of the square feature map.
        row: the seven channel numbers of one table row, in the order above.

    Returns:
        A DataFrame with one row for each module.
    """
    import pandas as pd

    in_c, c1, r3, c3, r5, c5, pp = row
    naive = NaiveInceptionModule(in_c, c1, c3, c5)
    reduced = InceptionModule(*row, branch3_kernel=5)
    shape = (1, in_c, size, size)
    rows = []
    for label, module, formula in (
            ("naive", naive, naive_inception_macs(size, in_c, c1, c3, c5)),
            ("with 1×1 reductions", reduced, inception_macs(size, *row))):
        measured = counting.measured_macs(module.eval(), shape)
        if measured != formula:
            raise AssertionError(f"{label}: formula {formula:,} ≠ counted {measured:,}")
        rows.append({"module": label, "output channels": module.out_channels,
                     "params": counting.count_parameters(module), "MACs": measured})
    return pd.DataFrame(rows).set_index("module")


def factorisation_savings(channels: int = 64, size: int = 17, n: int = 7):
    """Parameters and multiply-adds (C → C channels, no bias, size×size map) of the Inception
    v2/v3 factorisations, counted on real layers: one 5×5 against two 3×3, and one n×n against
    1×n followed by n×1.

    Args:
        channels: input and output channels C of every convolution.
        size: side of the square feature map.
        n: side of the kernel that is split into 1×n and n×1.

    Returns:
        A DataFrame, one row per factorisation, with the saving in multiply-adds (a fraction).
    """
    import pandas as pd

    check_positive_ints(channels=channels, size=size, n=n)
    c, shape = channels, (1, channels, size, size)

    def conv(kh: int, kw: int) -> nn.Conv2d:
        return nn.Conv2d(c, c, (kh, kw), padding=(kh // 2, kw // 2), bias=False)

    pairs = {"5×5 → two 3×3": (conv(5, 5), nn.Sequential(conv(3, 3), conv(3, 3))),
             f"{n}×{n} → 1×{n} + {n}×1": (conv(n, n), nn.Sequential(conv(1, n), conv(n, 1)))}
    rows = []
    for label, (before, after) in pairs.items():
        p0, p1 = counting.count_parameters(before), counting.count_parameters(after)
        m0, m1 = counting.measured_macs(before, shape), counting.measured_macs(after, shape)
        rows.append({"factorisation": label, "params before": p0, "params after": p1,
                     "MACs before": m0, "MACs after": m1, "saving": 1 - m1 / m0})
    return pd.DataFrame(rows).set_index("factorisation")


def _accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return (model(images).argmax(1) == labels).float().mean().item()


def train_mini_googlenet(train, test, *, aux: bool, seed: int = 0, epochs: int = 5,
                         batch_size: int = 32, lr: float = 2e-3) -> dict:
    """Train :func:`~dldna.models.googlenet_mini.googlenet_mini` on ``train`` (an ImageDataset) with
    Adam; with ``aux=True`` the loss is main + 0.3·(aux1 + aux2). Returns test accuracy and the
    last epoch's mean main-head training loss.

    Args:
        train: the training set (an ImageDataset).
        test: the test set (an ImageDataset).
        aux: train with the two auxiliary heads.
        seed: seeds the weights and the batch order.
        epochs: passes over ``train``.
        batch_size: images per step.
        lr: Adam learning rate.
    """
    x, y = train.tensors()
    x_test, y_test = test.tensors()
    torch.manual_seed(seed)
    model = googlenet_mini(num_classes=len(train.classes), in_channels=x.shape[1], aux_logits=aux)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        main_losses = []
        for index in torch.randperm(len(y), generator=generator).split(batch_size):
            outputs = model(x[index])
            loss = googlenet_loss(outputs, y[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            main = outputs[0] if isinstance(outputs, tuple) else outputs
            main_losses.append(nn.functional.cross_entropy(main.detach(), y[index]).item())
    return {"aux heads": aux, "seed": seed, "test accuracy": _accuracy(model, x_test, y_test),
            "train loss (main head)": sum(main_losses) / len(main_losses), "dataset": train.name}


def aux_head_experiment(train, test, seeds: Sequence[int] = (0, 1, 2), **kwargs):
    """:func:`train_mini_googlenet` with and without auxiliary heads for each seed; a DataFrame.

    Args:
        train: the training set (an ImageDataset).
        test: the test set (an ImageDataset).
        seeds: the seeds, at least one; both variants get all of them.
        **kwargs: passed to :func:`train_mini_googlenet` (``epochs``, ``lr`` …).
    """
    import pandas as pd

    if len(seeds) < 1:
        raise ValueError("seeds must name at least one seed")
    rows = [train_mini_googlenet(train, test, aux=aux, seed=s, **kwargs)
            for aux in (False, True) for s in seeds]
    return pd.DataFrame(rows)
