"""dldna.models.io: every registered model saves and loads; broken files give CheckpointError."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from dldna.checkpoint import CheckpointError, save_checkpoint
from dldna.models import create, list_models, model_spec
from dldna.models.io import MODEL_FORMAT, load_model, rebuild_spec, save_model
from model_probe import on_meta, smallest_side

SMALL = 3_000_000  # parameters: models up to this size are written to disk and read back


def _randomise(model: nn.Module) -> None:
    gen = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(0.1 * torch.randn(tensor.shape, generator=gen))
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.track_running_stats:
                module.running_var.uniform_(0.5, 1.5, generator=gen)


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_records_how_to_rebuild_it(name, tmp_path):
    kwargs = dict(num_classes=7, in_channels=1)
    model = on_meta(lambda: create(name, **kwargs))
    assert model_spec(model) == (name, kwargs)
    if sum(p.numel() for p in model.parameters()) > SMALL:
        # big models: the check save_model makes before writing (on meta, no memory)
        assert rebuild_spec(model) == (name, kwargs)
        with pytest.raises(ValueError, match="does not rebuild this model"):
            rebuild_spec(model, kwargs={**kwargs, "num_classes": 8})
        return
    side = smallest_side(model, 1)
    torch.manual_seed(0)
    model = create(name, **kwargs).eval()
    _randomise(model)
    x = torch.randn(2, 1, side, side, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        expected = model(x)
    path = save_model(model, tmp_path / f"{name}.pt", info={"classes": list("abcdefg")})
    loaded, info = load_model(path)
    assert type(loaded) is type(model) and not loaded.training
    assert info == {"classes": list("abcdefg"), "model": name, "kwargs": kwargs}
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), expected, rtol=0, atol=0)


def test_a_model_built_directly_needs_its_name(tmp_path):
    from dldna.models import SmallCNN

    model = SmallCNN(num_classes=4)
    with pytest.raises(ValueError, match="name is required.*small_cnn"):
        save_model(model, tmp_path / "m.pt")
    path = save_model(model, tmp_path / "m.pt", name="small_cnn", kwargs={"num_classes": 4})
    assert load_model(path)[1]["kwargs"] == {"num_classes": 4}
    with pytest.raises(ValueError, match="unknown model 'smallcnn'"):
        save_model(model, tmp_path / "m.pt", name="smallcnn")
    with pytest.raises(ValueError, match="not arguments of 'small_cnn'"):
        save_model(model, tmp_path / "m.pt", name="small_cnn", kwargs={"classes": 4})
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        save_model(model.state_dict(), tmp_path / "m.pt")


def test_only_plain_values_are_stored(tmp_path):
    model = create("digits_cnn")
    with pytest.raises(TypeError, match=r"info\['when'\] must hold only"):
        save_model(model, tmp_path / "m.pt", info={"when": object()})
    with pytest.raises(TypeError, match="non-str key 1"):
        save_model(model, tmp_path / "m.pt", info={1: "one"})
    assert not (tmp_path / "m.pt").exists()


def test_broken_and_foreign_files_give_checkpoint_errors(tmp_path):
    model = create("digits_cnn", num_classes=3)
    good = save_model(model, tmp_path / "good.pt")
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_model(truncated)
    torch.save(model.state_dict(), tmp_path / "bare.pt")
    with pytest.raises(CheckpointError, match="not a dldna-model-v2"):
        load_model(tmp_path / "bare.pt")
    torch.save({"format": MODEL_FORMAT, "model": nn.ReLU()}, tmp_path / "code.pt")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):  # weights_only
        load_model(tmp_path / "code.pt")
    state = {"model": "digits_cnn", "kwargs": {"num_classes": 3}, "info": {},
             "state_dict": create("digits_cnn", num_classes=5).state_dict()}
    save_checkpoint(tmp_path / "mismatch.pt", state, kind=MODEL_FORMAT)
    with pytest.raises(CheckpointError, match="does not fit DigitsCNN.*shape mismatch"):
        load_model(tmp_path / "mismatch.pt")
    save_checkpoint(tmp_path / "unknown.pt", {**state, "model": "digits_rnn"}, kind=MODEL_FORMAT)
    with pytest.raises(CheckpointError, match="'digits_rnn' that is not registered.*small_cnn"):
        load_model(tmp_path / "unknown.pt")
    save_checkpoint(tmp_path / "args.pt", {**state, "kwargs": {"depth": 3}}, kind=MODEL_FORMAT)
    with pytest.raises(CheckpointError, match="arguments that 'digits_cnn' does not accept"):
        load_model(tmp_path / "args.pt")
