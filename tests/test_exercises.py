"""dldna.exercises: every checker of every chapter returns "not yet" feedback for typical wrong
answers (the wrong type, None inside a tuple, float64 instead of float32, tensors where shapes were
asked for, a module of the wrong shape, a function that raises) and never raises itself."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dldna.exercises import Feedback, as_number, as_tensor, call_safely, checker
from dldna.exercises import (augmentation, classic, convolution, counting, evaluation, filters,
                             frequency, inception, mobile, recipes, resnet, solar, transfer,
                             transformers)
from dldna.models.resnet import CifarBlock


def raises(*args):
    raise RuntimeError("my bug")


def returns(value):
    return lambda *args: value


def f64(fn):
    """The right answer, in float64."""
    return lambda *args: fn(*args).double()


def _smooth(labels, k, eps):
    return (1 - eps) * F.one_hot(labels, k).float() + eps / k


def _patchify(images, p):
    b, c, h, w = images.shape
    if h % p or w % p:
        raise ValueError("not divisible")
    tiles = images.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
    return tiles.reshape(b, (h // p) * (w // p), c * p * p)


def _attention(q, k, v):
    return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v


def _se(x, w1, b1, w2, b2):
    gate = torch.sigmoid(torch.relu(x.mean((2, 3)) @ w1.T + b1) @ w2.T + b2)
    return x * gate[:, :, None, None]


def _mixup(x1, y1, x2, y2, lam, k):
    label = lam * F.one_hot(torch.tensor(y1), k).float() + (1 - lam) * F.one_hot(
        torch.tensor(y2), k).float()
    return (lam * x1 + (1 - lam) * x2).double(), label


class WrongChannels(CifarBlock):
    """A plain block whose second convolution has the wrong input channels."""

    def __init__(self, in_planes, planes, stride):
        super().__init__(in_planes, planes, stride, residual=False)
        self.conv2 = nn.Conv2d(planes + 1, planes, 3, padding=1, bias=False)


NUMBER = "return a single number"
TENSOR = "return a torch tensor"
FLOAT64 = "returned torch.float64 numbers but the inputs are torch.float32"
RAISED = "your function raised RuntimeError: my bug"
PAIR = "return a tuple of"
UNCHECKED = "your answer could not be checked"

# checker, wrong answer (the arguments the reader passes), a phrase the feedback must contain
CASES = [
    (counting.check_conv_params, [returns([1, 2])], NUMBER),
    (counting.check_conv_params, [returns(torch.zeros(3))], NUMBER),
    (counting.check_conv_params, [raises], RAISED),
    (counting.check_receptive_field, [returns("7")], NUMBER),
    (counting.check_receptive_field, [returns(np.zeros((2, 2)))], NUMBER),
    (counting.check_receptive_field, [raises], RAISED),
    (convolution.check_output_size, [returns(None)], "returned None"),
    (convolution.check_output_size, [returns(torch.zeros(2))], NUMBER),
    (convolution.check_output_size, [returns({"n": 1})], NUMBER),
    (convolution.check_output_size, [raises], RAISED),
    (convolution.check_conv2d, [returns((None, None))], TENSOR),
    (convolution.check_conv2d, [returns("abc")], TENSOR),
    (convolution.check_conv2d, [f64(lambda x, w, b, s, p: F.conv2d(x, w, b, s, p))], FLOAT64),
    (convolution.check_conv2d, [raises], RAISED),
    (convolution.check_im2col, [returns([None]), raises], TENSOR),
    (convolution.check_im2col, [f64(lambda x, k, s, p: F.unfold(x, k, stride=s, padding=p)),
                                raises], FLOAT64),
    (convolution.check_im2col, [raises, raises], RAISED),
    (frequency.check_fft_convolution, [returns([[None]])], "output shape (1, 1)"),
    (frequency.check_fft_convolution, [returns(np.zeros((2, 2)))], "output shape"),
    (frequency.check_fft_convolution, [raises], RAISED),
    (frequency.check_conv1x1, [returns((None,))], TENSOR),
    (frequency.check_conv1x1, [f64(lambda x, w: F.conv2d(x, w[:, :, None, None]))], FLOAT64),
    (frequency.check_conv1x1, [raises], RAISED),
    (filters.check_horizontal_edge_kernel, [None], "shape (3, 3)"),
    (filters.check_horizontal_edge_kernel, ["sobel"], "numbers in a 3×3 array, got str"),
    (filters.check_horizontal_edge_kernel, [[[1, 2], [3, 4]]], "yours has shape (2, 2)"),
    (filters.check_box_blur, [returns("blurred")], UNCHECKED),
    (filters.check_box_blur, [returns({"a": 1})], UNCHECKED),
    (filters.check_box_blur, [raises], RAISED),
    (classic.check_vgg_conv_params, [returns([1, 2])], NUMBER),
    (classic.check_vgg_conv_params, [returns("1,000")], NUMBER),
    (classic.check_vgg_conv_params, [raises], RAISED),
    (classic.check_stack_cost, [returns((None, None, None))], NUMBER),
    (classic.check_stack_cost, [returns([2, 3, 4])], "return a tuple (layers"),
    (classic.check_stack_cost, [raises], RAISED),
    (inception.check_inception_macs, [returns(None)], "returned None"),
    (inception.check_inception_macs, [returns(np.array([1.0, 2.0]))], NUMBER),
    (inception.check_inception_macs, [raises], RAISED),
    (inception.check_separable_macs, [returns((None, 1))], NUMBER),
    (inception.check_separable_macs, [returns(3)], "return a tuple (standard, separable)"),
    (inception.check_separable_macs, [raises], RAISED),
    (mobile.check_separable_macs, [returns((None, None))], NUMBER),
    (mobile.check_separable_macs, [returns(("a", "b"))], NUMBER),
    (mobile.check_separable_macs, [raises], RAISED),
    (mobile.check_squeeze_excite, [returns([None])], TENSOR),
    (mobile.check_squeeze_excite, [f64(_se)], FLOAT64),
    (mobile.check_squeeze_excite, [raises], RAISED),
    (resnet.check_plain_block, [returns("block")], UNCHECKED),
    (resnet.check_plain_block, [WrongChannels],
     "conv2.weight has shape (4, 5, 3, 3), expected (4, 4, 3, 3)"),
    (resnet.check_plain_block, [raises], RAISED),
    (resnet.check_equal_budget, [returns(torch.zeros(3))], NUMBER),
    (resnet.check_equal_budget, [returns(float("nan"))], "finite number"),
    (resnet.check_equal_budget, [raises], RAISED),
    (resnet.check_shape_recorder, [lambda model, x: {"fc": torch.zeros(2, 3)}],
     "record the output's shape, tuple(output.shape), not the tensor"),
    (resnet.check_shape_recorder, [returns([1, 2])], UNCHECKED),
    (resnet.check_shape_recorder, [raises], RAISED),
    (transformers.check_patchify, [returns((None, None))], TENSOR),
    (transformers.check_patchify, [f64(_patchify)], FLOAT64),
    (transformers.check_patchify, [raises], RAISED),
    (transformers.check_attention, [returns({"out": 1})], TENSOR),
    (transformers.check_attention, [f64(_attention)], FLOAT64),
    (transformers.check_attention, [raises], RAISED),
    (augmentation.check_random_crop, [returns([1, 2])], "output must have the input's shape"),
    (augmentation.check_random_crop, [returns(None)], "returned None"),
    (augmentation.check_random_crop, [raises], RAISED),
    (augmentation.check_mixup, [returns((None, None))], TENSOR),
    (augmentation.check_mixup, [_mixup], FLOAT64),
    (augmentation.check_mixup, [raises], RAISED),
    (recipes.check_warmup_cosine, [returns(float("nan"))], "finite number"),
    (recipes.check_warmup_cosine, [returns([0.1])], NUMBER),
    (recipes.check_warmup_cosine, [returns(torch.zeros(3, dtype=torch.float64))], NUMBER),
    (recipes.check_warmup_cosine, [raises], RAISED),
    (recipes.check_smooth_labels, [returns((None,))], TENSOR),
    (recipes.check_smooth_labels, [f64(_smooth)], FLOAT64),
    (recipes.check_smooth_labels, [raises], RAISED),
    (evaluation.check_ece, [returns([0.1, 0.2])], "return one number, got list"),
    (evaluation.check_ece, [returns(None)], "returned None"),
    (evaluation.check_ece, [raises], RAISED),
    (evaluation.check_bootstrap_interval, [returns((None, None))], "two numbers (low, high)"),
    (evaluation.check_bootstrap_interval, [returns(0.5)], "got 0.5"),
    (evaluation.check_bootstrap_interval, [raises], RAISED),
    (transfer.check_freeze, [returns("model")], "return the model"),
    (transfer.check_freeze, [returns(None)], "has 1000 outputs"),
    (transfer.check_freeze, [raises], RAISED),
    (transfer.check_strategy_choice, [None], "got NoneType"),
    (transfer.check_strategy_choice, [["full", "top"]], "got list"),
    (transfer.check_strategy_choice, [{"a": None, "b": 3}], "answer one of"),
    (solar.check_class_mapping, [returns([1])], "gave [1]"),
    (solar.check_class_mapping, [returns(None)], "gave None"),
    (solar.check_class_mapping, [raises], RAISED),
    (solar.check_stratified_split, [returns((None, None))], "two sequences of positions"),
    (solar.check_stratified_split, [returns(torch.zeros(3))], "two sequences of positions"),
    (solar.check_stratified_split, [raises], RAISED),
    (solar.check_threshold, [returns("0.5")], "your threshold 0.500"),
    (solar.check_threshold, [returns((None,))], "return one number, got tuple"),
    (solar.check_threshold, [raises], RAISED),
]


@pytest.mark.parametrize("check, answer, phrase", CASES,
                         ids=[f"{c[0].__module__.rsplit('.', 1)[-1]}.{c[0].__name__}-{i}"
                              for i, c in enumerate(CASES)])
def test_a_wrong_answer_gets_not_yet_feedback_never_an_exception(check, answer, phrase):
    fb = check(*answer)
    assert isinstance(fb, Feedback) and not fb and fb.problems
    assert phrase in " ".join(fb.problems)
    assert str(fb).startswith("✘ Exercise") and "<li>" in fb._repr_html_()


def test_every_checker_of_every_chapter_has_three_wrong_answers():
    import inspect

    import dldna.exercises as package
    modules = [augmentation, classic, convolution, counting, evaluation, filters, frequency,
               inception, mobile, recipes, resnet, solar, transfer, transformers]
    checkers = {fn for m in modules for name, fn in vars(m).items()
                if name.startswith("check_") and inspect.getmodule(fn) is m}
    tested = [case[0] for case in CASES]
    assert len(checkers) == 31 and all(tested.count(fn) >= 3 for fn in checkers)
    assert all(getattr(fn, "returns", None) for fn in checkers), "decorate with @checker"
    assert {p.stem for p in __import__("pathlib").Path(package.__file__).parent.glob("*.py")} \
        - {"__init__"} == {m.__name__.rsplit(".", 1)[-1] for m in modules}


def test_checker_reports_a_crash_of_its_own_code_in_the_exercise_feedback():
    @checker("a number")
    def check_demo(fn):
        fb = Feedback("Exercise 0.1 (demo)")
        fb.expect(call_safely(fb, fn) > 1, "big", "small")  # a list > 1 raises TypeError
        return fb

    fb = check_demo(lambda: [1])
    assert not fb and fb.exercise == "Exercise 0.1 (demo)"
    assert "it is a list ([1]), expected a number (TypeError" in fb.problems[0]


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.none(), st.text(max_size=3), st.lists(st.integers(), max_size=3),
                       st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(-10**6, 10**6)))
def test_as_number_accepts_exactly_the_finite_numbers(value):
    fb = Feedback("demo")
    got = as_number(fb, value)
    is_number = (isinstance(value, (int, float)) and not isinstance(value, bool)
                 and math.isfinite(value))
    assert (got == value and fb.passed) if is_number else (got is None and not fb.passed)


def test_as_tensor_names_the_dtype_and_keeps_integer_results():
    fb = Feedback("demo")
    assert as_tensor(fb, np.zeros(3)) is None and "torch.float64" in fb.problems[0]
    fb = Feedback("demo")
    assert as_tensor(fb, [1, 2]).dtype == torch.int64 and fb.passed
    assert as_tensor(fb, torch.ones(2, requires_grad=True)).requires_grad is False
