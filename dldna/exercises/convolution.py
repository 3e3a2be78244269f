"""Checkers for chapter 2 (Convolution from scratch)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from . import Feedback, as_number, as_tensor, call_safely, checker

# (name, x shape, weight shape, bias?, stride, padding) – from easy to everything at once
_CASES = (
    ("one channel, one filter", (1, 1, 5, 5), (1, 1, 3, 3), False, 1, 0),
    ("with a bias", (1, 1, 5, 5), (2, 1, 3, 3), True, 1, 0),
    ("several input channels", (2, 3, 6, 5), (4, 3, 3, 2), True, 1, 0),
    ("stride 2", (1, 2, 7, 7), (3, 2, 3, 3), True, 2, 0),
    ("padding 1", (1, 2, 5, 6), (3, 2, 3, 3), True, 1, 1),
    ("stride 2 and padding 2", (2, 3, 8, 7), (2, 3, 4, 3), True, 2, 2),
)


def _case(shape_x, shape_w, bias, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape_x, generator=g)
    w = torch.randn(shape_w, generator=g)
    b = torch.randn(shape_w[0], generator=g) if bias else None
    return x, w, b


def _diagnose(fb: Feedback, name: str, result, x, w, b, stride, padding) -> bool:
    """Compare one result with F.conv2d; on a mismatch add the most likely cause."""
    expected = F.conv2d(x, w, b, stride=stride, padding=padding)
    if result is None:
        if fb.passed:
            fb.problems.append(f"[{name}] your function returned None; return the output tensor")
        return False
    result = as_tensor(fb, result, f"[{name}] your function")
    if result is None:
        return False
    if tuple(result.shape) != tuple(expected.shape):
        n, _, h, wd = x.shape
        fb.problems.append(
            f"[{name}] output shape is {tuple(result.shape)}, expected {tuple(expected.shape)}: "
            f"N × C_out × ⌊(H + 2p − kH)/s⌋ + 1 × ⌊(W + 2p − kW)/s⌋ + 1 with H={h}, W={wd}, "
            f"kernel {tuple(w.shape[2:])}, s={stride}, p={padding}")
        return False
    result = result.detach().float()
    if torch.allclose(result, expected, atol=1e-4, rtol=1e-4):
        return True
    flipped = F.conv2d(x, w.flip(2, 3), b, stride=stride, padding=padding)
    if torch.allclose(result, flipped, atol=1e-4, rtol=1e-4):
        fb.problems.append(f"[{name}] you flipped the kernel (true convolution); CNN layers "
                           "compute cross-correlation: out[i, j] = Σ x[i+u, j+v]·w[u, v]")
    elif b is not None and torch.allclose(result, F.conv2d(x, w, None, stride=stride,
                                                          padding=padding), atol=1e-4):
        fb.problems.append(f"[{name}] the bias is missing: add bias[c] to every value of "
                           "output channel c")
    elif b is not None and torch.allclose(result, expected + b.view(1, -1, 1, 1), atol=1e-4):
        fb.problems.append(f"[{name}] the bias is added more than once: add it once per output "
                           "value, after the sum over the window")
    else:
        error = (result - expected).abs().max().item()
        fb.problems.append(f"[{name}] values differ from F.conv2d by up to {error:.3g}; check "
                           "which window you take for output (i, j): rows i·s … i·s + kH − 1 of "
                           "the padded input, all input channels")
    return False


def _check_conv_function(fb: Feedback, fn) -> Feedback:
    for index, (name, sx, sw, bias, stride, padding) in enumerate(_CASES):
        x, w, b = _case(sx, sw, bias, seed=index)
        result = call_safely(fb, fn, x.clone(), w.clone(), b, stride, padding)
        if not fb.passed and result is None:
            return fb
        if _diagnose(fb, name, result, x, w, b, stride, padding):
            fb.passed_checks.append(f"{name}: equals F.conv2d")
        else:
            return fb  # the first failing case is the one to fix
    return fb


@checker("the N×C_out×H_out×W_out output as a float32 tensor")
def check_conv2d(fn) -> Feedback:
    """Exercise 2.1: ``fn(x, weight, bias, stride, padding)`` equals ``F.conv2d``.

    Args:
        fn: the reader's function, called as ``fn(x, weight, bias, stride, padding)``;
            ``bias`` may be ``None``.
    """
    return _check_conv_function(Feedback("Exercise 2.1 (2-D convolution with loops)"), fn)


@checker("the N×(C·k·k)×L tensor of windows")
def check_im2col(im2col_fn, conv_fn) -> Feedback:
    """Exercise 2.2: ``im2col_fn(x, k, stride, padding)`` equals ``F.unfold`` and
    ``conv_fn(x, weight, bias, stride, padding)`` (built on it) equals ``F.conv2d``.

    Args:
        im2col_fn: the reader's ``im2col``, called as ``im2col_fn(x, k, stride, padding)``.
        conv_fn: the reader's convolution built on it, called like ``F.conv2d``.
    """
    fb = Feedback("Exercise 2.2 (Convolution with im2col)")
    x = torch.randn(2, 3, 6, 5, generator=torch.Generator().manual_seed(7))
    for k, stride, padding in ((3, 1, 0), (2, 2, 1)):
        expected = F.unfold(x, k, stride=stride, padding=padding)
        cols = call_safely(fb, im2col_fn, x.clone(), k, stride, padding)
        if cols is None:
            if fb.passed:
                fb.problems.append("my_im2col returned None; return the N × (C·k·k) × L tensor")
            return fb
        cols = as_tensor(fb, cols, "my_im2col")
        if cols is None:
            return fb
        label = f"im2col with k={k}, stride={stride}, padding={padding}"
        if tuple(cols.shape) != tuple(expected.shape):
            fb.problems.append(f"{label}: shape {tuple(cols.shape)}, expected "
                               f"{tuple(expected.shape)} = (N, C·k·k, number of windows)")
            return fb
        if torch.allclose(cols, expected):
            fb.passed_checks.append(f"{label}: equals F.unfold")
            continue
        rows_sorted = torch.sort(cols, dim=1).values
        if torch.allclose(rows_sorted, torch.sort(expected, dim=1).values):
            fb.problems.append(f"{label}: each column holds the right numbers in the wrong order; "
                               "order the rows channel first, then kernel row, then kernel column "
                               "(index c·k·k + u·k + v)")
        else:
            fb.problems.append(f"{label}: column j must be the flattened window of output "
                               "position j (positions in row-major order)")
        return fb
    return _check_conv_function(fb, conv_fn)


@checker("the output size as an int")
def check_output_size(fn) -> Feedback:
    """Exercise 2.3: ``fn(n, k, s, p)`` returns ⌊(n + 2p − k)/s⌋ + 1 as an int.

    Args:
        fn: the reader's function, called as ``fn(n, k, s, p)`` (input size, kernel,
            stride, padding).
    """
    fb = Feedback("Exercise 2.3 (Output-size formula)")
    cases = [(28, 5, 1, 0), (32, 3, 1, 1), (32, 3, 2, 1), (7, 3, 2, 0), (8, 3, 2, 0),
             (224, 7, 2, 3), (227, 11, 4, 0), (5, 5, 1, 0)]
    for n, k, s, p in cases:
        expected = (n + 2 * p - k) // s + 1
        got = call_safely(fb, fn, n, k, s, p)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the size as an int")
            return fb
        got = as_number(fb, got)
        if got is None:
            return fb
        label = f"n={n}, k={k}, s={s}, p={p}"
        if got == expected and isinstance(got, int):
            continue
        if got == expected:
            fb.problems.append(f"{label}: right value but a {type(got).__name__}; return an int "
                               "(use // for the floor division)")
        elif got == (n + 2 * p - k) / s + 1:
            fb.problems.append(f"{label}: {got} is not a whole number; round down with //")
        elif p > 0 and got == (n + p - k) // s + 1:
            fb.problems.append(f"{label}: got {got}, expected {expected}; padding adds p pixels "
                               "on *both* sides (2p)")
        elif got == expected - 1:
            fb.problems.append(f"{label}: got {got}, expected {expected}; did you forget the +1 "
                               "(the first window)?")
        else:
            fb.problems.append(f"{label}: got {got}, expected {expected} = ⌊(n + 2p − k)/s⌋ + 1")
        return fb
    fb.passed_checks.append(f"all {len(cases)} layer shapes give the right size")
    return fb
