"""GoogLeNet: InceptionModule, torchvision's twin, the 3×3 quirk, auxiliary heads."""
from __future__ import annotations

import warnings

import pytest
import torch
import torchvision

from dldna.measure.counting import count_parameters
from dldna.models import InceptionModule, create, googlenet, googlenet_loss
from dldna.models.googlenet import INCEPTION_TABLE, GoogLeNet, googlenet_5x5
from dldna.models.googlenet_mini import googlenet_mini


def _torchvision(aux: bool):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torchvision.models.googlenet(aux_logits=aux, init_weights=True)


@pytest.mark.parametrize("aux, expected", [(False, 6_624_904), (True, 13_004_888)])
def test_twin_counts_and_strict_weights(aux, expected):
    torch.manual_seed(0)
    reference, model = _torchvision(aux).eval(), googlenet(aux_logits=aux).eval()
    assert count_parameters(model) == count_parameters(reference) == expected
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(1, 3, 96, 96)
    with torch.no_grad():
        assert torch.allclose(model(x), reference(x), atol=1e-5)


def test_the_5x5_branch_is_a_3x3_in_torchvision_and_a_5x5_with_the_flag():
    with torch.device("meta"):
        twin, paper = googlenet(aux_logits=False), googlenet_5x5(aux_logits=False)
    assert twin.inception3a.branch3[1].conv.kernel_size == (3, 3)
    assert paper.inception3a.branch3[1].conv.kernel_size == (5, 5)
    extra = sum(r5 * c5 * (25 - 9) for _, _, _, _, r5, c5, _ in INCEPTION_TABLE.values())
    assert count_parameters(paper) - count_parameters(twin) == extra


def test_inception_module_channels_and_checks():
    module = InceptionModule(192, 64, 96, 128, 16, 32, 32)
    assert module.out_channels == 256
    assert module(torch.randn(2, 192, 7, 7)).shape == (2, 256, 7, 7)
    with pytest.raises(ValueError, match="expects 192 input channels"):
        module(torch.randn(1, 100, 7, 7))
    for bad in (0, -3, 2.5, True, "8"):
        with pytest.raises(ValueError, match="ch3x3 must be a positive int"):
            InceptionModule(192, 64, 96, bad, 16, 32, 32)
    table = dict(INCEPTION_TABLE, **{"4a": (500, 192, 96, 208, 16, 48, 64)})
    with pytest.raises(ValueError, match=r"inception\(4a\) expects 500 input channels"):
        GoogLeNet(table=table)


def test_aux_heads_three_outputs_in_training_one_in_eval_and_the_loss():
    torch.manual_seed(0)
    model = create("googlenet", num_classes=7)
    x, y = torch.randn(2, 3, 64, 64), torch.tensor([1, 5])
    model.train()
    outputs = model(x)
    assert len(outputs) == 3 and all(o.shape == (2, 7) for o in outputs)
    f = torch.nn.functional.cross_entropy
    expected = f(outputs.logits, y) + 0.3 * (f(outputs.aux1, y) + f(outputs.aux2, y))
    assert torch.allclose(googlenet_loss(outputs, y), expected)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    assert isinstance(logits, torch.Tensor) and logits.shape == (2, 7)
    assert torch.allclose(googlenet_loss(logits, y), f(logits, y))
    mini = googlenet_mini(num_classes=10, in_channels=1)
    assert len(mini.train()(torch.randn(2, 1, 8, 8))) == 3
    assert mini.eval()(torch.randn(2, 1, 28, 28)).shape == (2, 10)


def test_bad_input_size_and_channels():
    model = googlenet(aux_logits=False).eval()
    with pytest.raises(ValueError, match=f"at least {model.min_side}×{model.min_side}"):
        model(torch.zeros(1, 3, model.min_side - 1, 64))
    with pytest.raises(ValueError, match="expects 3 input channels, got 4"):
        model(torch.zeros(1, 4, 224, 224))
    with torch.no_grad():
        model(torch.zeros(1, 3, model.min_side, model.min_side))
