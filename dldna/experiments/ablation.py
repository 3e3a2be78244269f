"""The ablation of chapter 11's recipe: its rows (``ABLATION``, one ingredient each) and how
the finished table is read (noise threshold, effects, a sentence)."""
from __future__ import annotations

import math
from typing import NamedTuple, Sequence


class Variant(NamedTuple):
    """One row of the ablation: what changes and which ingredient that tests.

    Args:
        label: the row label in the table.
        ingredient: the ingredient tested, as a sentence names it.
        change: keywords for :func:`~dldna.experiments.recipes.train_recipe`.
        added: ``True`` when the row adds something the recipe lacks, ``False`` when it
            removes one.
    """

    label: str          # the row label in the table
    ingredient: str     # the ingredient tested, as a sentence names it
    change: dict        # keywords for :func:`~dldna.experiments.recipes.train_recipe`
    added: bool = False  # True: the row adds something the recipe lacks; False: it removes one


ABLATION: tuple[Variant, ...] = (
    Variant("full recipe", "", {}),
    Variant("without augmentation", "augmentation", dict(augmentation=False)),
    Variant("without label smoothing", "label smoothing", dict(label_smoothing=0.0)),
    Variant("constant LR instead of warm-up→cosine", "the warm-up→cosine schedule",
            dict(schedule="constant")),
    Variant("without gradient clipping", "gradient clipping", dict(clip_grad_norm=None)),
    Variant("with an EMA of the weights (added)", "an EMA of the weights", dict(ema=True),
            added=True),
)



def noise_threshold(full_accuracies: Sequence[float], n_test: int) -> float:
    """The smallest change of a mean accuracy this book reads as an effect.

    The larger of the full recipe's seed-to-seed range (runs that differ only in seed and data
    subset, so their difference is noise) and twice the standard error of a difference of two
    accuracies measured on ``n_test`` images, 2·√(2p(1−p)/n).

    Args:
        full_accuracies: test accuracies (fractions in [0, 1]) of the full recipe's seeds.
        n_test: number of test images each accuracy was measured on.
    """
    if not isinstance(n_test, int) or n_test < 1:
        raise ValueError(f"n_test must be a positive integer, got {n_test!r}")
    values = [float(a) for a in full_accuracies]
    if not values or not all(0 <= a <= 1 for a in values):
        raise ValueError(f"full_accuracies must be accuracies in [0, 1], got {values!r}")
    p = sum(values) / len(values)
    return max(max(values) - min(values), 2 * math.sqrt(2 * p * (1 - p) / n_test))


def ablation_effects(means, threshold: float) -> dict[str, list[str]]:
    """Sort the ingredients into ``helped``, ``hurt`` and ``unclear`` (see :func:`~dldna.experiments.recipes.ablation_means`).

    A removed ingredient helped when removing it lowered the mean accuracy by more than
    ``threshold``; an added one helped when adding it raised the mean by more than ``threshold``.

    Args:
        means: the DataFrame from :func:`~dldna.experiments.recipes.ablation_means`.
        threshold: smallest change read as an effect (accuracy fraction, ≥ 0), e.g. from
            :func:`noise_threshold`.

    Returns:
        The ingredients' names under the keys ``helped``, ``hurt`` and ``unclear``.
    """
    if threshold < 0:
        raise ValueError(f"threshold must be ≥ 0, got {threshold!r}")
    by_label = {v.label: v for v in ABLATION}
    effects: dict[str, list[str]] = {"helped": [], "hurt": [], "unclear": []}
    for label, change in zip(means["variant"], means["change"]):
        variant = by_label.get(label)
        if variant is None:
            raise ValueError(f"unknown ablation row {label!r}")
        if not variant.change:
            continue
        gain = change if variant.added else -change  # what the ingredient did to accuracy
        key = "helped" if gain > threshold else "hurt" if gain < -threshold else "unclear"
        effects[key].append(variant.ingredient)
    return effects


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_effects(effects: dict[str, list[str]]) -> str:
    """The effects as one clause for the text, e.g. "augmentation helped; gradient clipping made
    no difference larger than the noise".

    Args:
        effects: the dict from :func:`ablation_effects`.
    """
    parts = []
    if effects.get("helped"):
        parts.append(f"{_join(effects['helped'])} helped")
    if effects.get("hurt"):
        parts.append(f"{_join(effects['hurt'])} cost accuracy")
    if effects.get("unclear"):
        parts.append(f"{_join(effects['unclear'])} made no difference larger than the noise")
    return "; ".join(parts) if parts else "no ingredient was tested"
