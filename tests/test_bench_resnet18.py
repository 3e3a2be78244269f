"""python -m dldna.bench resnet18 in the smoke profile: one seed, printed accuracy and seconds."""
from __future__ import annotations

import pytest

from dldna.bench import __main__ as bench
from dldna.bench import resnet18


def test_the_benchmark_is_listed_and_prints_accuracy_and_seconds(capsys):
    assert "resnet18" in bench.available()
    assert bench.main(["resnet18", "--seeds", "0", "--threads", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    header, row, mean = lines[0], lines[-2], lines[-1]
    assert header.startswith("ResNet-18 width 8, 1000 training images × 2 epoch(s)")
    assert "smoke profile, 1 thread(s)" in header
    # the dataset actually used is named; offline without Fashion-MNIST it is the stand-in
    assert row.startswith("seed 0: test accuracy ") and "on 200 test images of " in row
    assert "Fashion-MNIST" in row or "MNIST-5k" in row
    assert " s wall, " in row and " s CPU (quiet-machine estimate " in row and "load " in row
    assert mean.startswith("mean over 1 seed(s): ")


def test_run_once_trains_afresh_and_summary_checks_its_input(tmp_path):
    first = resnet18.run_once(0, tmp_path)
    again = resnet18.run_once(0, tmp_path)  # no resuming from the first run's files
    assert again["cpu_s"] > 0 and again["accuracy"] == first["accuracy"]
    assert 0.25 < first["accuracy"] <= 1  # the smoke run learns (chance: 10 %)
    text = resnet18.summary([first, {**first, "accuracy": 0.5}], threads=2)
    assert f"spread {min(0.5, first['accuracy']):.2%}–{max(0.5, first['accuracy']):.2%}" in text
    with pytest.raises(ValueError, match="at least one"):
        resnet18.summary([], threads=2)
    with pytest.raises(ValueError, match="seed must be"):
        resnet18.run_once(-1, tmp_path)
