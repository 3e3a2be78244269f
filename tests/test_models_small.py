"""dldna.models.small: the chapter 4 and 10 CNNs and the worked example block."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from dldna.measure import counting
from dldna.models import create, get_entry
from dldna.models.small import BasicBlockExample, DigitsCNN, SmallCNN


def _params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_small_cnn_is_chapter_4s_network():
    model = create("small_cnn").eval()
    # conv 5×5 1→8 (208) + BN (16) + conv 3×3 8→16 (1,168) + BN (32) + linear 784→10 (7,850)
    assert _params(model) == 208 + 16 + 1_168 + 32 + 7_850
    x = torch.randn(3, 1, 28, 28)
    assert model.features[:3](x).shape == (3, 8, 28, 28)
    assert model.features[:4](x).shape == (3, 8, 14, 14)
    assert model(x).shape == (3, 10)
    assert [m.out_channels for m in model.features if isinstance(m, nn.Conv2d)] == [8, 16]


def test_small_cnn_sizes_follow_its_arguments():
    model = SmallCNN(num_classes=5, in_channels=3, image_size=32, widths=(4, 6)).eval()
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 5)
    assert model.classifier.in_features == 6 * 8 * 8
    with pytest.raises(ValueError, match="image_size"):
        SmallCNN(image_size=3)


def test_digits_cnn_keeps_the_sequential_weight_names():
    model = create("digits_cnn")
    assert isinstance(model, DigitsCNN) and isinstance(model, nn.Sequential)
    reference = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 16, 64), nn.ReLU(), nn.Linear(64, 10))
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(4, 1, 8, 8)
    torch.testing.assert_close(model(x), reference(x))
    assert DigitsCNN(num_classes=3, image_size=12)(torch.randn(1, 1, 12, 12)).shape == (1, 3)
    with pytest.raises(ValueError, match="image_size"):
        DigitsCNN(image_size=1)


def test_small_models_are_registered_as_ours():
    for name in ("small_cnn", "digits_cnn"):
        entry = get_entry(name)
        assert entry.family == "small" and not entry.torchvision and entry.summary


def test_basic_block_example_moved_but_old_import_works():
    assert counting.BasicBlockExample is BasicBlockExample
    block = BasicBlockExample(4).eval()
    x = torch.randn(2, 4, 5, 5)
    assert block(x).shape == x.shape
    assert _params(BasicBlockExample(64)) == 74_112
