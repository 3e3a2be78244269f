"""Deleting one residual block at a time from a trained CIFAR-style ResNet (Veit et al., 2016) and
measuring the test accuracy without it (chapter 7)."""
from __future__ import annotations

import copy

import pandas as pd
from torch import nn

from .. import data as _data
from ..models.resnet_cifar import CifarResNet
from ..train import evaluate


def deletable_blocks(model: CifarResNet) -> list[str]:
    """Blocks whose input and output shapes agree (stride 1), so the identity can replace them.

    Args:
        model: a plain or residual CIFAR-style net.

    Returns:
        Block names such as ``"layer2.1"``.
    """
    if not isinstance(model, CifarResNet):
        raise TypeError(f"model must be a CifarResNet, got {type(model).__name__}")
    return [f"{stage}.{i}" for stage in ("layer1", "layer2", "layer3")
            for i, block in enumerate(getattr(model, stage))
            if block.conv1.stride == (1, 1) and block.conv1.in_channels == block.conv2.out_channels]


def delete_block(model: CifarResNet, name: str) -> CifarResNet:
    """A copy of ``model`` in which block ``name`` (e.g. ``"layer2.1"``) is the identity.

    Args:
        model: the trained net; it is not changed.
        name: one of :func:`deletable_blocks`.
    """
    valid = deletable_blocks(model)
    if name not in valid:
        raise ValueError(f"name must be one of the deletable blocks {valid}, got {name!r}")
    pruned = copy.deepcopy(model)
    stage, index = name.split(".")
    getattr(pruned, stage)[int(index)] = nn.Identity()
    return pruned.eval()


def block_deletion(model: CifarResNet, test_set: _data.ImageDataset) -> pd.DataFrame:
    """Test accuracy with each deletable block removed in turn, beside the intact model's.

    Args:
        model: the trained net.
        test_set: the data the accuracies are measured on.

    Returns:
        A DataFrame with one row per deleted block and its accuracy ``drop``; its ``attrs``
        hold the intact accuracy and the dataset name.
    """
    intact = evaluate(model, test_set)["accuracy"]
    rows = [{"deleted block": name,
             "test accuracy": evaluate(delete_block(model, name), test_set)["accuracy"]}
            for name in deletable_blocks(model)]
    table = pd.DataFrame(rows)
    table["drop"] = intact - table["test accuracy"]
    table.attrs.update(intact=intact, dataset=test_set.name)
    return table
