"""Quizzes, exercise feedback, the kernel-editor widget, glue and the ILSVRC table."""
import numpy as np
import pytest

from dldna.exercises import Feedback
from dldna.exercises.filters import check_box_blur, check_horizontal_edge_kernel
from dldna.filters import get_kernel
from dldna.experiments.imagenet_results import HUMAN_TOP5_ERROR, ILSVRC_RESULTS, plot_ilsvrc_timeline
from dldna.book.notebook import animation_html, glue
from dldna.book.quiz import Question, render_quiz


# ------------------------------------------------------------------ quiz

def test_quiz_renders_every_option_with_its_explanation():
    html = render_quiz([Question("2 + 2?", [("4", True, "because arithmetic"), ("5", False, "off by one")])])
    assert html.count("<details>") == 2 and "because arithmetic" in html and "off by one" in html
    assert "Correct." in html and "Not quite." in html and "<script" not in html


def test_quiz_escapes_html():
    html = render_quiz([Question("a<b?", [("<i>", True, "x < y"), ("no", False, "n")])])
    assert "a&lt;b?" in html and "&lt;i&gt;" in html


@pytest.mark.parametrize("text, expected", [
    ("the *same* weights", "the <em>same</em> weights"),
    ("call `conv2d(x, w)` here", "call <code>conv2d(x, w)</code> here"),
    ("`a*b*c` stays code", "<code>a*b*c</code> stays code"),
    ("2*3*4 and 5 * 6 stay as they are", "2*3*4 and 5 * 6 stay as they are"),
    ("*a<b*", "<em>a&lt;b</em>"),
])
def test_quiz_renders_emphasis_and_code(text, expected):
    html = render_quiz([Question(text, [(text, True, text), ("no", False, "n")])])
    assert html.count(expected) == 3  # prompt, option text and explanation


@pytest.mark.parametrize("options, message", [
    ([("a", True, "why")], "at least 2 options"),
    ([("a", False, "w"), ("b", False, "w")], "no correct option"),
    ([("a", True, "w"), ("b", False, "  ")], "option 'b' .* has no explanation"),
])
def test_malformed_questions_are_rejected(options, message):
    with pytest.raises(ValueError, match=message):
        Question("q", options)


def test_quiz_needs_questions():
    with pytest.raises(ValueError, match="at least one Question"):
        render_quiz([])
    with pytest.raises(TypeError, match=r"questions\[0\] must be a Question"):
        render_quiz(["not a question"])


# ------------------------------------------------------------------ exercise checkers

def test_feedback_truthiness_and_rendering():
    fb = Feedback("demo")
    fb.expect(True, "fine", "bad")
    assert fb and str(fb).startswith("✔ demo: the check passed.")
    fb.expect(True, "also fine", "bad")
    assert "both checks passed" in str(fb)
    fb.expect(True, "fine again", "bad")
    assert "all 3 checks passed" in str(fb)
    fb.expect(False, "fine", "broken: fix it")
    assert not fb and "broken: fix it" in fb._repr_html_() and "1 problem to fix" in str(fb)
    fb.expect(False, "fine", "still broken")
    assert "2 problems to fix" in str(fb)
    fb.expect(False, "", "replace `raise NotImplementedError` with <your code>")
    assert "<code>raise NotImplementedError</code> with &lt;your code&gt;" in fb._repr_html_()


def test_horizontal_edge_checker_accepts_sobel_y_and_its_negation():
    assert check_horizontal_edge_kernel(get_kernel("sobel_y"))
    assert check_horizontal_edge_kernel(-get_kernel("sobel_y"))
    assert check_horizontal_edge_kernel([[1, 1, 1], [0, 0, 0], [-1, -1, -1]])


@pytest.mark.parametrize("kernel, hint", [
    (np.zeros((3, 3)), "no response on a horizontal edge"),
    (get_kernel("sobel_x"), "no response on a horizontal edge"),
    (get_kernel("laplacian") + 1, "sum to 0"),
    (np.ones((2, 2)), "shape (3, 3)"),
    (get_kernel("sobel_y") + get_kernel("sobel_x"), "also responds to a vertical edge"),
    ("abc", "3×3 array"),
])
def test_horizontal_edge_checker_says_what_is_wrong(kernel, hint):
    fb = check_horizontal_edge_kernel(kernel)
    assert not fb and hint in str(fb)


def _box_blur(image):
    h, w = image.shape
    return np.array([[image[i:i + 3, j:j + 3].mean() for j in range(w - 2)] for i in range(h - 2)])


def test_box_blur_checker():
    assert check_box_blur(_box_blur)


@pytest.mark.parametrize("fn, hint", [
    (lambda img: (_ for _ in ()).throw(NotImplementedError), "not attempted yet"),
    (lambda img: None, "returned None"),
    (lambda img: _box_blur(img) * 9, "9× too large"),
    (lambda img: np.pad(_box_blur(img), 1), "output shape is (7, 9)"),
    (lambda img: 1 / 0, "raised ZeroDivisionError"),
    (lambda img: _box_blur(img) + 1, "differ from the 3×3 mean"),
])
def test_box_blur_checker_feedback(fn, hint):
    fb = check_box_blur(fn)
    assert not fb and hint in str(fb)


def test_border_mistake_is_diagnosed():
    def wrong_border(img):
        out = _box_blur(img)
        out[0, :] = 0
        return out
    assert "border is off" in str(check_box_blur(wrong_border))


# ------------------------------------------------------------------ widget, glue, history

def test_kernel_editor_figure_and_widget():
    from dldna.widgets.kernel_editor import kernel_editor, kernel_editor_figure

    fig = kernel_editor_figure(kernel="laplacian")
    assert len(fig.axes) == 4  # image, kernel, response, colour bar
    assert fig.axes[2].images[0].get_cmap().name == "RdBu_r"
    box = kernel_editor(kernel="sobel_x")
    cells = box.children[0].children[0].children[1].children
    assert [c.value for c in cells] == list(get_kernel("sobel_x").ravel())
    with pytest.raises(ValueError, match="must be 3×3"):
        kernel_editor(kernel=np.ones((5, 5)))
    with pytest.raises(ValueError, match="not a bundled photo"):
        kernel_editor(image_name="eagle")


def test_glue_records_the_value_and_returns_nothing(monkeypatch):
    import myst_nb

    recorded = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: recorded.update({name: value}))
    assert glue("x", 42) is None  # a glue on a cell's last line must not echo its value
    assert recorded == {"x": 42}


def test_animation_html_has_no_cdn_link():
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots()
    line, = ax.plot([0, 1])
    html = animation_html(FuncAnimation(fig, lambda i: [line], frames=2))
    assert "font-awesome" not in html and 'class="fa' not in html and "▶" in html


def test_ilsvrc_table_and_plot():
    errors = {r.entry: r.top5_error for r in ILSVRC_RESULTS}
    assert errors["AlexNet"] == 16.4 and errors["ResNet"] == 3.57 and HUMAN_TOP5_ERROR == 5.1
    years = [r.year for r in ILSVRC_RESULTS]
    assert years == sorted(years)
    ax = plot_ilsvrc_timeline()
    assert len(ax.patches) == len(ILSVRC_RESULTS)


def test_count_puts_the_noun_in_the_right_number():
    from dldna.book.notebook import count

    assert [count(n, "epoch") for n in (0, 1, 2, 2000)] == [
        "0 epochs", "1 epoch", "2 epochs", "2,000 epochs"]
