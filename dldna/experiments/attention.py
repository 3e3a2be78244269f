"""Chapter 9's Transformer experiments: a tiny ViT against a tiny CNN of similar size at two
training-set sizes (data hunger), and where a trained ViT's class token looks.

A ViT has almost none of a CNN's built-in assumptions (local filters, shared weights, pooling);
it must learn them from data. :func:`data_hunger` measures what that costs on a small training
set, with several seeds so the spread is visible.
"""
from __future__ import annotations

import math
import statistics

import torch
from torch import nn

from .. import models, train
from ..config import seed_everything

__all__ = ["tiny_cnn", "tiny_vit", "data_hunger", "summarize", "class_attention"]


def tiny_cnn(num_classes: int = 10, in_channels: int = 1, width: int = 14) -> nn.Sequential:
    """Three 3×3 conv-BN-ReLU layers (width, 2·width, 4·width) with pooling, then a linear head.

    Args:
        num_classes: outputs of the linear head.
        in_channels: channels of the input images.
        width: channels of the first convolution.
    """
    def layer(c_in: int, c_out: int) -> list[nn.Module]:
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                nn.ReLU()]

    return nn.Sequential(*layer(in_channels, width), nn.MaxPool2d(2),
                         *layer(width, 2 * width), nn.MaxPool2d(2),
                         *layer(2 * width, 4 * width), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4 * width, num_classes))


def tiny_vit(num_classes: int = 10, in_channels: int = 1, image_size: int = 8) -> nn.Module:
    """A ViT cutting the image into a 4×4 grid of patches (2×2 pixels for 8×8 digits), width
    32, 2 layers of 4 heads.

    Args:
        num_classes: outputs of the head.
        in_channels: channels of the input images.
        image_size: side of the square input, a multiple of 4.
    """
    if image_size % 4:
        raise ValueError(f"image_size must be a multiple of 4, got {image_size}")
    return models.create("vit_tiny", num_classes=num_classes, in_channels=in_channels,
                         image_size=image_size, patch_size=image_size // 4, hidden_dim=32,
                         num_layers=2, num_heads=4, mlp_dim=64)


BUILDERS = {"tiny ViT": tiny_vit, "tiny CNN": tiny_cnn}


def data_hunger(train_set, test_set, sizes=(200, 1000), seeds=(0, 1, 2), steps: int = 300,
                batch_size: int = 32, lr: float = 3e-3, threads: int = 1) -> list[dict]:
    """Train each model in ``BUILDERS`` on ``size`` images of ``train_set`` (a random subset
    per seed) for the same number of optimizer ``steps``; test accuracy on ``test_set``. Each
    row keeps the trained network under ``"net"``.

    Models this small run fastest on one CPU thread (``threads``): with more, the threads spend
    longer synchronising than computing. The previous thread count is restored afterwards.

    Args:
        train_set: the training data (an ImageDataset).
        test_set: the data the accuracies are measured on.
        sizes: training-set sizes to compare.
        seeds: seeds; each picks its own subset and initialisation.
        steps: optimizer steps per run (at least; whole epochs are run).
        batch_size: images per step.
        lr: learning rate.
        threads: CPU threads torch may use during the runs.

    Returns:
        One dict per (size, seed, model).
    """
    if not sizes or not seeds:
        raise ValueError("sizes and seeds must not be empty")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _data_hunger(train_set, test_set, sizes, seeds, steps, batch_size, lr)
    finally:
        torch.set_num_threads(previous)


def _data_hunger(train_set, test_set, sizes, seeds, steps, batch_size, lr) -> list[dict]:
    rows = []
    for size in sizes:
        if not 0 < size <= len(train_set):
            raise ValueError(f"size must be in 1..{len(train_set)}, got {size}")
        epochs = max(1, math.ceil(steps * batch_size / size))
        for seed in seeds:
            subset = train_set.subset(size, seed=seed)
            for name, build in BUILDERS.items():
                seed_everything(seed)
                model = build(train_set.num_classes, train_set.images.shape[1],
                              **({"image_size": train_set.images.shape[-1]}
                                 if name == "tiny ViT" else {}))
                train.fit(model, subset, epochs=epochs, batch_size=batch_size, lr=lr,
                          weight_decay=0.05, schedule="cosine", progress=False, seed=seed)
                accuracy = train.evaluate(model, test_set)["accuracy"]
                rows.append({"model": name, "size": size, "seed": seed, "accuracy": accuracy,
                             "params": sum(p.numel() for p in model.parameters()),
                             "epochs": epochs, "net": model})
    return rows


def summarize(rows: list[dict]) -> list[dict]:
    """Mean, standard deviation, minimum and maximum accuracy per (model, size).

    Args:
        rows: the list :func:`data_hunger` returns.
    """
    groups: dict[tuple[str, int], list[float]] = {}
    for r in rows:
        groups.setdefault((r["model"], r["size"]), []).append(r["accuracy"])
    return [{"model": m, "size": n, "mean": statistics.mean(a),
             "std": statistics.stdev(a) if len(a) > 1 else 0.0, "min": min(a), "max": max(a),
             "runs": len(a)} for (m, n), a in groups.items()]


@torch.no_grad()
def class_attention(model, image: torch.Tensor) -> torch.Tensor:
    """How much the class token attends to each patch: (layers, heads, grid, grid) for one
    image (C, H, W) through a :class:`~dldna.models.vit.VisionTransformer`.

    Args:
        model: a trained VisionTransformer; it is put in eval mode.
        image: one image (C, H, W) of the size the model takes.
    """
    if isinstance(model, str):
        raise TypeError(f"model must be a trained Vision Transformer, not its name {model!r}: "
                        "train one first, e.g. tiny_vit(), then pass the model")
    if not isinstance(model, nn.Module) or not hasattr(model, "attention_maps"):
        raise TypeError(f"class_attention needs a Vision Transformer (a model with "
                        f"attention_maps, e.g. tiny_vit() or create('vit_tiny')), got "
                        f"{type(model).__name__}: a CNN has no attention to show")
    if not isinstance(image, torch.Tensor) or image.ndim != 3:
        raise ValueError(f"image must be one (C, H, W) tensor, got "
                         f"{tuple(image.shape) if isinstance(image, torch.Tensor) else image!r}")
    model.eval()
    maps = model.attention_maps(image[None])
    grid = model.image_size // model.patch_size
    return torch.stack([m[0, :, 0, 1:] for m in maps]).reshape(len(maps), -1, grid, grid)
