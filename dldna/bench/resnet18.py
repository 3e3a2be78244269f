"""How good and how fast :func:`dldna.train_resnet.train_resnet18` is: ``python -m dldna.bench
resnet18 [--seeds 0 1] [--threads 2]``.

For each seed it trains the active profile's ResNet-18 from scratch (a fresh temporary file, so
no cached model or checkpoint is reused) and prints the test accuracy with the number of test
images and the dataset's name, the wall time, the process CPU time (user + system, all threads)
and the load average of the machine while it ran. On a shared machine the wall time grows with
the load; CPU seconds divided by the number of threads estimates the wall time on a quiet one.
Target in the cpu profile: ≥ 90 % on the 10,000 Fashion-MNIST test images in ≤ 3 minutes on
two cores.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from ..config import get_profile


def run_once(seed: int, folder: str | Path) -> dict[str, Any]:
    """Train one ResNet-18 with the profile's settings and time it.

    Args:
        seed: seeds the subsets and the training run.
        folder: where the model file and its checkpoint go (a fresh folder: nothing resumes).

    Returns:
        A dict with ``seed``, ``accuracy`` (a fraction), ``test_images``, ``dataset``,
        ``wall_s``, ``cpu_s``, ``load`` (1-minute load average at the end) and ``settings``.
    """
    from ..experiments.resnet18 import train_resnet18

    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    wall, cpu = time.perf_counter(), time.process_time()
    result = train_resnet18(seed=seed, path=Path(folder) / f"resnet18-seed{seed}.pt",
                            resume=False, verbose=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    test_images = result.settings.test_size or 10_000
    return {"seed": seed, "accuracy": result.test_accuracy, "test_images": test_images,
            "dataset": result.dataset, "wall_s": wall, "cpu_s": cpu,
            "load": os.getloadavg()[0], "settings": result.settings}


def format_row(row: dict[str, Any], threads: int) -> str:
    """One printed line per seed.

    Args:
        row: a result of :func:`run_once`.
        threads: the torch threads used (the quiet-machine estimate is CPU s / threads).
    """
    return (f"seed {row['seed']}: test accuracy {row['accuracy']:.2%} on {row['test_images']:,} "
            f"test images of {row['dataset']} | {row['wall_s']:.0f} s wall, {row['cpu_s']:.0f} s "
            f"CPU (quiet-machine estimate {row['cpu_s'] / threads:.0f} s), load "
            f"{row['load']:.1f}")


def summary(rows: list[dict[str, Any]], threads: int) -> str:
    """The mean and the spread (lowest to highest) over the seeds.

    Args:
        rows: results of :func:`run_once`, one per seed.
        threads: the torch threads used.
    """
    if not rows:
        raise ValueError("rows must hold at least one result")
    accs = [r["accuracy"] for r in rows]
    cpus = [r["cpu_s"] for r in rows]
    return (f"mean over {len(rows)} seed(s): {statistics.mean(accs):.2%} (spread "
            f"{min(accs):.2%}–{max(accs):.2%}) on {rows[0]['dataset']}; CPU "
            f"{statistics.mean(cpus):.0f} s per run, quiet-machine wall estimate "
            f"{statistics.mean(cpus) / threads:.0f} s on {threads} thread(s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dldna.bench resnet18",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1],
                        help="training seeds, one run each (default: 0 1)")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (default 2, the book's two cores)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be ≥ 1, got {args.threads}")
    previous = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for seed in args.seeds:
                rows.append(run_once(seed, folder))
                if len(rows) == 1:
                    size = rows[0]["settings"]
                    print(f"ResNet-18 width {size.width}, {size.train_size or 'all'} training "
                          f"images × {size.epochs} epoch(s), batch {size.batch_size} "
                          f"({get_profile().name} profile, {args.threads} thread(s))")
                print(format_row(rows[-1], args.threads), flush=True)
    finally:
        torch.set_num_threads(previous)
    print(summary(rows, args.threads))
    return 0
