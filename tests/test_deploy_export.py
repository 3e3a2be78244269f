"""Round trips through ONNX (onnxruntime) and torch.export, with parity, shapes and errors."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from dldna.deploy import export


def _small_cnn(num_classes: int = 2) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5),
                         nn.Linear(16, num_classes)).eval()


@pytest.fixture(scope="module")
def images():
    return torch.rand(10, 1, 32, 32, generator=torch.Generator().manual_seed(1))


def test_onnx_round_trip_matches_pytorch(tmp_path, images):
    model = _small_cnn()
    exporter = export.export_onnx(model, images[:2], tmp_path / "m.onnx")
    assert exporter == "dynamo" or exporter.startswith("torchscript (dynamo failed")
    loaded = export.load_onnx(tmp_path / "m.onnx")
    assert loaded.input_shape == (1, 32, 32)
    parity = export.check_parity(model, loaded, images, batch_size=3)  # batch stays dynamic
    assert parity.same_predictions and parity.n_images == 10
    assert parity.max_abs_logit_diff < 1e-4


def test_torch_export_round_trip_matches_pytorch(tmp_path, images):
    model = _small_cnn(4)
    path = export.export_program(model, images[:2], tmp_path / "m.pt2")
    loaded = export.load_program(path)
    assert loaded.input_shape == (1, 32, 32) and loaded(images[:1]).shape == (1, 4)
    parity = export.check_parity(model, loaded, images, batch_size=4)
    assert parity.max_abs_logit_diff < 1e-5 and parity.same_predictions


def test_a_training_model_is_exported_in_eval_mode_with_a_warning(tmp_path, images):
    model = _small_cnn().train()
    with pytest.warns(UserWarning, match="training mode"):
        export.export_program(model, images[:2], tmp_path / "m.pt2")
    assert not model.training
    # Dropout off and BatchNorm on running statistics: the export is deterministic.
    loaded = export.load_program(tmp_path / "m.pt2")
    assert torch.equal(loaded(images), loaded(images))


def test_wrong_shapes_are_refused_with_a_clear_error(tmp_path, images):
    model = _small_cnn()
    export.export_onnx(model, images[:2], tmp_path / "m.onnx")
    program = export.export_program(model, images[:2], tmp_path / "m.pt2")
    for loaded in (export.load_onnx(tmp_path / "m.onnx"), export.load_program(program)):
        with pytest.raises(ValueError, match="C×H×W = 1×32×32"):
            loaded(torch.rand(2, 3, 32, 32))
        with pytest.raises(ValueError, match="C×H×W = 1×32×32"):
            loaded(torch.rand(2, 1, 48, 48))
        with pytest.raises(ValueError, match="N×C×H×W"):
            loaded(torch.rand(1, 32, 32))
    with pytest.raises(ValueError, match="at least 2"):
        export.export_onnx(model, images[:1], tmp_path / "x.onnx")
    with pytest.raises(TypeError, match="model"):
        export.export_program("not a model", images[:2], tmp_path / "x.pt2")
    with pytest.raises(FileNotFoundError, match="export_onnx"):
        export.load_onnx(tmp_path / "missing.onnx")


def test_a_different_model_fails_the_parity_check(tmp_path, images):
    model = _small_cnn()
    first = int(model(images[:1]).argmax(1))
    other = nn.Sequential(nn.Flatten(), nn.Linear(32 * 32, 2)).eval()
    with torch.no_grad():  # always the class the reference does not give the first image
        other[1].weight.zero_()
        other[1].bias.copy_(torch.tensor([1.0, 0.0]) if first == 1 else torch.tensor([0.0, 1.0]))
    path = export.export_program(other, images[:2], tmp_path / "other.pt2")
    with pytest.raises(export.ParityError, match="another class"):
        export.check_parity(model, export.load_program(path), images)


def test_compare_exports_reports_size_latency_and_parity(tmp_path, images):
    rows = export.compare_exports(_small_cnn(), images, tmp_path, repeats=3, name="cnn")
    assert [r.format for r in rows] == ["PyTorch", "ONNX (onnxruntime)", "torch.export"]
    assert all(r.size_mb > 0 and r.latency_ms > 0 and r.same_predictions for r in rows)
    assert (tmp_path / "cnn.onnx").is_file() and (tmp_path / "cnn.pt2").is_file()
    assert rows[0].max_abs_logit_diff == 0.0 and rows[1].max_abs_logit_diff < 1e-4


def test_the_saved_program_does_not_carry_the_whole_batch(tmp_path):
    batch = torch.rand(2000, 1, 32, 32)  # 8 MB; the example is a 2-image slice of it
    path = export.export_program(_small_cnn(), batch[:2], tmp_path / "m.pt2")
    assert path.stat().st_size < 1_000_000, f"{path.stat().st_size} bytes"
