"""ReLU against tanh and sigmoid: how many SGD steps until a small CNN reaches a fixed training
error (in the spirit of figure 1 of the AlexNet paper, which did this for CIFAR-10).

:func:`steps_to_error` trains one network and stops once the error on the whole training set
falls to the target; :func:`activation_race` repeats it for several activations and seeds and
returns one row per run, so the seed-to-seed spread can be shown next to the difference.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def tiny_cnn(activation: str = "relu", in_channels: int = 1, num_classes: int = 10,
             image_size: int = 8, width: int = 16) -> nn.Sequential:
    """conv 3×3 (width) → act → pool 2 → conv 3×3 (2·width) → act → pool 2 → linear.

    Args:
        activation: ``"relu"``, ``"tanh"`` or ``"sigmoid"``.
        in_channels: channels of the input images.
        num_classes: outputs of the final linear layer.
        image_size: side of the square input, a multiple of 4.
        width: channels of the first convolution (the second has twice as many).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if image_size < 4 or image_size % 4:
        raise ValueError(f"image_size must be a multiple of 4 (two 2×2 pools), got {image_size}")
    act = ACTIVATIONS[activation]
    side = image_size // 4
    return nn.Sequential(
        nn.Conv2d(in_channels, width, 3, padding=1), act(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), act(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * width * side * side, num_classes),
    )


def _error(model: nn.Module, images: Tensor, labels: Tensor) -> float:
    model.eval()
    with torch.no_grad():
        wrong = (model(images).argmax(1) != labels).float().mean().item()
    model.train()
    return wrong


