"""Checkers for chapter 1 (Filters)."""
from __future__ import annotations

import numpy as np

from ..filters.core import correlate2d
from . import Feedback, call_safely, checker


def _step(horizontal: bool, size: int = 9) -> np.ndarray:
    """A dark/bright step: top/bottom halves (horizontal edge) or left/right (vertical edge)."""
    image = np.zeros((size, size))
    if horizontal:
        image[size // 2:, :] = 1.0
    else:
        image[:, size // 2:] = 1.0
    return image


@checker("a 3×3 kernel (nested lists or an array of numbers)")
def check_horizontal_edge_kernel(kernel) -> Feedback:
    """Exercise 1.1: a 3×3 kernel that fires on horizontal edges and ignores flat regions.

    A kernel meets a horizontal edge (an image that changes only from top to bottom) through its
    row sums and a vertical edge through its column sums: Sobel y, with row sums −4, 0, 4 and
    column sums 0, 0, 0, passes.

    Args:
        kernel: the reader's 3×3 kernel (nested lists or an array).
    """
    fb = Feedback("Exercise 1.1 (horizontal-edge kernel)")
    try:
        k = np.asarray(kernel, dtype=float)
    except (TypeError, ValueError):
        fb.problems.append(f"kernel must be numbers in a 3×3 array, got {type(kernel).__name__}")
        return fb
    if not fb.expect(k.shape == (3, 3), "kernel is 3×3",
                     f"kernel must have shape (3, 3), yours has shape {k.shape}"):
        return fb
    fb.expect(abs(k.sum()) < 1e-6, "weights sum to 0, so a flat region gives 0",
              f"weights sum to {k.sum():g}; an edge detector must sum to 0 so that a flat "
              "region (no edge) gives 0")
    across = np.abs(correlate2d(_step(horizontal=True), k, padding="valid")).max()
    along = np.abs(correlate2d(_step(horizontal=False), k, padding="valid")).max()
    rows = ", ".join(f"{v:g}" for v in k.sum(axis=1))
    columns = ", ".join(f"{v:g}" for v in k.sum(axis=0))
    fb.expect(across > 1e-6, f"responds to a horizontal edge (peak {across:g})",
              "gives no response on a horizontal edge (dark top, bright bottom): a top-to-bottom "
              f"change is weighted by the row sums, and yours are {rows}; make the top "
              "row sum negative and the bottom row sum positive (or the reverse)")
    fb.expect(along <= 0.1 * max(across, 1e-12),
              f"ignores a vertical edge (peak {along:g})",
              f"also responds to a vertical edge (peak {along:g} vs {across:g}): a left-to-right "
              f"change is weighted by the column sums, and yours are {columns}; make every "
              "column sum to 0")
    return fb


@checker("the blurred image as an array")
def check_box_blur(fn) -> Feedback:
    """Exercise 1.2: ``fn(image)`` returns the 3×3 box blur with 'valid' padding, loops allowed.

    Args:
        fn: the reader's function, called as ``fn(image)`` with a 2-D float array.
    """
    fb = Feedback("Exercise 1.2 (box blur by hand)")
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(7, 9)).astype(float)
    result = call_safely(fb, fn, image.copy())
    if result is None:
        if fb.passed:
            fb.problems.append("your function returned None; return the blurred array")
        return fb
    result = np.asarray(result, dtype=float)
    expected = correlate2d(image, np.full((3, 3), 1 / 9), padding="valid")
    if not fb.expect(result.shape == expected.shape, f"output shape {expected.shape} ('valid')",
                     f"output shape is {result.shape}; for a 7×9 input and a 3×3 window the "
                     f"'valid' output is {expected.shape} = (7-3+1, 9-3+1)"):
        return fb
    error = np.abs(result - expected).max()
    if error > 1e-6 and np.allclose(result, expected * 9):
        fb.problems.append("values are 9× too large: divide the window sum by 9 (the mean)")
    elif error > 1e-6 and np.allclose(result[1:-1, 1:-1], expected[1:-1, 1:-1], atol=1e-6):
        fb.problems.append("the interior is right but the border is off: check your loop ranges")
    else:
        fb.expect(error <= 1e-6, "every value equals the mean of its 3×3 window",
                  f"values differ from the 3×3 mean by up to {error:.3g}; out[i, j] must be the "
                  "mean of image[i:i+3, j:j+3]")
    return fb
