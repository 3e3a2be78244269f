"""Self-check quizzes that work everywhere: Jupyter, Colab and the static HTML book.

Each option is an HTML ``<details>`` element: click it to see whether it is right and *why*.
No JavaScript and no network are needed, so the quiz behaves the same offline. Options are shown
in a seeded shuffle (``option_orders()``), so the right answer is not always "(a)" however the
author listed it, and every rendering of a quiz shows it the same way. Texts may use the
two bits of Markdown a question needs: ``*emphasis*`` and ```code```.
"""
from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Option:
    """One answer of a :class:`Question`.

    Args:
        text: the answer as the reader sees it.
        correct: whether it is a right answer.
        why: the explanation shown when the reader opens it (must not be empty).
    """

    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class Question:
    """A question with options; ``options`` may be ``Option`` or ``(text, correct, why)`` tuples.

    Args:
        prompt: the question's text (must not be empty).
        options: at least two answers, at least one of them correct.
    """

    prompt: str
    options: Sequence

    def __post_init__(self) -> None:
        if not self.prompt.strip():
            raise ValueError("prompt must not be empty")
        opts = tuple(o if isinstance(o, Option) else Option(*o) for o in self.options)
        if len(opts) < 2:
            raise ValueError(f"question {self.prompt!r} needs at least 2 options, got {len(opts)}")
        if not any(o.correct for o in opts):
            raise ValueError(f"question {self.prompt!r} has no correct option")
        for o in opts:
            if not o.why.strip():
                raise ValueError(f"option {o.text!r} of {self.prompt!r} has no explanation")
        object.__setattr__(self, "options", opts)


_CODE = re.compile(r"`([^`]+)`")
# *word* but not 2*3 or a lone "*": the asterisks hug the text and are not inside a word.
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")


def inline_html(text: str) -> str:
    """Escape ``text`` for HTML, then render `code` and *emphasis*.

    Args:
        text: plain text with at most ``*emphasis*`` and ```code``` marks.
    """
    parts = _CODE.split(html.escape(text))  # odd items are code spans, left as they are
    return "".join(f"<code>{part}</code>" if i % 2 else _EMPHASIS.sub(r"<em>\1</em>", part)
                   for i, part in enumerate(parts))


_CSS = """<style>
.dldna-quiz{border:1px solid #c9d3e0;border-radius:6px;padding:.6em 1em;margin:1em 0}
.dldna-quiz .q{font-weight:600;margin:.6em 0 .3em}
.dldna-quiz details{margin:.2em 0 .2em 1em;padding:.15em .5em;border-radius:4px;background:#f5f7fa}
.dldna-quiz summary{cursor:pointer}
.dldna-quiz .ok{color:#17692b;font-weight:600}.dldna-quiz .no{color:#a3221b;font-weight:600}
</style>"""


def _checked(questions: Sequence[Question]) -> None:
    if not questions:
        raise ValueError("questions must contain at least one Question")
    for number, q in enumerate(questions):
        if not isinstance(q, Question):
            raise TypeError(f"questions[{number}] must be a Question, got {type(q).__name__}")


def option_orders(questions: Sequence[Question]) -> list[tuple[int, ...]]:
    """The order in which each question's options are shown (indices into ``options``).

    Each question's options are shuffled by a generator seeded with the question's number and
    option count, so the order depends neither on the texts nor on the run. Among the questions
    with one right answer, a right answer that would be the third in a row in the same place,
    or the last of a quiz whose right answers all share one place, swaps places with its
    neighbour: a quiz never has all its right answers in one position, nor three in a row.

    Args:
        questions: the questions of one quiz, in their order.
    """
    _checked(questions)
    orders = []
    for number, q in enumerate(questions, 1):
        order = list(range(len(q.options)))
        random.Random(1000 * number + len(order)).shuffle(order)
        orders.append(order)
    single = [(order, q) for order, q in zip(orders, questions)
              if sum(o.correct for o in q.options) == 1]
    places: list[int] = []
    for number, (order, q) in enumerate(single):
        here = [q.options[i].correct for i in order].index(True)
        third_in_a_row = places[-2:] == [here, here]
        all_alike = number == len(single) - 1 and number > 0 and set(places) == {here}
        if third_in_a_row or all_alike:
            there = (here + 1) % len(order)
            order[here], order[there] = order[there], order[here]
            here = there
        places.append(here)
    return [tuple(order) for order in orders]


def render_quiz(questions: Sequence[Question], title: str = "Check your understanding",
                shuffle: bool = True) -> str:
    """The quiz as a self-contained HTML string.

    Args:
        questions: the questions, numbered in this order.
        title: heading shown above the questions.
        shuffle: show the options in the order of ``option_orders()`` (each explanation stays
            with its option); ``False`` keeps the author's order.
    """
    _checked(questions)
    orders = (option_orders(questions) if shuffle
              else [range(len(q.options)) for q in questions])
    parts = [_CSS, f'<div class="dldna-quiz"><p><b>{html.escape(title)}</b> '
             "— click an answer to reveal whether it is right and why.</p>"]
    for number, (q, order) in enumerate(zip(questions, orders), 1):
        parts.append(f'<div class="q">{number}. {inline_html(q.prompt)}</div>')
        for letter, o in zip("abcdefghij", (q.options[i] for i in order)):
            verdict = ('<span class="ok">Correct.</span>' if o.correct
                       else '<span class="no">Not quite.</span>')
            parts.append(f"<details><summary>({letter}) {inline_html(o.text)}</summary>"
                         f"{verdict} {inline_html(o.why)}</details>")
    parts.append("</div>")
    return "\n".join(parts)


def show_quiz(questions: Sequence[Question], title: str = "Check your understanding") -> None:
    """Display a quiz in a notebook. Returns nothing, so that a quiz on the last line of a cell
    is not shown a second time as the cell's value.

    Args:
        questions: the questions, numbered in this order.
        title: heading shown above the questions.
    """
    from IPython.display import HTML, display

    display(HTML(render_quiz(questions, title)))
