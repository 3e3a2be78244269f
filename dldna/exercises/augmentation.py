"""Checkers for chapter 10 (Data augmentation)."""
from __future__ import annotations

import torch

from . import Feedback, as_tensor, call_safely, checker


@checker("the cropped C×H×W image as a tensor")
def check_random_crop(fn) -> Feedback:
    """Exercise 10.1: ``fn(image, padding, generator)`` pads with zeros and crops back randomly.

    Args:
        fn: the reader's function, called as ``fn(image, padding, generator)`` with a C×H×W image.
    """
    fb = Feedback("Exercise 10.1 (pad + random crop)")
    image = torch.arange(1, 1 + 3 * 6 * 6, dtype=torch.float32).reshape(3, 6, 6)
    padded = torch.nn.functional.pad(image, (2, 2, 2, 2))
    windows = {(t, l): padded[:, t:t + 6, l:l + 6] for t in range(5) for l in range(5)}
    seen = set()
    for seed in range(30):
        out = call_safely(fb, fn, image.clone(), 2, torch.Generator().manual_seed(seed))
        if out is None:
            if fb.passed:
                fb.problems.append("your function returned None; return the cropped image")
            return fb
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (3, 6, 6):
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            fb.problems.append(f"output must have the input's shape (3, 6, 6), got {shape}: crop "
                               "the padded image back to the original size")
            return fb
        match = [k for k, w in windows.items() if torch.equal(out, w)]
        if not match:
            fb.problems.append("the output is not a 6×6 window of the zero-padded image: pad "
                               "every side by `padding` with zeros, then take "
                               "padded[:, top:top+H, left:left+W]")
            return fb
        seen.add(match[0])
    fb.expect(True, "every output is a window of the zero-padded image", "")
    fb.expect(len(seen) >= 8, f"the offset is random ({len(seen)} different offsets in 30 calls)",
              f"only {len(seen)} different offset(s) in 30 calls: draw top and left "
              "uniformly from 0..2·padding with the generator you are given")
    fb.expect(any(k[0] in (0, 4) or k[1] in (0, 4) for k in seen),
              "shifts reach the full ±padding range",
              "offsets never reach 0 or 2·padding: use torch.randint(0, 2*padding + 1, ...)")
    again = [call_safely(fb, fn, image.clone(), 2, torch.Generator().manual_seed(7))
             for _ in range(2)]
    fb.expect(all(a is not None for a in again) and torch.equal(again[0], again[1]),
              "the same generator seed gives the same crop",
              "two calls with the same generator seed gave different crops: take all randomness "
              "from the `generator` argument")
    return fb


@checker("a pair (mixed image tensor, soft label tensor)")
def check_mixup(fn) -> Feedback:
    """Exercise 10.2: ``fn(x1, y1, x2, y2, lam, num_classes)`` returns the MixUp image and label.

    Args:
        fn: the reader's function, called as ``fn(x1, y1, x2, y2, lam, num_classes)``.
    """
    fb = Feedback("Exercise 10.2 (MixUp by hand)")
    x1, x2 = torch.zeros(1, 4, 4), torch.ones(1, 4, 4)
    result = call_safely(fb, fn, x1, 2, x2, 5, 0.7, 10)
    if result is None:
        if fb.passed:
            fb.problems.append("your function returned None; return (image, soft_label)")
        return fb
    if not (isinstance(result, tuple) and len(result) == 2):
        fb.problems.append("return a pair (mixed_image, soft_label)")
        return fb
    image, label = (as_tensor(fb, r) for r in result)
    if image is None or label is None:
        return fb
    image, label = image.float(), label.float()
    fb.expect(image.shape == x1.shape and torch.allclose(image, torch.full_like(x1, 0.3)),
              "mixed image = λ·x1 + (1−λ)·x2",
              f"the mixed image should be 0.7·x1 + 0.3·x2 (all 0.3 here), got mean "
              f"{float(image.float().mean()):.3g}")
    expected = torch.zeros(10)
    expected[2], expected[5] = 0.7, 0.3
    if label.shape != (10,):
        fb.problems.append(f"the soft label must be a vector of num_classes = 10 numbers, "
                           f"got shape {tuple(label.shape)}")
    elif torch.allclose(label, expected.flip(0)) or (abs(label[2] - 0.3) < 1e-6):
        fb.problems.append("the weights are swapped: class y1 gets λ, class y2 gets 1−λ")
    else:
        fb.expect(torch.allclose(label, expected, atol=1e-6),
                  "soft label = λ·onehot(y1) + (1−λ)·onehot(y2)",
                  f"expected 0.7 at class 2 and 0.3 at class 5, got {label.tolist()}")
    same = call_safely(fb, fn, x1, 3, x2, 3, 0.4, 4)
    if same is not None:
        fb.expect(torch.allclose(torch.as_tensor(same[1], dtype=torch.float32),
                                 torch.tensor([0.0, 0.0, 0.0, 1.0])),
                  "two images of the same class keep a one-hot label",
                  "when y1 == y2 the label must stay one-hot (λ + 1 − λ = 1): add the weights")
    return fb
