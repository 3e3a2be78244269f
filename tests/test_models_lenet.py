"""dldna.models.lenet: the activation and pooling options and their argument checks (counts and
input checks: tests/test_lenet.py)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from dldna.models import LeNet5, lenet5


def test_relu_and_max_pool_variant():
    model = LeNet5(activation="relu", pool="max").eval()
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 10)
    kinds = {type(m) for m in model.modules()}
    assert {nn.ReLU, nn.MaxPool2d} <= kinds and not {nn.Tanh, nn.AvgPool2d} & kinds


@pytest.mark.parametrize("kwargs, message", [
    (dict(activation="gelu"), "activation"), (dict(pool="min"), "pool"),
    (dict(image_size=12), "too small"),
])
def test_lenet5_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lenet5(**kwargs)
