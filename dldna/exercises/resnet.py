"""Checkers for chapter 7 (ResNet)."""
from __future__ import annotations

import torch
from torch import nn

from ..explain.hooks import hook_count, hooked, leaf_modules
from ..models.resnet import BasicBlock, Bottleneck, CifarBlock, CifarResNet
from . import Feedback, as_number, call_safely, checker


def _params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@checker("an nn.Module class built as block_class(in_planes, planes, stride)")
def check_plain_block(block_class) -> Feedback:
    """Exercise 7.1: ``block_class(in_planes, planes, stride)`` is a block without a shortcut.

    Args:
        block_class: the reader's block class, built as ``block_class(in_planes, planes, stride)``.
    """
    fb = Feedback("Exercise 7.1 (remove the skip connection)")
    torch.manual_seed(0)
    for in_planes, planes, stride in ((4, 4, 1), (4, 8, 2)):
        block = call_safely(fb, block_class, in_planes, planes, stride)
        if block is None:
            if fb.passed:
                fb.problems.append("your class returned None")
            return fb
        reference = CifarBlock(in_planes, planes, stride, residual=False).eval()
        label = f"block({in_planes}, {planes}, stride={stride})"
        state = reference.state_dict()
        wrong = [f"{k} has shape {tuple(v.shape)}, expected {tuple(state[k].shape)}"
                 for k, v in block.state_dict().items() if k in state and v.shape != state[k].shape]
        if wrong:
            fb.problems.append(f"{label}: {'; '.join(wrong[:2])} (check the channel counts)")
            return fb
        missing = reference.load_state_dict(block.state_dict(), strict=False)
        if not fb.expect(not missing.missing_keys and not missing.unexpected_keys,
                         f"{label}: layers conv1, bn1, conv2, bn2 with the right shapes",
                         f"{label}: keep the layer names and shapes of CifarBlock "
                         f"(conv1, bn1, conv2, bn2); missing {missing.missing_keys}, "
                         f"unexpected {missing.unexpected_keys}"):
            return fb
        block.eval()
        x = torch.randn(2, in_planes, 8, 8)
        out = call_safely(fb, block, x)
        if out is None:
            return fb
        if not fb.expect(tuple(out.shape) == (2, planes, 8 // stride, 8 // stride),
                         f"{label}: output shape {tuple(out.shape)}",
                         f"{label}: output shape {tuple(out.shape)}, expected "
                         f"{(2, planes, 8 // stride, 8 // stride)}"):
            return fb
        with torch.no_grad():
            same = torch.allclose(out, reference(x), atol=1e-5)
            nn.init.zeros_(block.bn2.weight)
            nn.init.zeros_(block.bn2.bias)
            silent = torch.count_nonzero(block(x)) == 0
        fb.expect(same, f"{label}: computes ReLU(BN(conv(ReLU(BN(conv(x))))))",
                  f"{label}: the output differs from conv1 → bn1 → ReLU → conv2 → bn2 → ReLU")
        fb.expect(silent, f"{label}: no shortcut (with F(x) = 0 the output is 0)",
                  f"{label}: with the residual branch switched off the output is not zero, "
                  "so x still reaches the output: remove `+ identity`")
    return fb


def basic_block_params(width: int) -> int:
    """Parameters of a BasicBlock with ``width`` channels in and out (convs and BatchNorms).

    Args:
        width: channels in and out of the block.
    """
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        return _params(BasicBlock(width, width))


def bottleneck_params(planes: int) -> int:
    """Parameters of a Bottleneck with ``planes`` inner and 4·planes outer channels.

    Args:
        planes: inner channels; the block maps 4·planes channels to 4·planes.
    """
    with torch.device("meta"):
        return _params(Bottleneck(4 * planes, planes))


def equal_budget_planes(width: int) -> int:
    """The Bottleneck ``planes`` whose block has the parameter count closest to BasicBlock(width).

    Its convolutions hold 4p² + 9p² + 4p² = 17p² weights against the BasicBlock's 18w², so the
    answer is near w·√(18/17); the neighbours of that estimate are compared exactly.

    Args:
        width: the BasicBlock's channels.
    """
    target, guess = basic_block_params(width), round(width * (18 / 17) ** 0.5)
    return min(range(max(1, guess - 2), guess + 3),
               key=lambda p: (abs(bottleneck_params(p) - target), p))


@checker("the planes as an int")
def check_equal_budget(fn) -> Feedback:
    """Exercise 7.2: ``fn(width)`` gives the Bottleneck planes of equal parameter budget.

    Args:
        fn: the reader's function, called as ``fn(width)``.
    """
    fb = Feedback("Exercise 7.2 (BasicBlock vs Bottleneck at equal budget)")
    for width in (16, 64, 100, 256):
        got = call_safely(fb, fn, width)
        if got is None:
            if fb.passed:
                fb.problems.append("your function returned None; return an int")
            return fb
        got = as_number(fb, got)
        if got is None:
            return fb
        want = equal_budget_planes(width)
        if got == want:
            fb.passed_checks.append(f"width {width}: planes {want} ({bottleneck_params(want):,} "
                                    f"vs {basic_block_params(width):,} parameters)")
            continue
        hint = ("count every weight: 1×1 (4p·p), 3×3 (9p²), 1×1 (p·4p) and the BatchNorms "
                "(2 per channel)")
        if isinstance(got, int) and got > 0:
            hint = (f"planes {got} gives {bottleneck_params(got):,} parameters, BasicBlock"
                    f"({width}) has {basic_block_params(width):,}; " + hint)
        fb.problems.append(f"width {width}: got {got!r}, expected {want}; {hint}")
        return fb
    return fb


def record_shapes_reference(model: nn.Module, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
    """Output shape of every leaf module (no children) in one forward pass.

    Args:
        model: the network; hooks are removed afterwards.
        x: an input batch.

    Returns:
        ``{module path: output shape}`` in the order the leaves ran.
    """
    shapes: dict[str, tuple[int, ...]] = {}
    with torch.no_grad(), hooked(leaf_modules(model),
                                 lambda name, m, i, out: shapes.update({name: tuple(out.shape)})):
        model(x)
    return shapes


@checker("a dict {module path: output shape}")
def check_shape_recorder(fn) -> Feedback:
    """Exercise 7.3: ``fn(model, x)`` returns {leaf module path: output shape} and no hook stays.

    Args:
        fn: the reader's function, called as ``fn(model, x)``.
    """
    fb = Feedback("Exercise 7.3 (a hook that records output shapes)")
    torch.manual_seed(0)
    model = CifarResNet(8, num_classes=3, in_channels=1, width=4).eval()
    x = torch.randn(2, 1, 8, 8)
    got = call_safely(fb, fn, model, x)
    if got is None:
        if fb.passed:
            fb.problems.append("your function returned None; return a dict")
        return fb
    want = record_shapes_reference(model, x)
    if isinstance(got, dict) and any(isinstance(v, torch.Tensor) for v in got.values()):
        fb.problems.append("record the output's shape, tuple(output.shape), not the tensor")
        return fb
    got = {k: tuple(v) for k, v in dict(got).items()}
    fb.expect(hook_count(model) == 0, "every hook is removed afterwards",
              f"{hook_count(model)} hook(s) are still attached: keep the handles that "
              "register_forward_hook returns and call .remove() in a finally block")
    missing = sorted(set(want) - set(got))
    fb.expect(not missing, f"all {len(want)} leaf modules recorded",
              f"missing {len(missing)} leaf module(s), e.g. {missing[:3]}")
    wrong = [k for k in want if k in got and got[k] != want[k]]
    fb.expect(not wrong, "every shape is right",
              f"wrong shapes for {wrong[:3]}: e.g. {wrong[0] if wrong else ''} should be "
              f"{want[wrong[0]] if wrong else ''}")
    bad = torch.randn(2, 3, 8, 8)  # three channels into a one-channel stem: the pass fails
    try:
        fn(model, bad)
    except Exception:  # noqa: BLE001 - the reader's function may raise anything here
        pass
    fb.expect(hook_count(model) == 0, "no hook survives a forward pass that raises",
              "after a failing forward pass hooks are left attached: remove them in `finally`")
    return fb
