"""The chapter 11 recipe function and its ablation at a tiny scale."""
from __future__ import annotations

from dldna import recipes

TINY = dict(width=2, train_size=40, test_size=20, epochs=1, warmup_epochs=0.5, batch_size=20,
            ema_decay=0.5)


def test_recipe_runs_and_names_its_data():
    result = recipes.train_cifar10_resnet18(scale=TINY, progress=False)
    assert "Photo-patches" in result.dataset  # offline: the bundled stand-in, named
    assert result.settings["label_smoothing"] == recipes.RECIPE["label_smoothing"]
    assert result.settings["train_size"] == 40 and 0 <= result.test_accuracy <= 1
    assert len(result.history.epoch) == 1


def test_ablation_has_one_row_per_variant():
    table = recipes.ablation(scale=TINY, progress=False)
    assert list(table["variant"]) == [name for name, _ in recipes.ABLATION]
    assert table["test accuracy"].between(0, 1).all()


def test_profiles_have_scales():
    assert recipes.recipe_scale("gpu")["epochs"] == recipes.RECIPE["epochs"]
    assert recipes.recipe_scale("cpu")["width"] < recipes.recipe_scale("gpu")["width"]
