"""dldna.attention: tiny ViT vs tiny CNN (sizes, the experiment's bookkeeping), class attention."""
from __future__ import annotations

import pytest
import torch

from dldna.experiments import attention
from dldna import data


def count(model):
    return sum(p.numel() for p in model.parameters())


def test_tiny_models_have_similar_sizes():
    vit, cnn = attention.tiny_vit(), attention.tiny_cnn()
    assert 0.8 < count(vit) / count(cnn) < 1.25
    x = torch.randn(2, 1, 8, 8)
    assert vit(x).shape == cnn(x).shape == (2, 10)


def test_data_hunger_runs_every_model_size_and_seed():
    train_set, test_set = data.load("digits", "train"), data.load("digits", "test")
    threads = torch.get_num_threads()
    rows = attention.data_hunger(train_set, test_set.subset(50), sizes=(40,), seeds=(0, 1),
                                 steps=1, batch_size=20)
    assert torch.get_num_threads() == threads
    assert len(rows) == 4 and {r["model"] for r in rows} == {"tiny ViT", "tiny CNN"}
    assert all(r["epochs"] == 1 and isinstance(r["net"], torch.nn.Module) for r in rows)
    summary = attention.summarize(rows)
    assert len(summary) == 2 and all(s["runs"] == 2 and s["min"] <= s["mean"] <= s["max"]
                                     for s in summary)
    with pytest.raises(ValueError, match="size"):
        attention.data_hunger(train_set, test_set, sizes=(0,), steps=1)


def test_class_attention_is_a_distribution_over_patches():
    model = attention.tiny_vit()
    maps = attention.class_attention(model, torch.randn(1, 8, 8))
    assert maps.shape == (2, 4, 4, 4)
    assert torch.all(maps.flatten(2).sum(-1) <= 1 + 1e-5)
    with pytest.raises(ValueError, match="C, H, W"):
        attention.class_attention(model, torch.randn(8, 8))


@pytest.mark.parametrize("model, message", [
    (attention.tiny_cnn(), "needs a Vision Transformer .* got Sequential: a CNN has no attention"),
    ("vit_tiny", "not its name 'vit_tiny'"),
])
def test_class_attention_says_which_kind_of_model_it_needs(model, message):
    with pytest.raises(TypeError, match=message):
        attention.class_attention(model, torch.rand(1, 8, 8))


def test_class_attention_wants_one_image():
    with pytest.raises(ValueError, match=r"one \(C, H, W\) tensor, got \(2, 1, 8, 8\)"):
        attention.class_attention(attention.tiny_vit(), torch.rand(2, 1, 8, 8))
