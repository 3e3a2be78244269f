"""Checkers for chapter 12 (Transfer learning)."""
from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from . import Feedback, call_safely, checker

NUM_CLASSES = 10


def exercise_model() -> nn.Module:
    """The network of exercise 12.1: the book's MobileNetV2 at width 0.5 (random weights, so
    no download), with a 1000-class head like an ImageNet checkpoint."""
    from ..models import create

    torch.manual_seed(0)
    return create("mobilenet_v2", num_classes=1000, width_mult=0.5)


@checker("the model turned into a linear probe (a new head, the backbone frozen)")
def check_freeze(fn) -> Feedback:
    """Exercise 12.1: ``fn(model, num_classes)`` turns ``model`` into a linear probe.

    Checks: a new head with ``num_classes`` outputs; only the head trainable (parameters
    counted); and every BatchNorm of the backbone still in eval mode, its running statistics
    unchanged, after ``model.train()`` and a forward pass in training mode.

    Args:
        fn: the reader's function; it may change the model in place and return ``None``.
    """
    from ..transfer import find_head

    fb = Feedback("Exercise 12.1 (freeze a pretrained network correctly)")
    model = exercise_model()
    result = call_safely(fb, fn, model, NUM_CLASSES)
    if not fb.passed:
        return fb
    model = model if result is None else result
    if not fb.expect(isinstance(model, nn.Module), "your function gives back a model",
                     f"return the model (or None after changing it in place), got "
                     f"{type(result).__name__}"):
        return fb
    try:
        name, head = find_head(model)
    except ValueError as err:
        fb.problems.append(f"no classifier head left: {err}")
        return fb
    fb.expect(head.out_features == NUM_CLASSES, f"the head `{name}` has {NUM_CLASSES} outputs",
              f"the head `{name}` has {head.out_features} outputs; replace it with "
              f"nn.Linear({head.in_features}, {NUM_CLASSES})")
    want = head.in_features * NUM_CLASSES + NUM_CLASSES
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    fb.expect(trainable == want and all(p.requires_grad for p in head.parameters()),
              f"exactly the head's {want:,} parameters are trainable",
              f"{trainable:,} parameters are trainable; a linear probe trains only the new "
              f"head's {want:,} (weights and bias). Set requires_grad=False on the rest, and "
              f"replace the head *after* freezing, or unfreeze it again")
    bns = [(n, m) for n, m in model.named_modules() if isinstance(m, _BatchNorm)]
    before = copy.deepcopy([m.running_mean for _, m in bns])
    model.train()
    with torch.no_grad():
        model(torch.rand(8, 3, 32, 32, generator=torch.Generator().manual_seed(1)))
    training = [n for n, m in bns if m.training]
    moved = [n for (n, m), b in zip(bns, before) if not torch.equal(m.running_mean, b)]
    fb.expect(not training, f"all {len(bns)} BatchNorm layers stay in eval mode after "
              f"model.train()", f"{len(training)} of {len(bns)} BatchNorm layers are in "
              f"training mode after model.train() (first: `{training[0] if training else ''}`)"
              f"; requires_grad=False does not stop them: lock them, e.g. with "
              f"dldna.transfer.lock_batchnorm")
    fb.expect(not moved, "their running statistics did not move in a training-mode forward",
              f"the running means of {len(moved)} BatchNorm layers moved during a forward pass "
              f"in training mode: the frozen features change under the head")
    return fb


SITUATIONS = {
    "a": "100 photos per class of everyday objects (close to ImageNet), a laptop CPU, an "
         "answer needed within the hour",
    "b": "20,000 labelled greyscale scans per class (far from ImageNet), a GPU for a week",
    "c": "300 images per class of a fairly different domain, a CPU, and a linear probe that "
         "is already measured but not good enough",
}
_ANSWERS = {"a": "linear_probe", "b": "full", "c": "top"}
_WHY = {
    "a": "with few images close to ImageNet the frozen features already separate the classes; "
         "a probe on cached features costs seconds and cannot overfit the backbone",
    "b": "with plenty of data far from ImageNet the early layers must adapt too and there is "
         "compute for it: fine-tune everything (discriminative rates keep the early layers "
         "from being wrecked at the start)",
    "c": "the probe is the baseline; training the top stages adapts the most specific features "
         "at a fraction of the cost of full fine-tuning on a CPU, with features of the frozen "
         "part cached",
}


@checker("a dict {situation: strategy name}")
def check_strategy_choice(answers: dict) -> Feedback:
    """Exercise 12.2: ``answers`` maps each situation ``"a"``, ``"b"``, ``"c"`` of
    ``SITUATIONS`` to ``"linear_probe"``, ``"top"`` or ``"full"``; every answer is explained.

    Args:
        answers: the reader's choices.
    """
    from ..transfer import STRATEGIES

    fb = Feedback("Exercise 12.2 (choose a strategy)")
    if not isinstance(answers, dict):
        fb.problems.append(f"answers must be a dict like {{'a': 'top', ...}}, got "
                           f"{type(answers).__name__}")
        return fb
    for key, situation in SITUATIONS.items():
        got = answers.get(key)
        if got not in STRATEGIES:
            fb.problems.append(f"situation {key} ({situation}): answer one of "
                               f"{', '.join(STRATEGIES)}, got {got!r}")
            continue
        right = _ANSWERS[key]
        fb.expect(got == right, f"situation {key}: `{got}` — {_WHY[key]}",
                  f"situation {key}: `{got}` is not the best choice; `{right}`, because "
                  f"{_WHY[key]}")
    return fb
