"""dldna.conv: loops and im2col agree with PyTorch; errors name the argument and the sizes."""
from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import dldna
from dldna.conv import (SimpleConv2d, SimpleMaxPool2d, conv2d_im2col, conv2d_loops,
                        conv_output_shape, im2col, max_pool2d_loops, output_size)


@st.composite
def conv_case(draw):
    """A random small convolution: shapes, stride, padding (kernel always fits)."""
    n = draw(st.integers(1, 3))
    c_in = draw(st.integers(1, 4))
    c_out = draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 9))
    w = draw(st.integers(max(1, kw - 2 * pw), 9))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.sampled_from([(ph, pw), ph])) if ph == pw else (ph, pw)
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return n, c_in, c_out, (kh, kw), (h, w), stride, padding, bias, seed


def _tensors(case):
    n, c_in, c_out, (kh, kw), (h, w), _, _, bias, seed = case
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c_in, h, w, generator=g)
    weight = torch.randn(c_out, c_in, kh, kw, generator=g)
    b = torch.randn(c_out, generator=g) if bias else None
    return x, weight, b


def _close(result, expected):
    scale = max(1.0, expected.abs().max().item())
    assert result.shape == expected.shape
    assert (result - expected).abs().max().item() <= 1e-4 * scale


@settings(max_examples=200, deadline=None)
@given(conv_case())
def test_loops_equal_torch(case):
    x, weight, bias = _tensors(case)
    stride, padding = case[5], case[6]
    _close(conv2d_loops(x, weight, bias, stride, padding),
           F.conv2d(x, weight, bias, stride=stride, padding=padding))


@settings(max_examples=200, deadline=None)
@given(conv_case())
def test_im2col_equals_torch(case):
    x, weight, bias = _tensors(case)
    stride, padding = case[5], case[6]
    _close(conv2d_im2col(x, weight, bias, stride, padding),
           F.conv2d(x, weight, bias, stride=stride, padding=padding))
    assert torch.equal(im2col(x, weight.shape[2:], stride, padding),
                       F.unfold(x, tuple(weight.shape[2:]), stride=stride, padding=padding))


@pytest.mark.parametrize("budget", [1, 3 * 4 * 9 * 25 * 4, 2**30])
def test_im2col_in_groups_of_images_equals_torch(monkeypatch, budget):
    """The batch is split so that each group's columns fit the budget: one image per group,
    three per group (with a remainder of one), or the whole batch at once."""
    import dldna.conv

    monkeypatch.setattr(dldna.conv, "COLUMNS_BUDGET", budget)
    x, weight, bias = torch.randn(7, 4, 5, 5), torch.randn(2, 4, 3, 3), torch.randn(2)
    out = conv2d_im2col(x, weight, bias, 1, 1)
    _close(out, F.conv2d(x, weight, bias, padding=1))
    assert out.shape == (7, 2, 5, 5) and out.is_contiguous()


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 3), h=st.integers(1, 9), w=st.integers(1, 9),
       k=st.integers(1, 4), s=st.one_of(st.none(), st.integers(1, 3)), p=st.integers(0, 2),
       seed=st.integers(0, 2**16))
def test_max_pool_equals_torch(n, c, h, w, k, s, p, seed):
    p = min(p, k // 2)
    if k > min(h, w) + 2 * p:
        k = min(h, w) + 2 * p
        p = min(p, k // 2)
    x = torch.randn(n, c, h, w, generator=torch.Generator().manual_seed(seed))
    expected = F.max_pool2d(x, k, stride=s, padding=p)
    assert torch.equal(max_pool2d_loops(x, k, s, p), expected)
    assert torch.equal(SimpleMaxPool2d(k, s, p)(x), expected)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 300), k=st.integers(1, 11), s=st.integers(1, 5), p=st.integers(0, 5))
def test_output_size_matches_a_real_layer_shape(n, k, s, p):
    if k > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            output_size(n, k, s, p)
        return
    expected = len(range(0, n + 2 * p - k + 1, s))  # count the window positions one by one
    assert output_size(n, k, s, p) == expected


def test_output_size_worked_examples():
    assert output_size(28, 5) == 24                   # LeNet conv1
    assert output_size(32, 3, 1, 1) == 32             # 'same' 3×3
    assert output_size(32, 3, 2, 1) == 16             # stride 2 halves
    assert output_size(32, 2, 2) == 16                # 2×2 max pool
    assert output_size(224, 7, 2, 3) == 112           # ResNet stem
    assert output_size(112, 3, 2, 1) == 56            # ResNet stem pool
    assert output_size(227, 11, 4) == 55              # AlexNet conv1
    assert conv_output_shape((28, 30), (5, 3), (1, 2), (0, 1)) == (24, 15)


