"""Checkers of chapters 2–4: pass the library's solutions, give specific feedback otherwise,
never raise."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from dldna.conv import conv2d_im2col, conv2d_loops, im2col, output_size
from dldna.exercises.convolution import check_conv2d, check_im2col, check_output_size
from dldna.exercises.counting import check_conv_params, check_receptive_field
from dldna.exercises.frequency import check_conv1x1, check_fft_convolution
from dldna.filters.frequency import conv1x1_as_matmul, conv_via_fft
from dldna.measure.receptive_field import receptive_field


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def _problems(fb):
    return " ".join(fb.problems)


def test_untouched_stubs_and_crashes_give_feedback_not_errors():
    for checker in (check_conv2d, check_output_size, check_fft_convolution, check_conv1x1,
                    check_conv_params, check_receptive_field):
        for fn in (todo, crash, lambda *a: None):
            fb = checker(fn)
            assert not fb and fb.problems, checker.__name__
    assert "not attempted yet" in _problems(check_conv2d(todo))
    assert "ZeroDivisionError" in _problems(check_conv2d(crash))
    assert not check_im2col(todo, todo)


def test_library_solutions_pass():
    assert check_conv2d(conv2d_loops)
    assert check_conv2d(conv2d_im2col)
    assert check_im2col(im2col, conv2d_im2col)
    assert check_output_size(output_size)
    assert check_fft_convolution(conv_via_fft)
    assert check_conv1x1(conv1x1_as_matmul)
    assert check_conv_params(lambda c_in, c_out, k, bias: c_out * c_in * k * k + c_out * bias)
    assert check_receptive_field(receptive_field)


def test_specific_feedback():
    flipped = check_conv2d(lambda x, w, b, s, p: F.conv2d(x, w.flip(2, 3), b, stride=s, padding=p))
    assert "flipped the kernel" in _problems(flipped)
    no_bias = check_conv2d(lambda x, w, b, s, p: F.conv2d(x, w, None, stride=s, padding=p))
    assert "bias is missing" in _problems(no_bias)
    no_pad = check_conv2d(lambda x, w, b, s, p: F.conv2d(x, w, b, stride=s))
    assert "output shape" in _problems(no_pad) and "padding 1" in _problems(no_pad)
    wrong_order = check_im2col(lambda x, k, s, p: F.unfold(x, k, stride=s, padding=p).flip(1),
                               conv2d_im2col)
    assert "wrong order" in _problems(wrong_order)
    assert "forget the +1" in _problems(check_output_size(lambda n, k, s, p: (n + 2 * p - k) // s))
    assert "both" in _problems(check_output_size(lambda n, k, s, p: (n + p - k) // s + 1))
    assert "return an int" in _problems(check_output_size(
        lambda n, k, s, p: float((n + 2 * p - k) // s + 1)))
    circular = check_fft_convolution(
        lambda i, k: np.fft.ifft2(np.fft.fft2(i) * np.fft.fft2(k, i.shape)).real)
    assert "circular" in _problems(circular)
    assert "C_out" in _problems(check_conv1x1(lambda x, w: torch.einsum("oc,nchw->nhwo", w, x)))
    assert "biases" in _problems(check_conv_params(lambda c_in, c_out, k, bias: c_out * c_in * k * k))
    assert "k² = 9" in _problems(check_conv_params(lambda c_in, c_out, k, b: c_out * c_in * k + c_out))
    no_jump = check_receptive_field(lambda layers: 1 + sum(k - 1 for k, _ in layers))
    assert "product of the earlier strides" in _problems(no_jump)


# ------------------------------------------------------------------ chapter 1 (filters)

def test_horizontal_edge_feedback_names_row_and_column_sums():
    from dldna.exercises.filters import check_horizontal_edge_kernel
    from dldna.filters import get_kernel

    assert check_horizontal_edge_kernel(get_kernel("sobel_y")).exercise == \
        "Exercise 1.1 (horizontal-edge kernel)"
    # Rows that are not constant are fine: only the column sums must vanish.
    assert check_horizontal_edge_kernel([[-1, -3, 0], [0, 0, 0], [1, 3, 0]])
    vertical = _problems(check_horizontal_edge_kernel(get_kernel("sobel_x")))
    assert "column sums" in vertical and "-4, 0, 4" in vertical
    assert "row sums" in vertical and "0, 0, 0" in vertical


def test_box_blur_checker_title():
    from dldna.exercises.filters import check_box_blur

    assert check_box_blur(lambda img: None).exercise == "Exercise 1.2 (box blur by hand)"
