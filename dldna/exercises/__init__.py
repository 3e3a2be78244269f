"""Automatic checkers for the exercises: specific feedback, never just "wrong", never a crash.

Every checker is decorated with :func:`checker`: whatever the reader's answer is (a list where a
number was asked for, ``None`` inside a tuple, float64 instead of float32, a module of the wrong
shape, a function that raises), the checker returns its :class:`Feedback` saying what was wrong;
it never raises. :func:`call_safely`, :func:`as_number` and :func:`as_tensor` give the specific
messages; :func:`checker` is the safety net for everything they do not foresee.
"""
from __future__ import annotations

import functools
import html
import math
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
import torch

from ..book.notebook import count
from ..book.quiz import inline_html


@dataclass
class Feedback:
    """Result of a checker. Truthy when every check passed; renders as a coloured box.

    Args:
        exercise: the exercise's title, as its heading in the chapter.
        problems: what is wrong and how to fix it, one message per failed check.
        passed_checks: one message per passed check.
    """

    exercise: str
    problems: list[str] = field(default_factory=list)
    passed_checks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        state = _ACTIVE.get()
        if state is not None and state.get("feedback") is None:
            state["feedback"] = self  # the one a crash inside the checker is reported in

    @property
    def passed(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.passed

    def expect(self, condition: bool, ok: str, problem: str) -> bool:
        """Record one check; ``problem`` says what is wrong and how to fix it.

        Args:
            condition: whether the check passed.
            ok: message recorded when it passed.
            problem: message recorded when it failed.

        Returns:
            ``condition`` as a bool.
        """
        (self.passed_checks.append(ok) if condition else self.problems.append(problem))
        return bool(condition)

    def __str__(self) -> str:
        if self.passed:
            n = len(self.passed_checks)
            head = f"✔ {self.exercise}: " + {1: "the check passed.", 2: "both checks passed."}.get(
                n, f"all {n} checks passed.")
        else:
            n = len(self.problems)
            head = f"✘ {self.exercise}: {count(n, 'problem')} to fix."
        lines = [head] + [f"  ✔ {m}" for m in self.passed_checks] + [f"  ✘ {m}" for m in self.problems]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#e7f5ea" if self.passed else "#fbeaea"
        items = "".join(f"<li>✔ {inline_html(m)}</li>" for m in self.passed_checks)
        items += "".join(f"<li>✘ <b>{inline_html(m)}</b></li>" for m in self.problems)
        head = html.escape(str(self).splitlines()[0])
        return (f'<div style="background:{colour};padding:.5em 1em;border-radius:6px">'
                f"{head}<ul>{items}</ul></div>")


def call_safely(feedback: Feedback, fn, *args):
    """Call the reader's function; turn 'not written yet' and crashes into feedback.

    Args:
        feedback: where a crash or a missing answer is recorded.
        fn: the reader's function.
        args: positional arguments for ``fn``.

    Returns:
        What ``fn`` returned, or ``None`` when it raised.
    """
    try:
        result = fn(*args)
    except NotImplementedError:
        feedback.problems.append("not attempted yet: replace `raise NotImplementedError` "
                                 "with your code")
    except Exception as err:  # the reader's code crashed: say where, do not re-raise
        feedback.problems.append(f"your function raised {type(err).__name__}: {err}")
    else:
        state = _ACTIVE.get()
        if state is not None:
            state["returned"] = result
        return result
    return None


_ACTIVE: ContextVar[dict | None] = ContextVar("dldna_exercise_check", default=None)


def describe(value) -> str:
    """A short description of a reader's answer for feedback: its type and a clipped repr."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return f"a {type(value).__name__} of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    return f"a {type(value).__name__} ({text if len(text) <= 60 else text[:57] + '...'})"


def checker(returns: str):
    """Decorator: the checker never raises. An exception while it inspects the answer becomes a
    problem in its :class:`Feedback` naming what was returned and what was expected.

    Args:
        returns: what the reader's function should return, e.g. ``"the count as an int"``.
    """

    def decorate(check):
        @functools.wraps(check)
        def run(*args, **kwargs) -> Feedback:
            state: dict = {}
            token = _ACTIVE.set(state)
            try:
                return check(*args, **kwargs)
            except Exception as err:  # noqa: BLE001 - a wrong answer must give feedback
                fb = state.get("feedback")
                fb = Feedback(check.__name__) if fb is None else fb
                answer = state["returned"] if "returned" in state else (args[0] if args else None)
                fb.problems.append(f"your answer could not be checked: it is {describe(answer)}, "
                                   f"expected {returns} ({type(err).__name__}: {err})")
                return fb
            finally:
                _ACTIVE.reset(token)

        run.returns = returns
        return run

    return decorate


def as_number(feedback: Feedback, value, what: str = "your function"):
    """``value`` as a Python int or float, or ``None`` after recording why it is not one.

    NumPy scalars and one-element tensors count as numbers; a bool, a list, a string, ``None``
    and NaN do not.

    Args:
        feedback: where the problem is recorded.
        value: the reader's answer.
        what: what returned it, for the message.
    """
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, np.ndarray) and value.size == 1 or isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        feedback.problems.append(f"{what} returned {describe(value)}; return a single number")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        feedback.problems.append(f"{what} returned {value}; the answer is a finite number")
        return None
    return value


def as_numbers(feedback: Feedback, value, n: int, what: str = "your function"):
    """``value`` as a tuple of ``n`` numbers (see :func:`as_number`), or ``None`` after
    recording why it is not.

    Args:
        feedback: where the problem is recorded.
        value: the reader's answer.
        n: how many numbers it must hold.
        what: what returned it, for the message.
    """
    if not isinstance(value, (tuple, list)) or len(value) != n:
        feedback.problems.append(f"{what} returned {describe(value)}; return a tuple of {n} "
                                 "numbers")
        return None
    numbers = [as_number(feedback, item, f"{what} (item {i})") for i, item in enumerate(value)]
    return None if any(x is None for x in numbers) else tuple(numbers)


def as_tensor(feedback: Feedback, value, what: str = "your function", *,
              dtype: torch.dtype | None = torch.float32):
    """``value`` as a tensor, or ``None`` after recording why it is not the tensor asked for.

    Args:
        feedback: where the problem is recorded.
        value: the reader's answer (a tensor; a NumPy array or nested list is converted).
        what: what returned it, for the message.
        dtype: the floating dtype the answer must have (that of the inputs); ``None``: any.
    """
    try:
        tensor = value.detach() if isinstance(value, torch.Tensor) else torch.as_tensor(value)
    except Exception:  # noqa: BLE001 - None inside a tuple, strings, objects ...
        feedback.problems.append(f"{what} returned {describe(value)}; return a torch tensor")
        return None
    if dtype is not None and tensor.dtype != dtype and tensor.is_floating_point():
        feedback.problems.append(f"{what} returned {tensor.dtype} numbers but the inputs are "
                                 f"{dtype}: keep the inputs' dtype (do not build tensors from "
                                 f"NumPy float64 arrays), or convert with `.to({dtype})`")
        return None
    if not (tensor.is_floating_point() or tensor.dtype in (torch.int64, torch.int32)):
        feedback.problems.append(f"{what} returned {describe(value)}; return numbers")
        return None
    return tensor
