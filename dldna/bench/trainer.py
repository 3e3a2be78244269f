"""Trainer overhead and the LeNet-5 reference run: ``python -m dldna.bench trainer``.

1. Time per epoch of :func:`dldna.train.fit` divided by a bare hand-written PyTorch loop on the
   same model, data and batch size, measured alternately in the same process (median of several
   epochs each, so a busy machine affects both alike). Target: ≤ 1.10×.
2. LeNet-5 on the bundled MNIST-5k with the book's recipe: test accuracy and wall time
   (target in the cpu profile: ≥ 97 %).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .. import data
from ..config import Profile, RunSize, get_profile, seed_everything
from ..models import lenet5
from ..train import evaluate, fit

#: Optimiser settings of the LeNet-5 reference run (AdamW with a one-cycle schedule).
LENET_RECIPE = dict(optimizer="adamw", lr=2e-3, weight_decay=0.01, schedule="onecycle",
                    batch_size=32)


def lenet_size(profile: str | None = None) -> RunSize:
    """Epochs and batch size of the LeNet-5 reference run in a profile: 2 epochs in smoke, 20 in
    cpu and gpu (15 reach 97.0 %, with no margin), the batch of :data:`LENET_RECIPE`.

    Args:
        profile: ``"smoke"``, ``"cpu"`` or ``"gpu"``; ``None`` uses the active profile. Another
            name raises ``ValueError`` listing the profiles.
    """
    chosen = get_profile() if profile is None else Profile(profile)
    batch = LENET_RECIPE["batch_size"]
    return chosen.pick(smoke=RunSize(epochs=2, batch_size=batch),
                       cpu=RunSize(epochs=20, batch_size=batch),
                       gpu=RunSize(epochs=20, batch_size=batch))


def bare_epoch(model, images, labels, optimizer, batch_size: int, seed: int) -> float:
    """One epoch of the simplest correct loop: shuffle, forward, loss, backward, step.

    Args:
        model: the network, trained in place.
        images: all training images, one tensor.
        labels: their class indices.
        optimizer: the optimiser stepping ``model``'s parameters.
        batch_size: images per step.
        seed: seeds the epoch's shuffle.

    Returns:
        The epoch's wall time in seconds.
    """
    tic = time.perf_counter()
    model.train()
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    for start in range(0, len(labels), batch_size):
        index = order[start:start + batch_size]
        loss = F.cross_entropy(model(images[index]), labels[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - tic


def overhead(epochs: int = 5, batch_size: int = 64) -> dict[str, float]:
    """Median seconds per epoch: trainer (with checkpointing) and the bare loop.

    Args:
        epochs: epochs timed for each loop (alternating, so machine load hits both).
        batch_size: images per step in both loops.
    """
    train_set = data.load("mnist5k", "train")
    images, labels = train_set.tensors()
    seed_everything(0)
    bare_model = lenet5(image_size=28, padding=2, activation="relu")
    bare_opt = torch.optim.AdamW(bare_model.parameters(), lr=1e-3)
    bare_epoch(bare_model, images, labels, bare_opt, batch_size, seed=-1 % 2**31)  # warm-up
    trainer_times, bare_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for epoch in range(epochs):  # alternate, so machine load hits both equally
            bare_times.append(bare_epoch(bare_model, images, labels, bare_opt, batch_size, epoch))
            model = lenet5(image_size=28, padding=2, activation="relu")
            history = fit(model, train_set, epochs=1, lr=1e-3, optimizer="adamw",
                          batch_size=batch_size, seed=epoch, progress=False,
                          checkpoint=Path(tmp) / "bench.pt")
            trainer_times.append(history.seconds[0])
    trainer, bare = statistics.median(trainer_times), statistics.median(bare_times)
    return {"trainer_s": trainer, "bare_s": bare, "ratio": trainer / bare,
            "images": len(labels), "dataset": train_set.name}


def lenet_reference(epochs: int | None = None) -> dict[str, float]:
    """Train LeNet-5 on MNIST-5k with :data:`LENET_RECIPE`; accuracy and wall time.

    Args:
        epochs: training epochs; ``None`` lets the profile choose (:func:`lenet_size`).
    """
    size = lenet_size()
    epochs = epochs or size.epochs
    train_set, test_set = data.load("mnist5k", "train"), data.load("mnist5k", "test")
    seed_everything(0)
    model = lenet5(image_size=28, padding=2, activation="relu", pool="max")
    tic = time.perf_counter()
    fit(model, train_set, progress=False, **{**LENET_RECIPE, **size.training(), "epochs": epochs})
    wall = time.perf_counter() - tic
    return {"accuracy": evaluate(model, test_set)["accuracy"], "seconds": wall,
            "epochs": epochs, "dataset": train_set.name}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dldna.bench trainer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per loop (5)")
    parser.add_argument("--lenet-epochs", type=int, default=None,
                        help="epochs of the LeNet-5 run (profile default)")
    parser.add_argument("--skip-lenet", action="store_true", help="only measure the overhead")
    args = parser.parse_args(argv)
    print(f"profile: {get_profile()} | torch {torch.__version__} | "
          f"{torch.get_num_threads()} CPU thread(s)")
    result = overhead(args.epochs)
    verdict = "OK" if result["ratio"] <= 1.10 else "ABOVE TARGET"
    print(f"trainer vs bare loop, LeNet-5 on {result['dataset']} ({result['images']} images, "
          f"batch 64, median of {args.epochs} epochs):")
    print(f"  trainer {result['trainer_s']:.3f} s/epoch | bare loop {result['bare_s']:.3f} "
          f"s/epoch | ratio {result['ratio']:.2f}× (target ≤ 1.10×: {verdict})")
    if not args.skip_lenet:
        ref = lenet_reference(args.lenet_epochs)
        print(f"LeNet-5 on {ref['dataset']}: test accuracy {ref['accuracy']:.2%} after "
              f"{ref['epochs']} epochs in {ref['seconds']:.1f} s wall time "
              f"(target ≥ 97 % in the cpu profile)")
    return 0
