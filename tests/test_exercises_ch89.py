"""Checkers of chapters 8 and 9 accept right answers and explain wrong ones."""
from __future__ import annotations

import math

import torch

from dldna.exercises.mobile import check_separable_macs, check_squeeze_excite
from dldna.exercises.transformers import check_attention, check_patchify


def test_separable_macs_checker():
    def right(c_in, c_out, k, h, w):
        return h * w * c_out * c_in * k * k, h * w * c_in * (k * k + c_out)

    assert check_separable_macs(right)
    only_depthwise = check_separable_macs(lambda c, o, k, h, w: (h * w * o * c * k * k,
                                                                 h * w * c * k * k))
    assert not only_depthwise and "pointwise" in str(only_depthwise)
    wrong_standard = check_separable_macs(lambda c, o, k, h, w: (o * c * k * k, 0))
    assert not wrong_standard and "standard" in str(wrong_standard)
    assert "not attempted" in str(check_separable_macs(lambda *a: (_ for _ in ()).throw(
        NotImplementedError())))


def test_squeeze_excite_checker():
    def right(x, w1, b1, w2, b2):
        s = x.mean(dim=(2, 3))
        return x * torch.sigmoid(torch.relu(s @ w1.T + b1) @ w2.T + b2)[:, :, None, None]

    def no_relu(x, w1, b1, w2, b2):
        s = x.mean(dim=(2, 3))
        return x * torch.sigmoid((s @ w1.T + b1) @ w2.T + b2)[:, :, None, None]

    assert check_squeeze_excite(right)
    result = check_squeeze_excite(no_relu)
    assert not result and "ReLU" in str(result)
    assert not check_squeeze_excite(lambda x, *w: x)


def test_patchify_checker():
    def right(images, p):
        b, c, h, w = images.shape
        if h % p or w % p:
            raise ValueError("not divisible")
        t = images.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
        return t.reshape(b, -1, c * p * p)

    def column_major(images, p):
        return right(images.transpose(2, 3), p)

    assert check_patchify(right)
    assert not check_patchify(column_major)
    no_check = check_patchify(lambda images, p: right(images[..., :images.shape[2] // p * p,
                                                             :images.shape[3] // p * p], p))
    assert not no_check and "ValueError" in str(no_check)


def test_attention_checker():
    def right(q, k, v):
        return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v

    assert check_attention(right)
    unscaled = check_attention(lambda q, k, v: (q @ k.transpose(-2, -1)).softmax(-1) @ v)
    assert not unscaled and "√d" in str(unscaled)
    assert not check_attention(lambda q, k, v: v)
