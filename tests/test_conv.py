"""dldna.conv, dldna.conv_pool, dldna.conv_options: drop-ins for nn.Conv2d / nn.MaxPool2d.

Every option PyTorch accepts gives PyTorch's result (float64, random cases drawn by
Hypothesis); every call PyTorch refuses is refused with a ValueError or TypeError.
"""
from __future__ import annotations

import inspect

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import dldna
from dldna.conv import (SimpleConv2d, SimpleMaxPool2d, conv2d_im2col, conv2d_loops,
                        conv_output_shape, im2col, max_pool2d_loops, output_size)
from dldna.conv.pool import pool_output_size

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
CONV_FUNCTIONS = [conv2d_loops, conv2d_im2col]
OURS_REFUSE = (ValueError, TypeError)
TORCH_REFUSES = (RuntimeError, ValueError, TypeError)


@st.composite
def conv_case(draw):
    """A random small convolution with every option of nn.Conv2d (it may be one torch refuses)."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 5), st.integers(1, 5))))
    padding = draw(st.one_of(st.sampled_from(["same", "valid"]), st.integers(0, 2),
                             st.tuples(st.integers(0, 2), st.integers(0, 2))))
    if padding == "same" and draw(st.booleans()):
        stride = 1                                    # mostly the stride 'same' allows
    dilation = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    batch = draw(st.sampled_from([None, 0, 1, 2]))    # None: unbatched (C, H, W)
    hw = draw(st.tuples(st.integers(1, 8), st.integers(1, 8)))
    shape = (c_in, *hw) if batch is None else (batch, c_in, *hw)
    return dict(shape=shape, c_out=c_out, kernel=kernel, stride=stride, padding=padding,
                dilation=dilation, groups=groups, bias=draw(st.booleans()), padding_mode=mode,
                seed=draw(st.integers(0, 2**16)))


def _torch_layer(case) -> nn.Conv2d:
    c_in = case["shape"][-3]
    return nn.Conv2d(c_in, case["c_out"], case["kernel"], case["stride"], case["padding"],
                     case["dilation"], case["groups"], case["bias"], case["padding_mode"],
                     dtype=torch.float64)


def _check_against_torch(case, ours):
    """``ours(x, layer)`` equals ``layer(x)`` to rounding, or both refuse."""
    torch.manual_seed(case["seed"])
    x = torch.randn(case["shape"], dtype=torch.float64)
    try:
        layer = _torch_layer(case)
        expected = layer(x)
    except TORCH_REFUSES:
        with pytest.raises(OURS_REFUSE):
            ours(x, layer if "layer" in locals() else None, case)
        return
    result = ours(x, layer, case)
    assert result.shape == expected.shape
    torch.testing.assert_close(result, expected, rtol=1e-10, atol=1e-10)


def _functional(fn):
    def call(x, layer, case):
        if layer is None:   # torch refused to build the layer: give ours the same options
            weight = torch.randn(case["c_out"], 1, *case["kernel"], dtype=torch.float64)
            return fn(x, weight.expand(-1, max(1, x.shape[-3] // case["groups"]), -1, -1),
                      None, case["stride"], case["padding"], case["dilation"], case["groups"],
                      case["padding_mode"])
        return fn(x, layer.weight, layer.bias, layer.stride, case["padding"], layer.dilation,
                  layer.groups, layer.padding_mode)
    return call


def _module(x, layer, case):
    mine = SimpleConv2d(case["shape"][-3], case["c_out"], case["kernel"], case["stride"],
                        case["padding"], case["dilation"], case["groups"], case["bias"],
                        case["padding_mode"], dtype=torch.float64)
    mine.load_state_dict(layer.state_dict(), strict=True)
    return mine(x)


@settings(max_examples=120, deadline=None)
@given(conv_case())
def test_conv2d_loops_equals_torch(case):
    _check_against_torch(case, _functional(conv2d_loops))


@settings(max_examples=120, deadline=None)
@given(conv_case())
def test_conv2d_im2col_equals_torch(case):
    _check_against_torch(case, _functional(conv2d_im2col))


@settings(max_examples=60, deadline=None)
@given(conv_case())
def test_simple_conv2d_module_equals_nn_conv2d(case):
    _check_against_torch(case, _module)


@st.composite
def pool_case(draw):
    """A random small max pooling with every option of nn.MaxPool2d (torch may refuse it)."""
    pair = lambda lo, hi: st.one_of(st.integers(lo, hi), st.tuples(st.integers(lo, hi),  # noqa
                                                                    st.integers(lo, hi)))
    batch = draw(st.sampled_from([None, 0, 1, 2]))
    hw = draw(st.tuples(st.integers(1, 8), st.integers(1, 8)))
    c = draw(st.integers(1, 3))
    kernel, padding = draw(pair(1, 4)), draw(pair(0, 2))
    if draw(st.sampled_from([True, True, True, False])):   # mostly padding torch allows
        pairs = [(v, v) if isinstance(v, int) else v for v in (kernel, padding)]
        padding = tuple(min(p, k // 2) for k, p in zip(*pairs))
    return dict(shape=(c, *hw) if batch is None else (batch, c, *hw),
                kernel_size=kernel, stride=draw(st.one_of(st.none(), pair(1, 5))),
                padding=padding, dilation=draw(pair(1, 3)),
                ceil_mode=draw(st.booleans()), return_indices=draw(st.booleans()),
                ties=draw(st.booleans()), seed=draw(st.integers(0, 2**16)))


@settings(max_examples=200, deadline=None)
@given(pool_case())
def test_max_pool_equals_torch(case):
    """Values and indices bit for bit; ``ties`` rounds the input so that windows hold equal
    maxima (the first one in reading order must win, as in PyTorch)."""
    x = torch.randn(case["shape"], dtype=torch.float64,
                    generator=torch.Generator().manual_seed(case["seed"]))
    x = x.round() if case["ties"] else x
    options = {k: case[k] for k in ("kernel_size", "stride", "padding", "dilation")}
    flags = {k: case[k] for k in ("ceil_mode", "return_indices")}
    try:
        expected = F.max_pool2d(x, **options, **flags)
    except TORCH_REFUSES:
        with pytest.raises(OURS_REFUSE):
            max_pool2d_loops(x, **options, **flags)
        return
    expected = expected if case["return_indices"] else (expected,)
    for result in (max_pool2d_loops(x, **options, **flags), SimpleMaxPool2d(**options, **flags)(x)):
        result = result if case["return_indices"] else (result,)
        for ours, theirs in zip(result, expected):
            assert ours.dtype == theirs.dtype and torch.equal(ours, theirs)


def test_max_pool_window_entirely_in_the_padding_points_where_torch_points():
    x = torch.randn(1, 1, 3, 3)            # dilation 4: both taps of the window are padding
    expected = F.max_pool2d(x, 2, padding=1, dilation=4, return_indices=True)
    result = max_pool2d_loops(x, 2, padding=1, dilation=4, return_indices=True)
    assert all(torch.equal(a, b) for a, b in zip(result, expected))
    assert expected[0].item() == -torch.inf


EDGE_CASES = {   # (x shape, weight shape, options): the corners named in issue 9
    "kernel equals the input": ((2, 3, 5, 4), (4, 3, 5, 4), {}),
    "stride larger than the kernel": ((2, 2, 9, 9), (3, 2, 2, 2), {"stride": 4}),
    "empty batch": ((0, 2, 6, 6), (4, 2, 3, 3), {"padding": 1}),
    "empty batch, reflect": ((0, 2, 6, 6), (4, 2, 3, 3), {"padding": 2,
                                                           "padding_mode": "reflect"}),
    "one channel per group (depthwise)": ((2, 4, 6, 6), (4, 1, 3, 3), {"groups": 4}),
    "grouped, two per group": ((2, 4, 6, 6), (6, 2, 3, 3), {"groups": 2}),
    "'same', even kernel": ((1, 2, 6, 7), (3, 2, 4, 2), {"padding": "same"}),
    "'same', dilated": ((1, 2, 6, 7), (3, 2, 2, 3), {"padding": "same", "dilation": (3, 2)}),
    "unbatched, circular": ((2, 5, 5), (3, 2, 3, 3), {"padding": (2, 1),
                                                       "padding_mode": "circular"}),
}


@pytest.mark.parametrize("fn", CONV_FUNCTIONS)
@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases_equal_nn_conv2d(fn, name):
    x_shape, w_shape, options = EDGE_CASES[name]
    x = torch.randn(x_shape, dtype=torch.float64)
    c_out, c_group, kh, kw = w_shape
    layer = nn.Conv2d(c_group * options.get("groups", 1), c_out, (kh, kw), **options,
                      dtype=torch.float64)
    expected = layer(x)
    padding = options.get("padding", 0)
    rest = {k: v for k, v in options.items() if k != "padding"}
    result = fn(x, layer.weight, layer.bias, padding=padding, **rest)
    assert result.shape == expected.shape
    torch.testing.assert_close(result, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("ours, theirs", [(SimpleConv2d, nn.Conv2d),
                                          (SimpleMaxPool2d, nn.MaxPool2d)])
def test_constructor_signature_is_torchs(ours, theirs):
    """Same parameter names, order and defaults: positional calls mean the same thing."""
    def params(cls):
        return [(p.name, p.default) for p in inspect.signature(cls.__init__).parameters.values()]
    assert params(ours) == params(theirs)


def test_positional_arguments_mean_what_they_mean_in_torch():
    """Issue 9: the sixth positional argument is the dilation, not the bias."""
    reference = nn.Conv2d(3, 2, 3, 2, 1, 2)
    layer = SimpleConv2d(3, 2, 3, 2, 1, 2)
    assert layer.dilation == (2, 2) and layer.bias is not None
    layer.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(2, 3, 9, 9)
    torch.testing.assert_close(layer(x), reference(x))
    assert repr(layer).replace("SimpleConv2d", "Conv2d") == repr(reference)
    pool = SimpleMaxPool2d((2, 3), 1, 1, 2, True, True)
    assert repr(pool).replace("SimpleMaxPool2d", "MaxPool2d") == repr(
        nn.MaxPool2d((2, 3), 1, 1, 2, True, True))


@pytest.mark.parametrize("options", [{}, {"groups": 3, "bias": False},
                                     {"padding": "same", "dilation": 2,
                                      "padding_mode": "reflect"}])
def test_same_initialisation_and_state_dict_as_nn_conv2d(options):
    torch.manual_seed(0)
    reference = nn.Conv2d(6, 9, (3, 2), **options)
    torch.manual_seed(0)
    layer = SimpleConv2d(6, 9, (3, 2), **options)
    assert layer.state_dict().keys() == reference.state_dict().keys()
    for key, value in reference.state_dict().items():
        assert torch.equal(layer.state_dict()[key], value), key   # same seed, same numbers
    torch.manual_seed(1)
    fresh = nn.Conv2d(6, 9, (3, 2), **options)
    fresh.load_state_dict(layer.state_dict(), strict=True)         # and back
    x = torch.randn(2, 6, 7, 8)
    torch.testing.assert_close(layer(x), fresh(x))
    assert repr(layer).replace("SimpleConv2d", "Conv2d") == repr(fresh)


def test_device_and_dtype_and_unbatched_input():
    layer = SimpleConv2d(2, 3, 3, padding=1, dtype=torch.float64, device="cpu")
    assert layer.weight.dtype == torch.float64 and layer.bias.device.type == "cpu"
    x = torch.randn(2, 5, 5, dtype=torch.float64)
    torch.testing.assert_close(layer(x), layer(x[None])[0])
    assert SimpleMaxPool2d(2)(x).shape == (2, 2, 2)


@pytest.mark.parametrize("make, message", [
    (lambda: SimpleConv2d(4, 6, 3, stride=2, padding="same"), "padding='same' is not supported"),
    (lambda: SimpleConv2d(4, 6, 3, padding="full"), "padding must be an int, a pair, 'same'"),
    (lambda: SimpleConv2d(4, 6, 3, padding_mode="mirror"), "padding_mode must be one of"),
    (lambda: SimpleConv2d(4, 6, 3, groups=3), r"in_channels=4 must be divisible by groups=3"),
    (lambda: SimpleConv2d(4, 6, 3, groups=4), r"out_channels=6 must be divisible by groups=4"),
    (lambda: SimpleConv2d(4, 6, 3, groups=0), "groups must be a positive int"),
    (lambda: SimpleConv2d(4, 6, 3, dilation=0), r"dilation must be ≥ 1"),
    (lambda: SimpleConv2d(0, 2, 3), "in_channels must be a positive int"),
    (lambda: SimpleMaxPool2d(2, padding=2), r"padding \(2, 2\) must be at most half"),
    (lambda: SimpleMaxPool2d(2, dilation=0), r"dilation must be ≥ 1"),
])
def test_modules_refuse_what_torch_refuses(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_modules_refuse_wrong_types():
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        SimpleConv2d(1, 2, "3")
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        SimpleMaxPool2d(2.0)
    with pytest.raises(TypeError, match="ceil_mode must be True or False"):
        SimpleMaxPool2d(2, ceil_mode="yes")


@pytest.mark.parametrize("fn", CONV_FUNCTIONS)
def test_clear_errors(fn):
    x, w = torch.zeros(1, 3, 8, 8), torch.zeros(4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"x must be 3-D .* or 4-D .* got 2-D of shape \(8, 8\)"):
        fn(x[0, 0], w)
    with pytest.raises(ValueError, match=r"only the batch may be empty"):
        fn(torch.zeros(1, 3, 0, 8), w)
    with pytest.raises(ValueError, match=r"weight must be 4-D"):
        fn(x, w[0])
    with pytest.raises(TypeError, match=r"weight has dtype torch.float64 but x has torch.float32"):
        fn(x, w.double())
    with pytest.raises(ValueError, match=r"channel mismatch: x has C_in=3 .* weight expects 2"):
        fn(x, torch.zeros(4, 2, 3, 3))
    with pytest.raises(ValueError, match=r"channel mismatch: .* expects 4 = 2 per group × groups=2"):
        fn(x, torch.zeros(4, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"groups=3 must divide the 4 output channels"):
        fn(x, torch.zeros(4, 1, 3, 3), groups=3)
    with pytest.raises(ValueError, match=r"kernel height 9 is larger than the padded input "
                                         r"height 8 \+ 2·0 = 8"):
        fn(x, torch.zeros(4, 3, 9, 3))
    with pytest.raises(ValueError, match=r"kernel width 11 .* 8 \+ 2·1 = 10"):
        fn(x, torch.zeros(4, 3, 3, 11), padding=1)
    with pytest.raises(ValueError, match=r"dilated kernel height 9 is larger .* = 8"):
        fn(x, w, dilation=(4, 1))
    with pytest.raises(ValueError, match=r"stride must be ≥ 1, got \(1, -2\)"):
        fn(x, w, stride=(1, -2))
    with pytest.raises(ValueError, match=r"padding must be ≥ 0"):
        fn(x, w, padding=-1)
    with pytest.raises(ValueError, match=r"padding='same' is not supported for strided"):
        fn(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"too large for padding_mode='reflect' .* height 8: "
                                         r"at most 7"):
        fn(x, w, padding=(8, 1), padding_mode="reflect")
    with pytest.raises(ValueError, match=r"too large for padding_mode='circular'"):
        fn(x, w, padding=9, padding_mode="circular")
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        fn(x, w, torch.zeros(3))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        fn(x.numpy(), w)


def test_clear_errors_for_pooling():
    with pytest.raises(ValueError, match=r"x must be 3-D \(C, H, W\) or 4-D \(N, C, H, W\), "
                                         r"got 2-D"):
        SimpleMaxPool2d(2)(torch.zeros(4, 4))
    with pytest.raises(ValueError, match="kernel height 5 is larger than the padded input height 4"):
        max_pool2d_loops(torch.zeros(1, 1, 4, 8), 5)
    with pytest.raises(ValueError, match="padding .* at most half the kernel"):
        max_pool2d_loops(torch.zeros(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(ValueError, match=r"stride s must be ≥ 1, got 0"):
        output_size(10, 3, 0)


@pytest.mark.parametrize("n, k, s, p, d, ceil", [
    (3, 4, 2, 0, 1, True),     # ceil_mode: a window larger than the input still fits once
    (5, 2, 2, 0, 1, True),     # 5 → 3: the partial last window is kept
    (4, 2, 2, 1, 1, True),     # …but one starting in the right padding is not: 3, not 4
    (7, 3, 2, 1, 2, False),
])
def test_pool_output_size_is_torchs(n, k, s, p, d, ceil):
    expected = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, d, ceil_mode=ceil).shape[-1]
    assert pool_output_size(n, k, s, p, d, ceil) == expected


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 300), k=st.integers(1, 11), s=st.integers(1, 5), p=st.integers(0, 5),
       d=st.integers(1, 3))
def test_output_size_matches_a_count_of_window_positions(n, k, s, p, d):
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            output_size(n, k, s, p, d)
        return
    expected = len(range(0, n + 2 * p - span + 1, s))  # count the window positions one by one
    assert output_size(n, k, s, p, d) == expected


def test_output_size_worked_examples():
    assert output_size(28, 5) == 24                   # LeNet conv1
    assert output_size(32, 3, 1, 1) == 32             # 'same' 3×3
    assert output_size(32, 3, 2, 1) == 16             # stride 2 halves
    assert output_size(32, 2, 2) == 16                # 2×2 max pool
    assert output_size(224, 7, 2, 3) == 112           # ResNet stem
    assert output_size(112, 3, 2, 1) == 56            # ResNet stem pool
    assert output_size(227, 11, 4) == 55              # AlexNet conv1
    assert output_size(32, 3, 1, 2, d=2) == 32        # dilated 3×3 spans 5 pixels
    assert conv_output_shape((28, 30), (5, 3), (1, 2), (0, 1)) == (24, 15)
    assert conv_output_shape((28, 30), 3, 1, 0, (2, 3)) == (24, 24)


@settings(max_examples=100, deadline=None)
@given(shape=st.tuples(st.integers(0, 2), st.integers(1, 3), st.integers(3, 8),
                       st.integers(3, 8)),
       k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2))
def test_im2col_equals_unfold(shape, k, s, p, d):
    x = torch.randn(shape, dtype=torch.float64)
    if d * (k - 1) + 1 > min(shape[2:]) + 2 * p:
        return
    assert torch.equal(im2col(x, k, s, p, d), F.unfold(x, k, dilation=d, padding=p, stride=s))


@pytest.mark.parametrize("budget", [1, 3 * 4 * 9 * 25 * 4, 2**30])
@pytest.mark.parametrize("groups", [1, 2])
def test_im2col_in_chunks_of_images_equals_torch(monkeypatch, budget, groups):
    """The batch is split so that each chunk's columns fit the budget: one image per chunk,
    three per chunk (with a remainder of one), or the whole batch at once."""
    import dldna.conv

    monkeypatch.setattr(dldna.conv.scratch, "COLUMNS_BUDGET", budget)
    x, weight, bias = torch.randn(7, 4, 5, 5), torch.randn(2, 4 // groups, 3, 3), torch.randn(2)
    out = conv2d_im2col(x, weight, bias, 1, 1, groups=groups)
    torch.testing.assert_close(out, F.conv2d(x, weight, bias, padding=1, groups=groups))
    assert out.shape == (7, 2, 5, 5) and out.is_contiguous()


@pytest.mark.parametrize("options", [{"padding": 1}, {"groups": 2, "dilation": 2,
                                                      "padding": "same"}])
def test_gradients_flow_through_the_loops(options):
    torch.manual_seed(1)
    layer = SimpleConv2d(2, 4, 3, **options)
    reference = nn.Conv2d(2, 4, 3, **options)
    reference.load_state_dict(layer.state_dict())
    x = torch.randn(1, 2, 5, 5, requires_grad=True)
    layer(x).square().sum().backward()
    grad_x, grad_w = x.grad.clone(), layer.weight.grad.clone()
    x.grad = None
    reference(x).square().sum().backward()
    torch.testing.assert_close(grad_x, x.grad)
    torch.testing.assert_close(grad_w, reference.weight.grad)


def test_exported_from_package():
    assert dldna.SimpleConv2d is SimpleConv2d and dldna.SimpleMaxPool2d is SimpleMaxPool2d
    assert {"SimpleConv2d", "SimpleMaxPool2d"} <= set(dldna.__all__)


def test_benchmark_numbers_are_short_and_plain():
    from dldna.bench.conv import format_ratio

    assert [format_ratio(v) for v in (0.01234, 0.347, 4.0, 48.26, 111.2, 4863.0)] == [
        "0.012", "0.35", "4.00", "48.3", "111", "4,863"]


def test_benchmark_tables_use_one_precision_per_column():
    from dldna.bench.conv import format_ms, format_table, format_times, page_table

    assert [format_ms(v) for v in (0.384, 25.3, 19788.2)] == ["0.38", "25.30", "19,788.20"]
    assert [format_times(v) for v in (0.312, 2.28, 2067.4)] == ["0.31×", "2.28×", "2,067.40×"]
    rows = [{"layer": name, "input": "1×1×8×8", "weight": "1×1×3×3", "loops_ms": loops,
             "im2col_ms": 0.5, "conv2d_ms": 0.25, "loops_ratio": loops / 0.25,
             "im2col_ratio": 2.0, "max_abs_diff": 1e-6}
            for name, loops in (("small", 3.0), ("big", 12345.0))]
    page = page_table(rows)
    assert list(page.columns) == ["small", "big"]
    assert list(page.loc["loops (ms)"]) == ["3.00", "12,345.00"]
    assert list(page.loc["loops ÷ F.conv2d"]) == ["12.00×", "49,380.00×"]
    text = format_table(rows)
    assert "12,345.00" in text and "49,380.00×" in text and "2.00×" in text
