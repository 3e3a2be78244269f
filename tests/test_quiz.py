"""The seeded option order of dldna.book.quiz: stable, explanation kept with its option, right answers
never all in one place."""
import re

import pytest

from dldna.book.quiz import Question, option_orders, render_quiz


def _quiz(n_questions: int, n_options: int = 3, right: int = 0) -> list[Question]:
    return [Question(f"q{k}?", [(f"q{k} option {i}", i == right, f"q{k} because {i}")
                                for i in range(n_options)]) for k in range(n_questions)]


def _shown(html: str) -> list[tuple[str, str, str]]:
    """(option text, verdict, explanation) in the order the page shows them."""
    return re.findall(r"<summary>\(\w\) (.*?)</summary>"
                      r"<span class=\"(ok|no)\">.*?</span> (.*?)</details>", html)


def test_the_order_is_the_same_every_time():
    assert option_orders(_quiz(5)) == option_orders(_quiz(5))
    assert render_quiz(_quiz(5)) == render_quiz(_quiz(5))


def test_each_explanation_and_verdict_stay_with_their_option():
    shown = _shown(render_quiz(_quiz(6, n_options=4, right=2)))
    assert len(shown) == 24
    for text, verdict, why in shown:
        q, i = re.match(r"(q\d) option (\d)", text).groups()
        assert why == f"{q} because {i}"
        assert (verdict == "ok") == (i == "2")


@pytest.mark.parametrize("n_questions", range(2, 12))
@pytest.mark.parametrize("n_options, right", [(2, 0), (3, 0), (3, 2), (4, 0), (4, 3)])
def test_right_answers_are_never_all_in_one_place(n_questions, n_options, right):
    questions = _quiz(n_questions, n_options, right)
    places = {order.index(right) for order in option_orders(questions)}
    assert len(places) >= 2


@pytest.mark.parametrize("n_options, right", [(2, 0), (3, 0), (3, 1), (4, 0), (4, 2)])
def test_no_three_right_answers_in_a_row_share_a_place(n_options, right):
    places = [order.index(right) for order in option_orders(_quiz(12, n_options, right))]
    assert all(len(set(places[i:i + 3])) > 1 for i in range(len(places) - 2)), places


def test_every_option_is_shown_once():
    for order, q in zip(option_orders(_quiz(7, 4)), _quiz(7, 4)):
        assert sorted(order) == list(range(len(q.options)))


def test_shuffle_can_be_turned_off():
    shown = _shown(render_quiz(_quiz(3), shuffle=False))
    assert [text for text, _, _ in shown[:3]] == ["q0 option 0", "q0 option 1", "q0 option 2"]


def test_orders_check_their_input():
    with pytest.raises(ValueError, match="at least one Question"):
        option_orders([])
    with pytest.raises(TypeError, match=r"questions\[1\] must be a Question"):
        option_orders([_quiz(1)[0], "no"])
