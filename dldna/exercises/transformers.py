"""Checkers for chapter 9 (ConvNeXt and Vision Transformers)."""
from __future__ import annotations

import math

import torch

from . import Feedback, as_tensor, call_safely, checker


def _reference_patches(images: torch.Tensor, p: int) -> torch.Tensor:
    b, c, h, w = images.shape
    tiles = images.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
    return tiles.reshape(b, (h // p) * (w // p), c * p * p)


@checker("a (B, patches, C·p·p) float32 tensor")
def check_patchify(fn) -> Feedback:
    """Exercise 9.1: ``fn(images, patch_size)`` → (B, number of patches, C·p·p) tokens.

    Args:
        fn: the reader's function, called as ``fn(images, patch_size)`` with a B×C×H×W batch.
    """
    fb = Feedback("Exercise 9.1 (patches to tokens)")
    images = torch.arange(2 * 3 * 8 * 12, dtype=torch.float32).reshape(2, 3, 8, 12)
    out = call_safely(fb, fn, images.clone(), 4)
    if out is None:
        if fb.passed:
            fb.problems.append("your function returned None; return the token tensor")
        return fb
    out = as_tensor(fb, out)
    if out is None:
        return fb
    if tuple(out.shape) != (2, 6, 48):
        fb.problems.append(f"8×12 images cut into 4×4 patches give 2·3 = 6 patches of "
                           f"3·4·4 = 48 numbers: expected shape (2, 6, 48), got "
                           f"{tuple(out.shape)}")
        return fb
    expected = _reference_patches(images, 4)
    if torch.equal(out.sort(-1).values, expected.sort(-1).values) and not torch.equal(out,
                                                                                     expected):
        fb.problems.append("each token holds the right numbers in a different order: flatten "
                           "every patch as (channel, row, column)")
    elif not torch.equal(out, expected):
        fb.problems.append("the tokens do not hold the patches in row-major order (left to "
                           "right, then top to bottom); token 1 must be the patch at rows 0–3, "
                           "columns 4–7")
    else:
        fb.expect(True, "tokens in row-major patch order, each flattened as (C, p, p)", "")
    if fb.passed:
        try:
            fn(torch.zeros(1, 3, 10, 8), 4)
            fb.problems.append("a 10×8 image cannot be cut into 4×4 patches: raise ValueError")
        except ValueError:
            fb.expect(True, "an image size not divisible by the patch size raises ValueError",
                      "")
        except Exception as err:
            fb.problems.append(f"for a 10×8 image raise ValueError, not {type(err).__name__}")
    return fb


@checker("a (B, T, D) float32 tensor")
def check_attention(fn) -> Feedback:
    """Exercise 9.2: ``fn(q, k, v)`` is scaled dot-product attention, one head.

    Args:
        fn: the reader's function, called as ``fn(q, k, v)`` with B×T×D tensors.
    """
    fb = Feedback("Exercise 9.2 (scaled dot-product attention)")
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 5, 8, generator=g) * 3 for _ in range(3))
    out = call_safely(fb, fn, q, k, v)
    if out is None:
        if fb.passed:
            fb.problems.append("your function returned None; return the attended values")
        return fb
    out = as_tensor(fb, out)
    if out is None:
        return fb
    if tuple(out.shape) != (2, 5, 8):
        fb.problems.append(f"the output has one row per query and the width of v: expected "
                           f"(2, 5, 8), got {tuple(out.shape)}")
        return fb
    scores = q @ k.transpose(-2, -1)
    expected = (scores / math.sqrt(8)).softmax(-1) @ v
    if torch.allclose(out, scores.softmax(-1) @ v, atol=1e-4):
        fb.problems.append("divide the scores q·kᵀ by √d (d = 8 here) before the softmax")
    elif torch.allclose(out, (scores / math.sqrt(8)).softmax(-2) @ v, atol=1e-4):
        fb.problems.append("take the softmax over the keys (the last dimension), so each "
                           "query's weights sum to 1")
    else:
        fb.expect(torch.allclose(out, expected, atol=1e-4), "softmax(q·kᵀ/√d)·v",
                  "the output differs from softmax(q·kᵀ/√d)·v")
    return fb