def steps_to_error(activation: str, images: Tensor, labels: Tensor, *,
                   target: float = 0.1, seed: int = 0, lr: float = 0.05,
                   momentum: float = 0.9, batch_size: int = 32,
                   max_steps: int = 1000, check_every: int = 10) -> dict:
    """Train :func:`tiny_cnn` with SGD until its training-set error is
    ≤ ``target``.

    Returns the steps taken (``None`` if ``max_steps`` were not enough) and
    the error curve, measured every ``check_every`` steps on the whole
    training set.

    Args:
        activation: ``"relu"``, ``"tanh"`` or ``"sigmoid"``.
        images: the training set, ``(N, C, H, W)``.
        labels: one class index per image.
        target: training error to reach, in (0, 1).
        seed: seeds the weights and the batch order.
        lr: SGD learning rate.
        momentum: SGD momentum.
        batch_size: images per step.
        max_steps: give up after this many steps.
        check_every: steps between two error measurements.
    """
    if not 0 < target < 1:
        raise ValueError(f"target must be a training error in (0, 1), "
                         f"got {target}")
    if images.dim() != 4 or len(images) != len(labels):
        raise ValueError(f"images must be (N, C, H, W) with one label each, "
                         f"got {tuple(images.shape)} and "
                         f"{tuple(labels.shape)}")
    torch.manual_seed(seed)
    classes = int(labels.max()) + 1
    model = tiny_cnn(activation, images.shape[1], classes, images.shape[-1])
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    generator = torch.Generator().manual_seed(seed)
    curve, step = [(0, _error(model, images, labels))], 0
    while step < max_steps:
        order = torch.randperm(len(labels), generator=generator)
        for index in order.split(batch_size):
            loss = F.cross_entropy(model(images[index]), labels[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            if step % check_every == 0:
                curve.append((step, _error(model, images, labels)))
                if curve[-1][1] <= target:
                    return {"activation": activation, "seed": seed,
                            "steps": step, "curve": curve}
            if step >= max_steps:
                break
    return {"activation": activation, "seed": seed, "steps": None,
            "curve": curve}


def activation_race(images: Tensor, labels: Tensor,
                    activations: Sequence[str] = ("relu", "tanh", "sigmoid"),
                    seeds: Sequence[int] = (0, 1, 2), **kwargs) -> list[dict]:
    """:func:`steps_to_error` for every activation and seed (same seeds for all).

    Args:
        images: the training set, ``(N, C, H, W)``.
        labels: one class index per image.
        activations: the activations to race.
        seeds: the seeds, at least one; every activation gets all of them.
        **kwargs: passed to :func:`steps_to_error` (``target``, ``lr`` …).

    Returns:
        One :func:`steps_to_error` dict per run, activation by activation.
    """
    if len(seeds) < 1:
        raise ValueError("seeds must name at least one seed")
    return [steps_to_error(a, images, labels, seed=s, **kwargs)
            for a in activations for s in seeds]


def _check_runs(runs, needed: tuple[str, ...] = ()) -> None:
    """``runs`` must be a non-empty list of dicts with ``activation``, ``seed`` and ``steps``,
    holding every activation in ``needed``."""
    if not isinstance(runs, (list, tuple)) or not runs:
        raise TypeError(f"runs must be the non-empty list activation_race returns, got {runs!r}")
    for run in runs:
        if not isinstance(run, dict) or not {"activation", "seed", "steps"} <= set(run):
            raise ValueError("each run must be a dict with 'activation', 'seed' and 'steps' "
                             f"(as activation_race returns), got {run!r}")
    missing = [a for a in needed if a not in {r["activation"] for r in runs}]
    if missing:
        raise ValueError(f"runs has no {' or '.join(missing)} runs; race_verdict needs both "
                         "'relu' and 'tanh'")


def race_summary(runs: list[dict]):
    """One row per activation: median, min and max steps, and how many runs reached the target.

    Args:
        runs: the list :func:`activation_race` returns.
    """
    import pandas as pd

    _check_runs(runs)
    rows = []
    for activation in dict.fromkeys(r["activation"] for r in runs):
        steps = [r["steps"] for r in runs if r["activation"] == activation]
        done = [s for s in steps if s is not None]
        rows.append({"activation": activation, "runs": len(steps), "reached": len(done),
                     "median steps": float(pd.Series(done).median()) if done else None,
                     "min steps": min(done) if done else None,
                     "max steps": max(done) if done else None})
    return pd.DataFrame(rows).set_index("activation")


def head_to_head(runs: list[dict], first: str = "relu", second: str = "tanh") -> dict:
    """Seed by seed, which of two activations reached the target in fewer steps.

    A seed gives every activation the same initial weights and the same batches, so the runs
    of one seed form a fair pair. A run that never reached the target loses to one that did;
    two that both missed it count as a tie.

    Args:
        runs: the list :func:`activation_race` returns.
        first: one activation of the pair.
        second: the other.

    Returns:
        ``{"first": …, "second": …, "tied": …, "seeds": …}``: the seeds on which ``first``
        needed fewer steps, those on which ``second`` did, the ties, and the seeds compared.
    """
    steps = {(r["activation"], r["seed"]): r["steps"] for r in runs}
    seeds = [s for a, s in steps if a == first and (second, s) in steps]
    if not seeds:
        raise ValueError(f"runs hold no seed with both {first!r} and {second!r}")
    never = float("inf")
    wins = {"first": 0, "second": 0, "tied": 0, "seeds": len(seeds)}
    for s in seeds:
        a = steps[first, s] if steps[first, s] is not None else never
        b = steps[second, s] if steps[second, s] is not None else never
        wins["first" if a < b else "second" if b < a else "tied"] += 1
    return wins


def race_verdict(runs: list[dict]) -> dict:
    """What a ReLU-against-tanh race showed, in words chosen from its numbers.

    Args:
        runs: the list :func:`activation_race` returns, with ``"relu"`` and ``"tanh"`` runs.

    Returns:
        ``outcome`` (``"one seed"``, ``"incomplete"``, ``"relu"`` – ReLU first on every seed –,
        ``"relu or tie"``, ``"tanh"``, ``"tanh or tie"``, ``"tie"`` or ``"mixed"``), ``text``
        (a clause for "Here …"), ``short`` (a clause for a summary) and the
        :func:`head_to_head` counts under ``pairs``.
    """
    _check_runs(runs, ("relu", "tanh"))
    summary = race_summary(runs)
    relu, tanh = summary.loc["relu"], summary.loc["tanh"]
    pairs = head_to_head(runs, "relu", "tanh")
    n, r_first, t_first, tied = pairs["seeds"], pairs["first"], pairs["second"], pairs["tied"]
    seeds = f"{n} seed{'' if n == 1 else 's'}"
    complete = relu["reached"] == relu["runs"] and tanh["reached"] == tanh["runs"]
    medians = (f"median {relu['median steps']:.0f} steps for ReLU, "
               f"{tanh['median steps']:.0f} for tanh" if complete else "")
    if n == 1:
        outcome = "one seed"
        text = ("there is only one seed, so the run shows no spread and supports no verdict "
                "on ReLU against tanh")
        short = "one seed only, so no verdict"
    elif not complete:
        outcome = "incomplete"
        text = ("not every ReLU or tanh run reached the target, so compare the dots, not the "
                f"medians: seed by seed, ReLU got there first on {r_first} of {seeds}, tanh on "
                f"{t_first}")
        short = "not every ReLU or tanh run reached the target"
    elif r_first == n:
        outcome = "relu"
        apart = (", and every ReLU run before every tanh run"
                 if relu["max steps"] < tanh["min steps"] else "")
        text = f"ReLU reached the target before tanh on every one of the {seeds}{apart} ({medians})"
        short = "ReLU reached the target first on every seed"
    elif t_first == n:
        outcome = "tanh"
        text = (f"tanh reached the target before ReLU on every one of the {seeds} ({medians}): "
                "ReLU's expected advantage did not show")
        short = ("tanh reached the target first on every seed; ReLU's expected advantage did "
                 "not show")
    elif tied == n:
        outcome = "tie"
        text = (f"ReLU and tanh needed the same number of steps on every one of the {seeds}: "
                "ReLU's expected advantage did not show")
        short = "ReLU and tanh tied on every seed; ReLU's expected advantage did not show"
    elif r_first == 0:
        outcome = "tanh or tie"
        text = (f"tanh was as fast as or faster than ReLU on every one of the {seeds} (faster on "
                f"{t_first}, tied on {tied}; {medians}): ReLU's expected advantage did not show")
        short = ("tanh was as fast as or faster than ReLU on every seed; ReLU's expected "
                 "advantage did not show")
    elif t_first == 0:
        outcome = "relu or tie"
        text = (f"ReLU was as fast as or faster than tanh on every one of the {seeds} (faster on "
                f"{r_first}, tied on {tied}; {medians})")
        short = "ReLU was as fast as or faster than tanh on every seed"
    else:
        outcome = "mixed"
        ties = f", {tied} tied" if tied else ""
        text = (f"neither won on every seed: ReLU got there first on {r_first} of the {seeds}, "
                f"tanh on {t_first}{ties} ({medians})")
        short = "neither ReLU nor tanh was first on every seed"
    return {"outcome": outcome, "text": text, "short": short, "pairs": pairs}
