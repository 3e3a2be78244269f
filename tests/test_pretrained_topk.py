"""dldna.pretrained.topk: ImageNet names only for a model with 1,000 ImageNet outputs."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dldna.models import create
from dldna.pretrained import efficientnet_lite, mobilenet
from dldna.pretrained.topk import named_top_k


@pytest.mark.parametrize("module", [mobilenet, efficientnet_lite])
def test_imagenet_top_k_refuses_a_model_with_another_class_count(module):
    model = create("mobilenet_v2", num_classes=10)
    photo = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match="outputs 10 class scores but there are 1000 ImageNet "
                                         "class names"):
        module.top_k(model, photo)


def test_named_top_k_checks_scores_names_and_k():
    names = ["cat", "dog", "bird"]
    top = named_top_k(torch.tensor([[0.0, 2.0, 1.0]]), names, 2)
    assert [name for name, _ in top] == ["dog", "bird"]
    with pytest.raises(ValueError, match="outputs 2 class scores but there are 3"):
        named_top_k(torch.zeros(1, 2), names, names_of="pet")
    with pytest.raises(ValueError, match=r"one image's class scores, 1×C, got \(2, 3\)"):
        named_top_k(torch.zeros(2, 3), names)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 3\], got 4"):
        named_top_k(torch.zeros(1, 3), names, 4)
