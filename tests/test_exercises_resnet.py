"""Chapter 7's checkers: right answers pass, typical wrong answers fail with a specific hint."""
from __future__ import annotations

import torch
from torch import nn

from dldna.exercises.resnet import (check_equal_budget, check_plain_block, check_shape_recorder,
                                    equal_budget_planes, record_shapes_reference)
from dldna.models.resnet import CifarBlock, conv3x3


def _not_written(*args):
    raise NotImplementedError


class Plain(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(in_planes, planes, stride), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv3x3(planes, planes), nn.BatchNorm2d(planes)

    def forward(self, x):
        return torch.relu(self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))


class NoFinalReLU(Plain):
    def forward(self, x):
        return self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))


def test_plain_block_checker():
    assert check_plain_block(Plain)
    residual = check_plain_block(lambda i, o, s: CifarBlock(i, o, s, residual=True))
    assert not residual and "remove `+ identity`" in str(residual)
    relu = check_plain_block(NoFinalReLU)
    assert not relu and "differs" in str(relu)
    renamed = check_plain_block(lambda i, o, s: nn.Sequential(conv3x3(i, o, s), nn.ReLU()))
    assert not renamed and "layer names" in str(renamed)
    assert "not attempted" in str(check_plain_block(_not_written))


def test_equal_budget_checker():
    assert check_equal_budget(equal_budget_planes)
    same_planes = check_equal_budget(lambda w: w)
    assert not same_planes and "BasicBlock(64) has 73,984" in str(same_planes)
    brute_force = min(range(1, 100), key=lambda p: abs(17 * p * p + 12 * p - 73_984))
    assert equal_budget_planes(64) == brute_force == 66
    same_width = check_equal_budget(lambda w: w // 4)
    assert not same_width and "expected" in str(same_width)
    assert "None" in str(check_equal_budget(lambda w: None))


def test_shape_recorder_checker():
    assert check_shape_recorder(record_shapes_reference)

    def leaky(model, x):  # never removes its hooks
        shapes = {}
        for name, module in model.named_modules():
            if name and not list(module.children()):
                module.register_forward_hook(
                    lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape)))
        model(x)
        return shapes

    result = check_shape_recorder(leaky)
    assert not result and "still attached" in str(result)

    def top_level_only(model, x):
        shapes = {}
        for name, module in model.named_children():
            shapes[name] = tuple(module(x).shape) if name == "conv1" else (0,)
        return shapes

    partial = check_shape_recorder(top_level_only)
    assert not partial and "missing" in str(partial)
    assert "not attempted" in str(check_shape_recorder(_not_written))
