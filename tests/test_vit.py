"""Vision Transformer: shapes of the walk-through, attention maps, vit_b_16 = torchvision's."""
from __future__ import annotations

import pytest
import torch
import torchvision

from dldna.models import VisionTransformer, create, vit_tiny


def test_same_weights_give_torchvisions_output_on_a_small_vit():
    torch.manual_seed(0)
    theirs = torchvision.models.VisionTransformer(32, 8, 2, 2, 16, 32, num_classes=5).eval()
    ours = VisionTransformer(32, 8, 2, 2, 16, 32, num_classes=5).eval()
    state = {k: torch.randn_like(v) for k, v in theirs.state_dict().items()}
    theirs.load_state_dict(state)
    ours.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-4)


def test_tokens_and_attention_shapes():
    model = vit_tiny(num_classes=10, in_channels=1, image_size=28, patch_size=4).eval()
    x = torch.randn(3, 1, 28, 28)
    assert model.patchify(x).shape == (3, 49, 64)
    assert model.tokens(x).shape == (3, 50, 64)
    maps = model.attention_maps(x)
    assert len(maps) == 4 and maps[0].shape == (3, 4, 50, 50)
    assert torch.allclose(maps[0].sum(-1), torch.ones(3, 4, 50), atol=1e-5)
    assert model(x).shape == (3, 10)


def test_bad_sizes_raise_value_errors_naming_both_numbers():
    with pytest.raises(ValueError, match=r"image_size=30.*patch_size=4"):
        vit_tiny(image_size=30, patch_size=4)
    with pytest.raises(ValueError, match="num_heads"):
        vit_tiny(hidden_dim=30, num_heads=4)
    with pytest.raises(ValueError, match="28×28"):
        vit_tiny()(torch.randn(1, 1, 32, 32))
