"""dldna.experiments.transfer on the smoke grid: data splits without leakage, every run kind."""
from __future__ import annotations

import pytest
import torch

from dldna.experiments import transfer as T


@pytest.fixture(scope="module")
def setup():
    scale = T.transfer_scale("smoke")
    return scale, T.load_split("photo-patches", scale)


def test_pick_is_stratified_and_nested():
    labels = torch.arange(100) % 10
    small, large = T.pick(labels, 2, seed=3), T.pick(labels, 5, seed=3)
    assert torch.bincount(labels[small]).tolist() == [2] * 10
    assert set(small.tolist()) <= set(large.tolist())
    assert not torch.equal(T.pick(labels, 2, seed=4), small)
    with pytest.raises(ValueError, match="per_class=11 but class 0 has only 10"):
        T.pick(labels, 11, seed=0)


def test_split_keeps_pool_validation_and_test_apart(setup):
    scale, split = setup
    assert split.name.startswith("Photo-patches") and split.val_overlaps_pool
    assert torch.bincount(split.y).tolist() == [max(scale.per_class)] * split.classes
    pool = {bytes(x.numpy()) for x in split.images}
    assert not pool & {bytes(x.numpy()) for x in split.val_images}
    with pytest.raises(ValueError, match="validation images overlap the pool"):
        T.lr_sweep(split, scale)


def test_every_run_kind_reports_what_it_measured(setup):
    scale, split = setup
    feats = T.features(split, "mobilenet_v2", scale)
    rows = [T.probe_run(split, "mobilenet_v2", 2, 0, scale, feats=feats),
            T.top_run(split, "mobilenet_v2", 2, 0, scale, feats=feats, curve=True),
            T.full_run(split, "mobilenet_v2", 2, 0, scale),
            T.scratch_run(split, "small_cnn", 2, 0, scale)]
    for row in rows:
        assert row["dataset"] == split.name and 0 <= row["test accuracy"] <= 1
        assert row["trainable parameters"] > 0 and row["cpu seconds"] >= 0
    probe, top, full, _ = rows
    assert probe["trainable parameters"] == 1280 * 10 + 10
    assert probe["trainable parameters"] < top["trainable parameters"] < full[
        "trainable parameters"]
    assert len(top["history"].val_accuracy) == len(top["history"].epoch)
    again = T.probe_run(split, "mobilenet_v2", 2, 0, scale, feats=feats)
    assert again["test accuracy"] == probe["test accuracy"]


def test_bn_trap_moves_statistics_only_without_the_lock(setup):
    scale, split = setup
    locked, loose = T.bn_trap(split, scale, epochs=1)
    assert locked["drift"] == 0 and loose["drift"] > 0
    assert locked["batchnorm"].startswith("locked")
