"""Automatic checkers for the exercises: specific feedback, never just "wrong"."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

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
        return fn(*args)
    except NotImplementedError:
        feedback.problems.append("not attempted yet: replace `raise NotImplementedError` "
                                 "with your code")
    except Exception as err:  # the reader's code crashed: say where, do not re-raise
        feedback.problems.append(f"your function raised {type(err).__name__}: {err}")
    return None
