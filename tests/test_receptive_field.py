"""dldna.receptive_field: the recursion, regions, parsing; and the conv benchmark's table."""
from __future__ import annotations

import pytest
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

from dldna.bench import conv as bench_conv
from dldna.bench.__main__ import main as bench_main
from dldna.measure.receptive_field import (Layer, layers_from_model, parse_layers, receptive_field,
                                   receptive_field_region, receptive_field_table,
                                   stack_output_size)


def test_worked_examples():
    assert receptive_field([(3, 1)] * 2) == 5           # two 3×3 = one 5×5 (VGG)
    assert receptive_field([(3, 1)] * 3) == 7
    assert receptive_field([(3, 1), (2, 2), (3, 1), (2, 2)]) == 10
    # LeNet-5: conv5, pool2, conv5, pool2
    assert receptive_field([(5, 1), (2, 2), (5, 1), (2, 2)]) == 16
    steps = receptive_field_table([Layer(7, 2, 3), Layer(3, 2, 1)])  # ResNet stem
    assert [(s.jump, s.size, s.start) for s in steps] == [(2, 7, -3), (4, 11, -5)]
    assert receptive_field([]) == 1


def test_regions_are_clipped_to_the_image():
    layers = [(3, 1, 1), (3, 1, 1)]
    assert receptive_field_region(layers, 0) == (-2, 2)
    assert receptive_field_region(layers, 0, input_size=8) == (0, 2)
    assert receptive_field_region(layers, 4, input_size=8) == (2, 6)
    with pytest.raises(ValueError, match="position 8 is outside the output of size 8"):
        receptive_field_region(layers, 8, input_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2)),
                min_size=1, max_size=5), st.integers(0, 20))
def test_region_matches_brute_force_dependency(layers, position):
    """Track which input pixels each output depends on, layer by layer, in 1-D."""
    layers = [(k, s, min(p, k - 1)) for k, s, p in layers]
    n = 40
    deps = [{i} for i in range(n)]
    for k, s, p in layers:
        padded = [set()] * p + deps + [set()] * p
        if k > len(padded):
            return
        deps = [set().union(*padded[i * s:i * s + k]) for i in range((len(padded) - k) // s + 1)]
    if position >= len(deps):
        return
    assert stack_output_size(layers, n) == len(deps)
    first, last = receptive_field_region(layers, position, input_size=n)
    if deps[position]:  # the span; a stride larger than its kernel leaves holes inside it
        assert (min(deps[position]), max(deps[position])) == (first, last)
    if all(k >= s for k, s, _ in layers):  # no holes: every pixel of the span counts
        assert deps[position] == set(range(first, last + 1))


def test_parse_layers_and_errors():
    assert parse_layers("3/1, 2/2 ,3/1p1") == [Layer(3, 1), Layer(2, 2), Layer(3, 1, 1)]
    assert parse_layers("5") == [Layer(5, 1)]
    with pytest.raises(ValueError, match="layer 2 'x/2' is not 'kernel/stride'"):
        parse_layers("3/1, x/2")
    with pytest.raises(ValueError, match="no layers found"):
        parse_layers(" , ")
    with pytest.raises(ValueError, match="layer stride must be ≥ 1, got 0"):
        Layer(3, 0)


def test_layers_from_model():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 4, 5, stride=2))
    assert [(l.kernel, l.stride, l.padding) for l in layers_from_model(model)] == [
        (3, 1, 1), (2, 2, 0), (5, 2, 0)]


def test_benchmark_table_as_data_and_command(capsys):
    rows = bench_conv.run_benchmark(small=True, repeats=1, naive_repeats=1)
    assert [r["layer"] for r in rows] == ["LeNet conv1", "LeNet conv2", "3×3 layer"]
    for r in rows:
        assert r["max_abs_diff"] < 1e-3
        # times are reported, not asserted in order: a loaded machine can reorder one repeat
        assert r["loops_ms"] > 0 and r["conv2d_ms"] > 0 and r["im2col_ms"] > 0
        assert r["im2col_ratio"] == pytest.approx(r["im2col_ms"] / r["conv2d_ms"])
    assert bench_conv.CASES[0].shapes() == ((64, 1, 28, 28), (6, 1, 5, 5))
    assert bench_conv.CASES[1].shapes() == ((64, 6, 14, 14), (16, 6, 5, 5))
    assert bench_conv.CASES[2].shapes() == ((32, 64, 32, 32), (64, 64, 3, 3))
    assert bench_main(["conv", "--small", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "im2col/conv2d" in out and "LeNet conv2" in out and "all three agree" in out
