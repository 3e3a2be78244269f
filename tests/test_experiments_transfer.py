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


def test_summary_and_guide_call_overlapping_ranges_ties():
    def row(method, pc, seed, acc, strategy="linear probe"):
        return {"dataset": "D", "model": method, "strategy": strategy, "per class": pc,
                "seed": seed, "test accuracy": acc, "trainable parameters": 10,
                "cpu seconds": 1.0}

    rows = [row("A", 10, 0, 0.50), row("A", 10, 1, 0.60), row("B", 10, 0, 0.58),
            row("B", 10, 1, 0.70), row("A", 50, 0, 0.80), row("A", 50, 1, 0.81),
            row("B", 50, 0, 0.60), row("B", 50, 1, 0.62)]
    table = T.summary(rows)
    assert table["mean"].round(3).tolist() == [0.55, 0.64, 0.805, 0.61]
    guide = {g["per class"]: g for g in T.best_by_size(table)}
    assert guide[10]["best"] == "B, linear probe" and guide[10]["tie"]
    assert guide[50]["best"] == "A, linear probe" and not guide[50]["tie"]
    import pandas as pd

    steps = T.flow_steps(pd.DataFrame(T.best_by_size(table)), near="D", far="D", sizes=(10, 50))
    assert "tie: A, linear probe" in steps[0][1] and steps[-1][2] == "A, linear probe"
    assert T.noise(0.5, 1000) == pytest.approx(2 * (0.5 / 1000) ** 0.5)