def test_module_matches_nn_conv2d_and_shares_state_dict():
    torch.manual_seed(0)
    reference = nn.Conv2d(3, 5, (3, 2), stride=(2, 1), padding=1)
    layer = SimpleConv2d(3, 5, (3, 2), stride=(2, 1), padding=1)
    assert layer.weight.shape == reference.weight.shape and layer.bias.shape == reference.bias.shape
    layer.load_state_dict(reference.state_dict())
    x = torch.randn(2, 3, 7, 6)
    _close(layer(x), reference(x))
    no_bias = SimpleConv2d(3, 5, 3, bias=False)
    assert no_bias.bias is None and sum(p.numel() for p in no_bias.parameters()) == 5 * 3 * 9
    assert "kernel_size=(3, 3)" in repr(no_bias)


def test_gradients_flow_through_the_loops():
    torch.manual_seed(1)
    layer = SimpleConv2d(2, 3, 3, padding=1)
    reference = nn.Conv2d(2, 3, 3, padding=1)
    reference.load_state_dict(layer.state_dict())
    x = torch.randn(1, 2, 5, 5, requires_grad=True)
    layer(x).square().sum().backward()
    grad_x, grad_w = x.grad.clone(), layer.weight.grad.clone()
    x.grad = None
    reference(x).square().sum().backward()
    _close(grad_x, x.grad)
    _close(grad_w, reference.weight.grad)


def test_exported_from_package():
    assert dldna.SimpleConv2d is SimpleConv2d and dldna.SimpleMaxPool2d is SimpleMaxPool2d
    assert {"SimpleConv2d", "SimpleMaxPool2d"} <= set(dldna.__all__)


@pytest.mark.parametrize("fn", [conv2d_loops, conv2d_im2col])
def test_clear_errors(fn):
    x, w = torch.zeros(1, 3, 8, 8), torch.zeros(4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"x must be 4-D .* shape \(3, 8, 8\)"):
        fn(x[0], w)
    with pytest.raises(ValueError, match=r"weight must be 4-D"):
        fn(x, w[0])
    with pytest.raises(ValueError, match=r"channel mismatch: x has C_in=3 .* weight expects 2"):
        fn(x, torch.zeros(4, 2, 3, 3))
    with pytest.raises(ValueError, match=r"kernel height 9 is larger than the padded input "
                                         r"height 8 \+ 2·0 = 8"):
        fn(x, torch.zeros(4, 3, 9, 3))
    with pytest.raises(ValueError, match=r"kernel width 11 .* 8 \+ 2·1 = 10"):
        fn(x, torch.zeros(4, 3, 3, 11), padding=1)
    with pytest.raises(ValueError, match=r"stride must be ≥ 1, got 0"):
        fn(x, w, stride=0)
    with pytest.raises(ValueError, match=r"stride must be ≥ 1, got \(1, -2\)"):
        fn(x, w, stride=(1, -2))
    with pytest.raises(ValueError, match=r"padding must be ≥ 0"):
        fn(x, w, padding=-1)
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        fn(x, w, torch.zeros(3))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        fn(x.numpy(), w)


def test_clear_errors_for_modules_and_pooling():
    with pytest.raises(ValueError, match="in_channels must be a positive int"):
        SimpleConv2d(0, 2, 3)
    with pytest.raises(ValueError, match="stride must be ≥ 1"):
        SimpleConv2d(1, 2, 3, stride=0)
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        SimpleConv2d(1, 2, "3")
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, C, H, W\), got 2-D"):
        SimpleMaxPool2d(2)(torch.zeros(4, 4))
    with pytest.raises(ValueError, match="kernel height 5 is larger than the padded input height 4"):
        max_pool2d_loops(torch.zeros(1, 1, 4, 8), 5, padding=0)
    with pytest.raises(ValueError, match="padding .* at most half the kernel"):
        max_pool2d_loops(torch.zeros(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(ValueError, match=r"stride s must be ≥ 1, got 0"):
        output_size(10, 3, 0)


def test_benchmark_numbers_are_short_and_plain():
    from dldna.bench.conv import format_ratio

    assert [format_ratio(v) for v in (0.01234, 0.347, 4.0, 48.26, 111.2, 4863.0)] == [
        "0.012", "0.35", "4.00", "48.3", "111", "4,863"]
