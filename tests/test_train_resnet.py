"""train_resnet18 → save_model → load_model / load_example in the smoke profile (tiny sizes)."""
from __future__ import annotations

import pytest
import torch

from dldna.checkpoint import CheckpointError
from dldna.train_resnet import (load_example, load_model, resnet18_settings, save_model,
                                train_resnet18)


def test_train_save_reload_and_example(tmp_path, capsys):
    path = tmp_path / "r18.pt"
    result = train_resnet18(path=path, progress=False)
    printed = capsys.readouterr().out
    # offline in the tests: the stand-in is used and named in every line
    assert "MNIST-5k" in result.dataset and "Fashion-MNIST is unavailable" in printed
    assert result.dataset in printed.splitlines()[-1]
    assert result.settings == resnet18_settings("smoke")
    assert 0.0 <= result.test_accuracy <= 1.0 and path.exists()

    model, info = load_model(path)
    assert info["dataset"] == result.dataset and len(info["classes"]) == 10
    x = torch.rand(2, 1, 28, 28)
    result.model.eval()
    with torch.no_grad():
        assert torch.equal(model(x), result.model(x))

    example = load_example(path, index=3)
    assert example.image.shape == (1, 28, 28) and 0 <= example.label < 10
    assert example.prediction == int(model(example.image[None]).argmax())
    assert example.dataset == result.dataset and example.classes[example.label] in repr(example)
    with pytest.raises(ValueError, match="index"):
        load_example(path, index=99)

    # a second call resumes from the finished checkpoint instead of training again
    again = train_resnet18(path=path, progress=False)
    assert again.history.metrics() == result.history.metrics()


def test_save_model_checks_and_load_refuses_other_files(tmp_path):
    from dldna.models import ResNet18

    model = ResNet18(3, in_channels=1, small_input=True, width=4)
    arch = dict(num_classes=3, in_channels=1, small_input=True, width=4)
    with pytest.raises(ValueError, match="class names"):
        save_model(model, tmp_path / "m.pt", arch=arch, classes=("a", "b"), dataset="x")
    with pytest.raises(ValueError, match="builder"):
        save_model(model, tmp_path / "m.pt", arch=arch, classes=("a", "b", "c"), dataset="x",
                   builder="os.system")
    torch.save(model.state_dict(), tmp_path / "plain.pt")
    with pytest.raises(CheckpointError, match="not a dldna-model-v1"):
        load_model(tmp_path / "plain.pt")
    path = save_model(model, tmp_path / "m.pt", arch=arch, classes=("a", "b", "c"), dataset="x")
    with pytest.raises(CheckpointError, match="no test images"):
        load_example(path, train_if_missing=False)
