"""dldna.transfer.tune: the part above a cut equals the network; per-group rates are used."""
from __future__ import annotations

import pytest
import torch
import torchvision.models as tv
from torch import nn

from dldna.pretrained.efficientnet_lite import EfficientNetLite0
from dldna.transfer import accuracy, cut_layer, extract_features, fit_groups, prepare, tail


@pytest.mark.parametrize("build", [lambda: tv.mobilenet_v2(width_mult=0.35),
                                   lambda: tv.resnet18(), lambda: EfficientNetLite0()])
@pytest.mark.parametrize("top", [1, 2])
def test_tail_on_cached_features_equals_the_network(build, top):
    torch.manual_seed(0)
    model = build().eval()
    x = torch.rand(2, 3, 32, 32)
    cut, module = tail(model, top)
    feats, _ = extract_features(model, x, layer=cut, cache=False)
    with torch.no_grad():
        assert torch.allclose(module.eval()(feats), model(x), atol=1e-4)


def test_cut_layer_checks_the_stage_count():
    assert cut_layer(tv.mobilenet_v2(), 1) == "features.17"
    assert cut_layer(tv.mobilenet_v2(), 2) == "features.16"
    with pytest.raises(ValueError, match="top_stages must be an integer in \\[1, 8\\]"):
        cut_layer(tv.mobilenet_v2(), 9)


def _blobs(n=60, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    return torch.randn(n, 5, generator=g) + 3 * nn.functional.one_hot(y, 5).float(), y


def test_fit_groups_learns_and_is_repeatable():
    x, y = _blobs()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Linear(5, 3)
        history = fit_groups(model, x, y, lr=0.05, epochs=20, batch_size=16, val=(x, y))
        runs.append(history.train_loss)
    assert runs[0] == runs[1]
    assert history.train_loss[-1] < history.train_loss[0] and history.val_accuracy[-1] > 0.9
    assert accuracy(model, x, y)[0] == history.val_accuracy[-1]


def test_fit_groups_uses_each_groups_rate():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    start = [p.detach().clone() for p in model.parameters()]
    groups = [{"params": list(model[0].parameters()), "lr": 1e-6},
              {"params": list(model[2].parameters()), "lr": 1e-2}]
    fit_groups(model, *_blobs(), param_groups=groups, epochs=3)
    moved = [float((p.detach() - s).abs().max()) for p, s in zip(model.parameters(), start)]
    assert max(moved[:2]) < 1e-4 < min(moved[2:])


def test_fit_groups_rejects_bad_input():
    x, y = _blobs()
    with pytest.raises(ValueError, match="epochs"):
        fit_groups(nn.Linear(5, 3), x, y, lr=0.1, epochs=0)
    with pytest.raises(ValueError, match="param_groups .* or lr"):
        fit_groups(nn.Linear(5, 3), x, y, epochs=1)
    with pytest.raises(ValueError, match="same, non-zero number of rows"):
        fit_groups(nn.Linear(5, 3), x, y[:3], lr=0.1, epochs=1)
    frozen = prepare(tv.mobilenet_v2(width_mult=0.35), "linear_probe", 3).model
    frozen.requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameter"):
        fit_groups(frozen, torch.rand(4, 3, 32, 32), torch.arange(4) % 3, lr=0.1, epochs=1)
