"""dldna.transfer.features: normalisation from the weights, preprocessing, cached features."""
from __future__ import annotations

import pytest
import torch
import torchvision.models as tv
from torchvision.models import MobileNet_V2_Weights

from dldna.transfer import (Normalization, Preprocess, cache_info, clear_cache,
                            extract_features, normalization)


def test_normalisation_is_read_from_the_weights():
    mnv2 = normalization(MobileNet_V2_Weights.IMAGENET1K_V1)
    assert mnv2.mean == pytest.approx((0.485, 0.456, 0.406))
    assert mnv2.std == pytest.approx((0.229, 0.224, 0.225))
    assert normalization("mobilenet_v2") == normalization("MobileNet_V2_Weights.IMAGENET1K_V1")
    lite = normalization("efficientnet_lite0")
    assert lite.mean == lite.std == (0.5, 0.5, 0.5)
    assert lite.input_range == (-1.0, 1.0)
    x = torch.tensor([0.0, 0.5, 1.0]).view(1, 3, 1, 1).expand(1, 3, 2, 2)
    assert torch.allclose(lite(x)[0, :, 0, 0], torch.tensor([-1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="neither a torchvision weights name"):
        normalization("no_such_weights")
    with pytest.raises(TypeError, match="weights_or_name"):
        normalization(3)
    with pytest.raises(ValueError, match="std must be positive"):
        Normalization((0.0,), (0.0,))


def test_preprocess_makes_three_channels_of_the_right_size():
    pre = Preprocess(48, normalization("efficientnet_lite0"))
    out = pre(torch.full((2, 1, 28, 28), 255, dtype=torch.uint8))
    assert out.shape == (2, 3, 48, 48) and torch.allclose(out, torch.ones_like(out))
    with pytest.raises(ValueError, match="N×1×H×W or N×3×H×W"):
        pre(torch.rand(2, 2, 8, 8))
    with pytest.raises(ValueError, match="size must be"):
        Preprocess(4)


def _model():
    torch.manual_seed(0)
    return tv.mobilenet_v2(width_mult=0.35).eval()


def test_features_are_what_enters_the_head_and_are_cached():
    clear_cache()
    model = _model()
    images = torch.randint(0, 256, (6, 3, 32, 32), dtype=torch.uint8)
    labels = torch.arange(6)
    feats, got_labels = extract_features(model, (images, labels), batch_size=4)
    with torch.no_grad():
        x = model.features(images.float() / 255)
        want = torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
    assert torch.allclose(feats, want, rtol=1e-4, atol=1e-12)
    assert torch.equal(got_labels, labels)
    again, _ = extract_features(model, (images, labels), batch_size=4)
    assert again is feats and cache_info()["hits"] == 1
    with torch.no_grad():  # changed weights must not hit the cache
        model.features[0][0].weight.mul_(2)
    changed, _ = extract_features(model, (images, labels))
    assert (changed - feats).abs().max() > 1e-3 * feats.abs().max()
    assert cache_info()["misses"] == 2
    both, none = extract_features(model, images, layer=["features.17", None])
    assert none is None and set(both) == {"features.17", "classifier.1"}
    assert torch.allclose(both["classifier.1"], changed, rtol=1e-4, atol=1e-12)
    assert model.training is False


def test_extract_features_rejects_bad_input():
    with pytest.raises(TypeError, match="dataset_or_tensor"):
        extract_features(_model(), [1, 2, 3])
    with pytest.raises(ValueError, match="non-empty N×C×H×W"):
        extract_features(_model(), torch.rand(3, 32, 32))
    with pytest.raises(ValueError, match="batch_size"):
        extract_features(_model(), torch.rand(1, 3, 32, 32), batch_size=0)
    with pytest.raises(AttributeError):
        extract_features(_model(), torch.rand(1, 3, 32, 32), layer="features.99")
