"""Repeated runs over seeds: clean-image measurement, tables and their spread."""
from __future__ import annotations

import pytest
import torch

from dldna.experiments import repeated as experiment
from dldna.data import ImageDataset
from dldna.train import History


def _dataset(n: int, seed: int) -> ImageDataset:
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    images = (labels[:, None, None, None] * 200 + torch.randint(0, 40, (n, 1, 4, 4), generator=g))
    return ImageDataset(images.to(torch.uint8), labels, ("dark", "bright"), "toy", "train")


def test_measure_uses_clean_images_in_eval_mode():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Dropout(0.9),
                                torch.nn.Linear(16, 2))
    with torch.no_grad():
        model[2].weight.zero_()
        model[2].weight[1] = 1.0
        model[2].bias.copy_(torch.tensor([8.0, 0.0]))
    model.train()  # dropout on: a train-mode measurement would be random
    run = experiment.measure(model, _dataset(20, 0), _dataset(10, 1), History("toy"),
                             condition="c", seed=3)
    assert run.train_accuracy == 1.0 and run.test_accuracy == 1.0 and run.gap == 0.0
    assert model.training  # the model is left as it was


def test_tables_and_spread():
    runs = [experiment.Run("plain", s, 1.0, 0.80 + 0.01 * s, 0.6, History(), 1.0, "toy")
            for s in range(3)]
    runs += [experiment.Run("augmented", s, 0.9, 0.82, 0.5, History(), 1.0, "toy")
             for s in range(3)]
    table = experiment.runs_table(runs)
    assert list(table.columns[:4]) == ["condition", "seed", "train accuracy", "test accuracy"]
    assert table["gap"].iloc[0] == pytest.approx(0.2)
    summary = experiment.summary_table(table)
    assert list(summary["condition"]) == ["plain", "augmented"]
    assert summary["test accuracy"].iloc[0] == "81.0% (80.0 to 82.0)"
    assert summary["gap"].iloc[1] == "8.0 points (every run)"
    assert experiment.spread([0.5]) == "50.0%"
    assert experiment.spread([0.7, 0.6], percent=False) == "0.650 (0.600 to 0.700)"
    assert experiment.spread([-0.01, 0.02], points=True) == "0.5 points (−1.0 to 2.0)"
    with pytest.raises(ValueError, match="values"):
        experiment.spread([])


def test_gap_scales_and_one_tiny_run():
    cpu = experiment.gap_scale("cpu")
    assert cpu.seeds >= 3 and cpu.long_epochs == 3 * cpu.epochs
    smoke = experiment.gap_scale("smoke")
    tiny = smoke.replace(epochs=1, batch_size=15, width=2, train_size=30, test_size=20)
    run = experiment.train_small_cnn(tiny, None, seed=0, condition="plain", curve=True)
    assert len(run.history.val_accuracy) == 1 and 0 <= run.test_accuracy <= 1
