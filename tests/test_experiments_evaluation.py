"""Chapter 13's experiment at a tiny scale: disjoint splits, the zoo, the TTA and calibration
tables."""
from __future__ import annotations

import pytest
import torch

from dldna.experiments import evaluation

TINY = evaluation.EvalScale(epochs=1, batch_size=40, train_size=80, test_size=60, val_size=40,
                            seeds=2, ls_seeds=1, n_boot=50)


@pytest.fixture(scope="module")
def splits():
    return evaluation.eval_data(TINY)


def test_validation_and_training_images_are_disjoint_and_named(splits):
    train, val, test = splits
    assert (len(train), len(val), len(test)) == (80, 40, 60)
    assert "Fashion-MNIST" in train.name or "MNIST" in train.name  # or its named stand-in
    flat = lambda d: {bytes(img.numpy()) for img in d.images}  # noqa: E731
    assert not flat(train) & flat(val)
    again = evaluation.eval_data(TINY)
    assert torch.equal(again[1].images, val.images)  # the same split every time


def test_profiles_have_their_sizes():
    assert evaluation.eval_scale("smoke").train_size < evaluation.eval_scale("cpu").train_size
    assert evaluation.eval_scale("gpu").train_size is None  # every training image


def test_zoo_trains_every_kind_and_the_long_run_longer(splits):
    zoo = evaluation.train_zoo(TINY, splits[0])
    kinds = [t.kind for t in zoo]
    assert kinds.count("lenet5") == TINY.seeds and kinds.count("lenet5_ls") == TINY.ls_seeds
    long_run = evaluation.pick(zoo, "lenet5_long")[0]
    assert long_run.epochs == TINY.seeds * TINY.epochs
    assert {t.kind for t in zoo} == set(evaluation.TITLES)
    assert all(not t.model.training and t.cpu_seconds > 0 for t in zoo)
    with pytest.raises(ValueError, match="no 'small_cnn' model with seed 5"):
        evaluation.pick(zoo, "small_cnn", seed=5)
    with pytest.raises(ValueError, match="kind must be one of"):
        evaluation.train_model("vgg16", splits[0], TINY)


def test_tta_table_compares_every_view_set_with_the_plain_prediction(splits):
    _, _, test = splits
    model = evaluation.train_model("lenet5", splits[0], TINY).model
    images, labels = test.tensors()
    table = evaluation.tta_table(model, images, labels, n_boot=TINY.n_boot)
    assert list(table["model"]) == list(evaluation.VIEW_SETS)
    plain = table.iloc[0]
    assert plain["gain"] == 0 and plain["verdict"] == "tie" and plain["cost"] == 1
    assert list(table["views"]) == [len(v) for v in evaluation.VIEW_SETS.values()]
    assert (table["cost"] > 0).all()
    assert set(table["verdict"]) <= {"tie", "gain", "loss"}
