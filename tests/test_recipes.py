"""The chapter 11 recipe function, its ablation at a tiny scale, and how the table is read."""
from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from dldna.experiments import recipes
from dldna.data.augment import BatchAugment
from dldna.config import RunSize
from dldna.train import TrainConfig

TINY = recipes.Scale(epochs=1, batch_size=20, width=2, train_size=40, test_size=20,
                     warmup_epochs=0.5, ema_decay=0.5, dataset="fashion-mnist",
                     model="small_cnn", lr=3e-3, seeds=2)


def test_recipe_runs_and_names_its_data():
    run = recipes.train_recipe(scale=TINY, progress=False)
    assert "Fashion-MNIST" in run.dataset or "MNIST-5k" in run.dataset
    # measured on whole images: whole multiples of 1/20 and 1/40 (TINY's test and train sizes)
    for accuracy, n in ((run.test_accuracy, 20), (run.train_accuracy, 40)):
        assert abs(accuracy * n - round(accuracy * n)) < 1e-5 and 0 <= accuracy <= 1
    assert len(run.history.epoch) == 1 and not run.history.val_accuracy  # no curve asked for
    curve = recipes.train_recipe(scale=TINY, progress=False, curve=True)
    assert len(curve.history.val_accuracy) == 1
    assert curve.test_accuracy == run.test_accuracy  # the curve does not change the run


def test_train_accuracy_is_measured_like_test_accuracy_on_clean_images():
    # with the training images as the test set, both numbers come from the same evaluation
    # (eval mode, no augmentation), not from the trainer's running average over augmented batches
    train_set, _ = recipes.recipe_data(TINY, 0)
    run = recipes.train_recipe(scale=TINY, progress=False, datasets=(train_set, train_set))
    assert run.train_accuracy == run.test_accuracy
    again = recipes.train_recipe(scale=TINY, progress=False, datasets=(train_set, train_set))
    assert (again.test_accuracy, again.test_loss) == (run.test_accuracy, run.test_loss)


def test_ablation_has_every_row_for_every_seed_and_reuses_finished_runs():
    full = recipes.train_recipe(scale=TINY, progress=False)
    table = recipes.ablation(scale=TINY, progress=False, done=[full])
    assert len(table) == len(recipes.ABLATION) * TINY.seeds
    assert list(table["variant"][:len(recipes.ABLATION)]) == [v.label for v in recipes.ABLATION]
    assert table["test accuracy"].between(0, 1).all()
    assert table["test accuracy"].iloc[0] == full.test_accuracy
    means = recipes.ablation_means(table)
    assert list(means["variant"]) == [v.label for v in recipes.ABLATION]
    assert means["change"].iloc[0] == 0 and (means["count"] == TINY.seeds).all()
    first = table[table["variant"] == recipes.ABLATION[1].label]["test accuracy"].mean()
    assert means["change"].iloc[1] == pytest.approx(first - means["mean"].iloc[0])


def test_augmentation_fits_the_data():
    grey = recipes.augmentation_for("Fashion-MNIST")
    assert grey["flip"] and not grey.get("colour") and grey.get("randaugment") is None
    assert not recipes.augmentation_for("MNIST-5k (bundled real MNIST digits)")["flip"]
    patches = recipes.augmentation_for("Photo-patches (bundled: 32×32 patches)")
    assert not patches.get("colour") and patches.get("randaugment") is None
    cifar = recipes.augmentation_for("CIFAR-10")
    assert cifar["colour"] and cifar["randaugment"] is not None
    assert isinstance(recipes.make_augment(grey, 28), BatchAugment)
    assert not isinstance(recipes.make_augment(cifar, 32), BatchAugment)
    with pytest.raises(ValueError, match="no augmentation"):
        recipes.augmentation_for("ImageNet")


def test_ablation_labels_say_what_changed():
    labels = [v.label for v in recipes.ABLATION]
    assert "constant LR instead of warm-up→cosine" in labels
    assert all(not label.startswith(("−", "+")) for label in labels)
    assert [v.added for v in recipes.ABLATION].count(True) == 1
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    for variant in recipes.ABLATION:  # every change is a Recipe field or a train_recipe switch
        assert set(variant.change) <= fields | {"augmentation", "ema"}


def test_profiles_have_scales():
    gpu, cpu = recipes.recipe_scale("gpu"), recipes.recipe_scale("cpu")
    assert gpu.epochs == recipes.RECIPE.epochs and gpu.lr == recipes.RECIPE.lr
    assert gpu.dataset == "cifar10" and gpu.model == "resnet18" and gpu.train_size is None
    assert isinstance(gpu, RunSize) and isinstance(recipes.RECIPE, TrainConfig)
    assert cpu.dataset == "fashion-mnist" and cpu.width < gpu.width
    for profile in ("smoke", "cpu"):  # small profiles ablate at the recipe's own size
        assert recipes.ablation_scale(profile) == recipes.recipe_scale(profile)
        assert recipes.ablation_scale(profile).seeds >= 2
    ab = recipes.ablation_scale("gpu")  # the gpu ablation: twelve runs ≈ a third of one recipe
    images_seen = len(recipes.ABLATION) * ab.seeds * ab.train_size * ab.epochs
    assert recipes.ablation_cost("gpu") == pytest.approx(images_seen / (50_000 * 100))
    assert recipes.ablation_cost("gpu") < 0.5 and ab.width == 64


def test_noise_threshold():
    # the seed range wins when it is large ...
    assert recipes.noise_threshold([0.70, 0.80], 1000) == pytest.approx(0.10)
    # ... otherwise twice the standard error of a difference of two accuracies
    assert recipes.noise_threshold([0.5, 0.5], 1000) == pytest.approx(2 * math.sqrt(0.5 / 1000))
    with pytest.raises(ValueError, match="n_test"):
        recipes.noise_threshold([0.5], 0)
    with pytest.raises(ValueError, match="full_accuracies"):
        recipes.noise_threshold([1.5, 0.5], 10)


def _means(changes):
    labels = [v.label for v in recipes.ABLATION]
    return pd.DataFrame({"variant": labels, "change": [0.0, *changes]})


def test_ablation_effects_read_removed_and_added_ingredients():
    # removing augmentation costs 10 points (it helped); constant LR gains 5 (the schedule hurt);
    # adding EMA gains 5 (it helped); the rest are within the 2-point threshold
    effects = recipes.ablation_effects(_means([-0.10, 0.01, 0.05, -0.01, 0.05]), threshold=0.02)
    assert effects == {"helped": ["augmentation", "an EMA of the weights"],
                       "hurt": ["the warm-up→cosine schedule"],
                       "unclear": ["label smoothing", "gradient clipping"]}
    sentence = recipes.describe_effects(effects)
    assert sentence == ("augmentation and an EMA of the weights helped; the warm-up→cosine "
                        "schedule cost accuracy; label smoothing and gradient clipping made no "
                        "difference larger than the noise")
    with pytest.raises(ValueError, match="threshold"):
        recipes.ablation_effects(_means([0] * 5), threshold=-1)
    with pytest.raises(ValueError, match="unknown"):
        recipes.ablation_effects(pd.DataFrame({"variant": ["? "], "change": [0.1]}), 0.0)


def test_describe_effects_lists_of_one_and_three():
    assert recipes.describe_effects({"helped": ["a"], "hurt": [], "unclear": []}) == "a helped"
    assert (recipes.describe_effects({"helped": [], "hurt": ["a", "b", "c"], "unclear": []})
            == "a, b and c cost accuracy")
