"""The chapter 11 recipe function, its ablation at a tiny scale, and how the table is read."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from dldna import recipes

TINY = dict(width=2, train_size=40, test_size=20, epochs=1, warmup_epochs=0.5, batch_size=20,
            ema_decay=0.5)


def test_recipe_runs_and_names_its_data():
    result = recipes.train_cifar10_resnet18(scale=TINY, progress=False)
    assert "Photo-patches" in result.dataset  # offline: the bundled stand-in, named
    assert result.settings["label_smoothing"] == recipes.RECIPE["label_smoothing"]
    assert result.settings["train_size"] == 40 and 0 <= result.test_accuracy <= 1
    assert len(result.history.epoch) == 1


def test_ablation_has_one_row_per_variant_and_reuses_the_full_run():
    full = recipes.train_cifar10_resnet18(scale=TINY, progress=False)
    table = recipes.ablation(scale=TINY, progress=False, full=full)
    assert list(table["variant"]) == [v.label for v in recipes.ABLATION]
    assert table["test accuracy"].between(0, 1).all()
    assert table["test accuracy"].iloc[0] == full.test_accuracy
    assert table["change"].iloc[0] == 0
    assert table["change"].iloc[1] == pytest.approx(table["test accuracy"].iloc[1]
                                                    - full.test_accuracy)
    # the same run trained again gives the same numbers (the reuse changes nothing)
    again = recipes.train_cifar10_resnet18(scale=TINY, progress=False)
    assert again.test_accuracy == full.test_accuracy


def test_ablation_refuses_a_full_run_of_another_recipe():
    other = recipes.train_cifar10_resnet18(scale=TINY, progress=False, clip=False)
    with pytest.raises(ValueError, match="unchanged recipe"):
        recipes.ablation(scale=TINY, progress=False, full=other)
    other_seed = recipes.train_cifar10_resnet18(scale=TINY, progress=False, seed=1)
    with pytest.raises(ValueError, match="seed"):
        recipes.ablation(scale=TINY, progress=False, full=other_seed)


def test_ablation_labels_say_what_changed():
    labels = [v.label for v in recipes.ABLATION]
    assert "constant LR instead of warm-up→cosine" in labels
    assert all(not label.startswith(("−", "+")) for label in labels)
    assert [v.added for v in recipes.ABLATION].count(True) == 1


def test_profiles_have_scales():
    assert recipes.recipe_scale("gpu")["epochs"] == recipes.RECIPE["epochs"]
    assert recipes.recipe_scale("cpu")["width"] < recipes.recipe_scale("gpu")["width"]
    assert recipes.recipe_scale("gpu")["train_size"] is None  # all of CIFAR-10
    for profile in ("smoke", "cpu"):  # small profiles ablate at the recipe's own size
        assert recipes.ablation_scale(profile) == recipes.recipe_scale(profile)
    gpu = recipes.ablation_scale("gpu")  # the gpu ablation: seven runs ≈ a fifth of one recipe run
    images_seen = 7 * gpu["train_size"] * gpu["epochs"]
    assert images_seen < 0.25 * 50_000 * recipes.RECIPE["epochs"] and gpu["width"] == 64
    assert recipes.ablation_cost("gpu") == pytest.approx(images_seen / (50_000 * 100))
    assert recipes.ablation_cost("cpu") == len(recipes.ABLATION) + 1  # same scale: seven runs


def test_noise_threshold():
    # the seed difference wins when it is large ...
    assert recipes.noise_threshold(0.70, 0.80, 1000) == pytest.approx(0.10)
    # ... otherwise twice the standard error of a difference of two accuracies
    assert recipes.noise_threshold(0.5, 0.5, 1000) == pytest.approx(2 * math.sqrt(0.5 / 1000))
    with pytest.raises(ValueError, match="n_test"):
        recipes.noise_threshold(0.5, 0.5, 0)
    with pytest.raises(ValueError, match="accuracy_a"):
        recipes.noise_threshold(1.5, 0.5, 10)


def _table(changes):
    labels = [v.label for v in recipes.ABLATION]
    return pd.DataFrame({"variant": labels, "change": [0.0, *changes]})


def test_ablation_effects_read_removed_and_added_ingredients():
    # removing augmentation costs 10 points (it helped); constant LR gains 5 (the schedule hurt);
    # adding EMA gains 5 (it helped); the rest are within the 2-point threshold
    effects = recipes.ablation_effects(_table([-0.10, 0.01, 0.05, -0.01, 0.05]), threshold=0.02)
    assert effects == {"helped": ["augmentation", "an EMA of the weights"],
                       "hurt": ["the warm-up→cosine schedule"],
                       "unclear": ["label smoothing", "gradient clipping"]}
    sentence = recipes.describe_effects(effects)
    assert sentence == ("augmentation and an EMA of the weights helped; the warm-up→cosine "
                        "schedule cost accuracy; label smoothing and gradient clipping made no "
                        "difference larger than the noise")
    with pytest.raises(ValueError, match="threshold"):
        recipes.ablation_effects(_table([0] * 5), threshold=-1)
    with pytest.raises(ValueError, match="unknown"):
        recipes.ablation_effects(pd.DataFrame({"variant": ["? "], "change": [0.1]}), 0.0)


def test_describe_effects_lists_of_one_and_three():
    assert recipes.describe_effects({"helped": ["a"], "hurt": [], "unclear": []}) == "a helped"
    assert (recipes.describe_effects({"helped": [], "hurt": ["a", "b", "c"], "unclear": []})
            == "a, b and c cost accuracy")
