"""dldna.models.input_check: every registered model checks its input at the boundary and says
what was expected and how to fix it, before torch fails deep inside."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dldna.models import create, get_entry, list_models
from dldna.models.input_check import check_image

# One model of each family, built grey (1 channel), small enough for a CPU test.
FAMILIES = ["alexnet", "convnext_tiny", "digits_cnn", "efficientnet_b0", "googlenet",
            "googlenet_mini", "lenet5", "mobilenet_v2", "plain_cifar", "resnet18", "resnet_cifar",
            "small_cnn", "vgg11", "vit_tiny"]


@pytest.fixture(scope="module")
def grey_models():
    torch.manual_seed(0)
    return {name: create(name, num_classes=4, in_channels=1).eval() for name in FAMILIES}


def test_every_registered_family_is_probed():
    assert {get_entry(n).family for n in list_models()} == {get_entry(n).family for n in FAMILIES}


@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize("bad, error, message", [
    (torch.rand(28, 28), ValueError, r"\(N, C, H, W\), got shape \(28, 28\); .*x\[None, None\]"),
    (torch.rand(1, 28, 28), ValueError, r"add a batch axis with `x\[None\]`"),
    (torch.randint(0, 255, (1, 1, 32, 32), dtype=torch.uint8), TypeError,
     r"float images, got torch.uint8: convert with `x.float\(\) / 255`"),
    (torch.rand(1, 1, 32, 32, dtype=torch.float64), TypeError,
     r"weights are torch.float32 but the input is torch.float64"),
    (torch.rand(1, 3, 32, 32), ValueError,
     r"expects 1 input channels, got 3 .*x.mean\(1, keepdim=True\)"),
    (np.zeros((1, 1, 32, 32), np.float32), TypeError, r"torch.as_tensor\(x\)"),
])
def test_wrong_inputs_are_named_with_a_fix(grey_models, name, bad, error, message):
    with pytest.raises(error, match=message):
        grey_models[name](bad)


@pytest.mark.parametrize("name, side, message", [
    ("alexnet", 16, "at least 63×63"), ("vgg11", 8, "at least 32×32"),
    ("googlenet", 16, "at least 31×31"), ("convnext_tiny", 16, "at least 32×32"),
    ("lenet5", 28, "built for 32×32 images only"), ("vit_tiny", 32, "built for 28×28"),
    ("digits_cnn", 28, "built for 8×8"), ("small_cnn", 32, "built for 28×28"),
])
def test_sizes_a_model_cannot_take_are_refused(grey_models, name, side, message):
    with pytest.raises(ValueError, match=message + r".*F.interpolate\(x, size="):
        grey_models[name](torch.rand(1, 1, side, side))


def test_a_colour_model_fed_grey_images_suggests_expanding():
    model = create("resnet_cifar", num_classes=3).eval()
    with pytest.raises(ValueError, match=r"expects 3 input channels, got 1 .*expand\(-1, 3"):
        model(torch.rand(2, 1, 32, 32))


@settings(max_examples=20, deadline=None)
@given(channels=st.integers(1, 5), side=st.integers(1, 40), batch=st.integers(1, 3))
def test_check_image_accepts_exactly_the_batches_the_model_takes(channels, side, batch):
    x = torch.zeros(batch, channels, side, side)
    fits = channels == 3 and side >= 8
    try:
        check_image(x, 3, 8, "Net", dtype=torch.float32)
    except ValueError:
        assert not fits
    else:
        assert fits


def test_right_inputs_still_run(grey_models):
    with torch.no_grad():
        assert grey_models["resnet18"](torch.rand(2, 1, 5, 5)).shape == (2, 4)
        assert grey_models["lenet5"](torch.rand(2, 1, 32, 32)).shape == (2, 4)
        assert grey_models["vit_tiny"](torch.rand(1, 1, 28, 28)).shape == (1, 4)


def test_symbolic_tracing_passes_the_input_check():
    """The book's block diagrams trace models with torch.fx: a Proxy has no dtype or shape to
    check, so the check lets it through; the traced graph computes what the model computes,
    and the model itself still refuses a wrong batch."""
    model = create("resnet18", num_classes=10).eval()
    traced = torch.fx.symbolic_trace(model)
    x = torch.rand(2, 3, 32, 32)
    assert torch.allclose(traced(x), model(x))
    with pytest.raises(TypeError, match=r"x\.float\(\) / 255"):
        model(torch.zeros(1, 3, 32, 32, dtype=torch.uint8))
