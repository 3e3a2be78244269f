"""LeNet-5: parameter counts for 28² (padded) and 32² inputs, input checks."""
from __future__ import annotations

import pytest
import torch

from dldna.measure.counting import count_parameters
from dldna.models import lenet5


def test_counts_and_shapes():
    assert count_parameters(lenet5()) == 61_706
    assert count_parameters(lenet5(image_size=28, padding=2)) == 61_706
    assert count_parameters(lenet5(image_size=28)) == 44_426  # 16·4·4 inputs to FC 1
    assert lenet5(image_size=28, padding=2)(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_bad_input():
    model = lenet5()
    with pytest.raises(ValueError, match="built for 32×32"):
        model(torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError, match="expects 1 input channels"):
        model(torch.zeros(1, 3, 32, 32))
    with pytest.raises(ValueError, match="activation"):
        lenet5(activation="gelu")
