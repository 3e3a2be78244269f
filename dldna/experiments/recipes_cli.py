"""The torchrun command line: the book's full CIFAR-10 ResNet-18 recipe on every GPU of a machine.

:func:`dldna.experiments.recipes.train_recipe` at the gpu profile's scale, with
:mod:`dldna.train.distributed` doing the multi-process part::

    DLDNA_PROFILE=gpu torchrun --standalone --nproc_per_node=4 -m dldna.distributed cifar10-resnet18

``python -m dldna.distributed`` (the command the book prints) hands over to :func:`main` here;
``python -m dldna.experiments.recipes_cli`` is the same.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from .. import data as _data
from ..train.distributed import barrier, init, shutdown
from .recipes import recipe_data, recipe_scale, train_recipe


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="torchrun --standalone --nproc_per_node=N -m dldna.distributed",
        description="Run the book's full CIFAR-10 ResNet-18 recipe (chapter 11) on N processes, "
                    "one per GPU; the options shrink it for a quick try.")
    parser.add_argument("recipe", choices=["cifar10-resnet18"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, help="default: the recipe's 100")
    parser.add_argument("--batch-size", type=int, help="images per step over all processes")
    parser.add_argument("--train-size", type=int, help="a class-balanced subset")
    parser.add_argument("--test-size", type=int, help="a class-balanced subset")
    parser.add_argument("--width", type=int, help="ResNet width (default 64)")
    parser.add_argument("--ema", action="store_true", help="evaluate averaged weights")
    parser.add_argument("--no-augmentation", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Train the recipe; CIFAR-10 is downloaded (by rank 0 only) where the profile allows it.

    Args:
        argv: command-line arguments; ``None`` for ``sys.argv[1:]``.

    Returns:
        The exit status (0 on success).
    """
    args = _parser().parse_args(argv)
    changes = {k: getattr(args, k) for k in ("epochs", "batch_size", "train_size", "test_size",
                                             "width") if getattr(args, k) is not None}
    full = recipe_scale("gpu")  # the full recipe, whatever the profile
    if args.epochs is not None and full.warmup_epochs:  # warm-up keeps its share of the run
        changes["warmup_epochs"] = full.warmup_epochs * args.epochs / full.epochs
    scale = replace(full, **changes)
    world, _ = init()
    try:
        if world.is_main:  # one download, finished before the other processes read the files
            for split in ("train", "test"):
                _data.load(scale.dataset, split)
        barrier(world)
        datasets = recipe_data(scale, args.seed)
        run = train_recipe(scale=scale, seed=args.seed, ema=args.ema, datasets=datasets,
                           augmentation=not args.no_augmentation, progress=world.is_main)
        if world.is_main:
            print(f"ResNet-18 (width {scale.width}) on {run.dataset}, {world.size} "
                  f"process(es), {scale.epochs} epochs: test accuracy {run.test_accuracy:.2%}")
    finally:
        shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
