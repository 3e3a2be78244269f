"""VGG-11/13/16/19 (+ BatchNorm) from one configuration table, against torchvision."""
from __future__ import annotations

import pytest
import torch
import torchvision

from dldna.measure.counting import count_parameters
from dldna.models import create, get_entry, vgg11
from dldna.models.vgg import CONFIGS, make_layers

NAMES = [f"{n}{bn}" for n in CONFIGS for bn in ("", "_bn")]


def test_every_configuration_is_a_registered_twin():
    assert all(get_entry(name).torchvision for name in NAMES)


def test_vgg16_count_and_table_shape():
    with torch.device("meta"):
        assert count_parameters(create("vgg16")) == 138_357_544
    convs = {name: sum(isinstance(c, int) for c in cfg) for name, cfg in CONFIGS.items()}
    assert convs == {"vgg11": 8, "vgg13": 10, "vgg16": 13, "vgg19": 16}
    assert all(cfg.count("M") == 5 for cfg in CONFIGS.values())


@pytest.mark.parametrize("batch_norm", [False, True])
def test_features_with_torchvision_weights_give_torchvision_output(batch_norm):
    # The classifier's 120 M weights are slow to initialise; its keys and shapes are checked on
    # the meta device above, the arithmetic here on the convolutions.
    from torchvision.models.vgg import cfgs, make_layers as tv_make_layers

    torch.manual_seed(0)
    reference = tv_make_layers(cfgs["A"], batch_norm=batch_norm).eval()
    ours = make_layers(CONFIGS["vgg11"], batch_norm=batch_norm).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(ours(x), reference(x), atol=1e-5)


def test_bad_config_and_bad_input():
    with pytest.raises(ValueError, match="positive ints or 'M'"):
        make_layers([64, "X"])
    with torch.device("meta"):
        model = vgg11(num_classes=4, in_channels=1).eval()
    assert model.min_side == 32
    with pytest.raises(ValueError, match="at least 32×32"):
        model(torch.zeros(1, 1, 31, 31, device="meta"))
    with pytest.raises(ValueError, match="expects 1 input channels, got 3"):
        model(torch.zeros(1, 3, 32, 32, device="meta"))
    assert model(torch.zeros(1, 1, 32, 32, device="meta")).shape == (1, 4)
