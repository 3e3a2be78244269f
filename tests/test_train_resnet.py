"""train_resnet18 → models.io.save_model → load_model / load_example in the smoke profile."""
from __future__ import annotations

import pytest
import torch

from dldna.checkpoint import CheckpointError, save_checkpoint
from dldna.config import Profile, RunSize
from dldna.train import evaluate
from dldna.models.io import load_model, save_model
from dldna.train_resnet import (CPU_BUDGET, RESNET18_CPU, RESNET18_GPU, RESNET18_RECIPE,
                                RESNET18_SMOKE, _datasets, load_example, model_info,
                                resnet18_settings, train_resnet18, training_cost)


def test_settings_are_one_run_size_per_profile(monkeypatch):
    sizes = dict(smoke=RESNET18_SMOKE, cpu=RESNET18_CPU, gpu=RESNET18_GPU)
    assert all(isinstance(size, RunSize) for size in sizes.values())
    assert resnet18_settings("cpu") == RESNET18_CPU
    monkeypatch.setenv("DLDNA_PROFILE", "gpu")
    assert resnet18_settings() == Profile("gpu").pick(**sizes)
    assert resnet18_settings().width == 64 and resnet18_settings().train_size is None
    with pytest.raises(ValueError, match="profile must be one of"):
        resnet18_settings("fast")
    assert (RESNET18_RECIPE.optimizer, RESNET18_RECIPE.schedule) == ("adamw", "onecycle")


def test_cpu_settings_fit_the_budget_and_score_the_whole_test_set():
    cpu = resnet18_settings("cpu")
    assert training_cost(cpu) <= CPU_BUDGET
    assert cpu.test_size is None  # the accuracy is measured on all 10,000 test images
    # the budget counts width² × images × epochs: a wider or longer run would not fit
    assert training_cost(cpu.replace(width=32)) > CPU_BUDGET
    assert training_cost(cpu.replace(epochs=cpu.epochs + 1)) > CPU_BUDGET
    assert training_cost(RunSize(epochs=1, batch_size=8, width=16, train_size=90_000)) \
        == 16 ** 2 * 60_000  # a subset larger than the split is the split
    assert training_cost(resnet18_settings("smoke")) < CPU_BUDGET / 100
    with pytest.raises(TypeError, match="settings must be a RunSize"):
        training_cost({"epochs": 2})


def test_train_save_reload_and_example(tmp_path, capsys):
    path = tmp_path / "r18.pt"
    result = train_resnet18(path=path, progress=False)
    printed = capsys.readouterr().out
    # Fashion-MNIST from the environment's data folder, or offline the MNIST-5k stand-in:
    # whichever was used is named in the printed line
    assert result.dataset == "Fashion-MNIST" or "MNIST-5k" in result.dataset
    assert f"images of {result.dataset}" in printed.splitlines()[-1]
    assert f"test accuracy {result.test_accuracy:.1%}" in printed
    assert result.test_accuracy > 0.25  # it learns: chance is 10 % on 10 classes
    assert result.settings == resnet18_settings("smoke") and path.exists()
    assert result.history.metrics()["epoch"] == list(range(1, result.settings.epochs + 1))

    model, info = load_model(path)
    assert info["dataset"] == result.dataset and len(info["classes"]) == 10
    assert info["model"] == "resnet18"
    assert info["kwargs"] == dict(num_classes=10, in_channels=1, small_input=True,
                                  width=result.settings.width)
    # the saved accuracy is what the reloaded model scores on the same test images
    _, test_set = _datasets("fashion-mnist", result.settings, seed=0)
    assert evaluate(model, test_set)["accuracy"] == info["metrics"]["test_accuracy"] \
        == result.test_accuracy
    x = torch.rand(2, 1, 28, 28)
    result.model.eval()
    with torch.no_grad():
        assert torch.equal(model(x), result.model(x))

    example = load_example(path, index=3)
    assert example.image.shape == (1, 28, 28) and 0 <= example.label < 10
    assert torch.equal(example.image, test_set.images[3].float() / 255)
    assert example.label == int(test_set.labels[3])
    assert example.prediction == int(model(example.image[None]).argmax())
    assert example.dataset == result.dataset and example.classes[example.label] in repr(example)
    with pytest.raises(ValueError, match="index"):
        load_example(path, index=99)

    # a second call resumes from the finished checkpoint instead of training again
    again = train_resnet18(path=path, progress=False)
    assert again.history.metrics() == result.history.metrics()


def test_model_info_checks_and_load_example_needs_examples(tmp_path):
    from dldna.models import create

    model = create("resnet18", num_classes=3, in_channels=1, small_input=True, width=4)
    with pytest.raises(ValueError, match="classes must be a non-empty sequence"):
        model_info((), "x")
    with pytest.raises(TypeError, match="uint8"):
        model_info(("a", "b", "c"), "x", examples=(torch.rand(2, 1, 8, 8), torch.zeros(2)))
    path = save_model(model, tmp_path / "m.pt", info=model_info(("a", "b", "c"), "x"))
    with pytest.raises(CheckpointError, match="no test images"):
        load_example(path, train_if_missing=False)
    images = torch.randint(0, 256, (2, 1, 12, 12), dtype=torch.uint8)
    info = model_info(("a", "b", "c"), "x", examples=(images, torch.tensor([2, 0])),
                      metrics={"test_accuracy": 0.5})
    example = load_example(save_model(model, tmp_path / "e.pt", info=info), index=1,
                           train_if_missing=False)
    assert example.label == 0 and example.classes == ("a", "b", "c") and example.dataset == "x"
    assert torch.equal(example.image, images[1].float() / 255)


def test_files_of_the_older_format_still_load(tmp_path):
    from dldna.models import ResNet18

    torch.manual_seed(0)
    model = ResNet18(3, in_channels=1, small_input=True, width=4).eval()
    arch = dict(num_classes=3, in_channels=1, small_input=True, width=4)
    old = save_checkpoint(tmp_path / "v1.pt", {
        "builder": "ResNet18", "arch": arch, "classes": ["a", "b", "c"], "dataset": "x",
        "metrics": {}, "state_dict": model.state_dict()}, kind="dldna-model-v1")
    loaded, info = load_model(old)
    assert info["classes"] == ["a", "b", "c"] and info["kwargs"] == arch
    x = torch.rand(2, 1, 12, 12)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))
