"""Every numbered chapter that _toc.yml lists has the parts of the house pattern (read from the
notebook source, not the HTML): learning objectives, a summary, ≥ 3 quiz questions with an
explanation for every option and at least one "why" or misconception item, right answers in more
than one position, ≥ 2 exercises each with a checker and a hidden solution, a figure, citations
that resolve, and links to the glossary and the API page. A made-up notebook shows that each
check can fail. ``python tests/test_completeness.py`` prints the per-chapter table.
"""
from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_build import ROOT, toc_notebooks  # noqa: E402

from dldna.book.quiz import Question, option_orders  # noqa: E402

CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
BIB_KEY = re.compile(r"^@\w+\{([^,\s]+),", re.M)
EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n:label: (\S+)")
SOLUTION = re.compile(r"```\{solution(?:-start)?\} (\S+)\n:class: dropdown")
# A cell that draws: a matplotlib figure, an image, a book diagram or an animation.
DRAWS = re.compile(r"plt\.(subplots|figure|imshow)|\bfig\b|\.imshow\(|\.plot\(|diagrams\.|"
                   r"\bplot_\w+\(|animation")
API_LINK = re.compile(r"\{py:(func|class|mod|meth|attr|obj|data|exc)\}`[^`]*dldna|\{doc\}`[^`]*api")
WHY = re.compile(r"\bwhy\b|misconception", re.I)


def numbered_chapters() -> list[Path]:
    return [p for p in toc_notebooks() if re.match(r"\d+_", p.name)]


def bib_keys() -> set[str]:
    return set(BIB_KEY.findall((ROOT / "book" / "references.bib").read_text()))


@dataclass
class QuizItem:
    prompt: str
    correct: list          # True/False per option, or None where it is not a literal
    explained: list        # per option: has a non-empty explanation


@dataclass
class Chapter:
    name: str
    objectives: bool = False
    summary: bool = False
    quizzes: list = field(default_factory=list)        # one list of QuizItem per show_quiz call
    exercises: dict = field(default_factory=dict)      # label -> {"checker": .., "solution": ..}
    figures: int = 0
    citations: list = field(default_factory=list)
    glossary_links: int = 0
    api_links: int = 0

    @property
    def questions(self) -> list:
        return [q for quiz in self.quizzes for q in quiz]


def _text(node: ast.AST) -> str:
    """A literal string's text; other expressions leave a placeholder."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
    if isinstance(node, ast.BinOp):
        return _text(node.left) + _text(node.right)
    return "{…}"


def _arg(call: ast.Call, index: int, name: str):
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _question(call: ast.Call) -> QuizItem:
    prompt, options = _arg(call, 0, "prompt"), _arg(call, 1, "options")
    item = QuizItem(_text(prompt) if prompt is not None else "", [], [])
    for option in getattr(options, "elts", []):
        parts = option.elts if isinstance(option, ast.Tuple) else [
            _arg(option, i, n) for i, n in enumerate(("text", "correct", "why"))]
        correct, why = (parts + [None, None, None])[1:3]
        item.correct.append(correct.value if isinstance(correct, ast.Constant)
                            and isinstance(correct.value, bool) else None)
        item.explained.append(why is not None and _text(why).strip() != "")
    return item


def _quizzes(source: str) -> list[list[QuizItem]]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    name = lambda c: getattr(c.func, "id", getattr(c.func, "attr", ""))  # noqa: E731
    return [[_question(q) for a in c.args for q in ast.walk(a)
             if isinstance(q, ast.Call) and name(q) == "Question"]
            for c in calls if name(c) == "show_quiz"]


def read_chapter(nb: nbformat.NotebookNode, name: str = "") -> Chapter:
    """What the completeness checks need, from the notebook's cells."""
    chapter = Chapter(name)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    chapter.objectives = "```{admonition} Learning objectives" in markdown
    chapter.summary = re.search(r"^## Summary\b", markdown, re.M) is not None
    chapter.citations = [k.strip() for group in CITE.findall(markdown) for k in group.split(",")]
    chapter.glossary_links = markdown.count("{term}`")
    chapter.api_links = len(API_LINK.findall(markdown))
    chapter.figures = sum("![" in c.source or "```{figure}" in c.source if c.cell_type == "markdown"
                          else DRAWS.search(c.source) is not None for c in nb.cells)
    open_exercise = None
    for cell in nb.cells:
        if cell.cell_type == "code":
            chapter.quizzes += _quizzes(cell.source)
            called = re.findall(r"\b(check_\w+)\(", cell.source)
            if open_exercise and called:
                chapter.exercises[open_exercise]["checker"] = True
                chapter.exercises[open_exercise]["checkers"] = called
            continue
        for label in SOLUTION.findall(cell.source):
            if label in chapter.exercises:
                chapter.exercises[label]["solution"] = True
            open_exercise = None
        for label in EXERCISE.findall(cell.source):
            chapter.exercises[label] = {"checker": False, "solution": False, "checkers": []}
            open_exercise = label
    return chapter


def library_checkers() -> set[str]:
    """The checker functions that dldna.exercises defines."""
    return {name for path in (ROOT / "dldna" / "exercises").glob("*.py")
            for name in re.findall(r"^def (check_\w+)\(", path.read_text(), re.M)}


def problems(chapter: Chapter, known_keys: set[str], checkers: set[str] | None = None) -> list[str]:
    """Everything the chapter still lacks; empty when it is complete.

    ``known_keys`` are the keys of references.bib, ``checkers`` the names of the exercise
    checkers of ``dldna.exercises`` (default: read from the package).
    """
    checkers = library_checkers() if checkers is None else checkers
    found = []
    if not chapter.objectives:
        found.append("no learning objectives (a 'Learning objectives' admonition)")
    if not chapter.summary:
        found.append("no '## Summary' section")
    questions = chapter.questions
    if len(questions) < 3:
        found.append(f"only {len(questions)} quiz questions, need at least 3")
    for q in questions:
        if not all(q.explained):
            found.append(f"quiz option without an explanation in {q.prompt[:50]!r}")
        if None in q.correct:
            found.append("quiz option whose correctness is not a literal True/False in "
                         f"{q.prompt[:50]!r}")
    if questions and not any(WHY.search(q.prompt) for q in questions):
        found.append("no 'why' or misconception question")
    for quiz in chapter.quizzes:
        if len(quiz) > 1 and all(None not in q.correct for q in quiz):
            shown = [Question(q.prompt or "?", [(str(i), c, "?") for i, c in enumerate(q.correct)])
                     for q in quiz]
            places = {[q.options[i].correct for i in order].index(True)
                      for q, order in zip(shown, option_orders(shown))}
            if len(places) < 2:
                found.append("every right quiz answer is shown in the same position")
    if len(chapter.exercises) < 2:
        found.append(f"only {len(chapter.exercises)} exercises, need at least 2")
    for label, parts in chapter.exercises.items():
        if not parts["checker"]:
            found.append(f"exercise {label} has no auto-checker call (check_...) before its "
                         "solution")
        unknown_checkers = sorted(set(parts["checkers"]) - checkers)
        if unknown_checkers:
            found.append(f"exercise {label} calls checkers not in dldna.exercises: "
                         f"{unknown_checkers}")
        if not parts["solution"]:
            found.append(f"exercise {label} has no hidden (dropdown) solution")
    if chapter.figures < 1:
        found.append("no figure")
    if not chapter.citations:
        found.append("no citation")
    unknown = sorted(set(chapter.citations) - known_keys)
    if unknown:
        found.append(f"citations missing from references.bib: {unknown}")
    if not chapter.glossary_links:
        found.append("no link to the glossary ({term}`...`)")
    if not chapter.api_links:
        found.append("no link to the API page ({py:func}`dldna...` or {doc}`api`)")
    return found


def test_the_toc_lists_numbered_chapters():
    assert len(numbered_chapters()) >= 11


@pytest.mark.parametrize("path", numbered_chapters(), ids=lambda p: p.stem)
def test_chapter_is_complete(path):
    chapter = read_chapter(nbformat.read(path, as_version=4), path.stem)
    assert not problems(chapter, bib_keys()), f"{path.name}:\n  " + "\n  ".join(
        problems(chapter, bib_keys()))


# ---------------------------------------------------------------- every check can fail

def _md(text: str):
    return nbformat.v4.new_markdown_cell(text)


def _code(text: str):
    return nbformat.v4.new_code_cell(text)


QUIZ = '''from dldna.book.quiz import Question, show_quiz
show_quiz([
    Question("Why is the sky blue?", [("scattering", True, "Rayleigh."), ("paint", False, "No.")]),
    Question("2 + 2?", [("4", True, "Sums."), ("5", False, "Off by one.")]),
    Question("3 + 3?", [("6", True, "Sums."), ("7", False, "Off by one.")]),
])'''


def _exercise(label: str) -> list:
    return [_md(f"```{{exercise}} Task {label}\n:label: {label}\nDo it.\n```"),
            _code("check_task(answer)"),
            _md(f"```{{solution-start}} {label}\n:class: dropdown\n```"),
            _code("answer = 1"), _md("```{solution-end}\n```")]


def _good_cells() -> dict[str, list]:
    return {
        "objectives": [_md("# 0. Test\n\n```{admonition} Learning objectives\n:class: tip\n"
                           "1. x\n```")],
        "prose": [_md("A {term}`stride` as in {py:func}`dldna.conv.conv2d` "
                      "{cite}`lecun1998gradient`.")],
        "figure": [_code("fig, ax = plt.subplots()")],
        "quiz": [_code(QUIZ)],
        "exercises": _exercise("ex-a") + _exercise("ex-b"),
        "summary": [_md("## Summary\n\n- done")],
    }


def _notebook(**replace) -> Chapter:
    cells = _good_cells()
    cells.update(replace)
    nb = nbformat.v4.new_notebook(cells=[c for part in cells.values() for c in part])
    return read_chapter(nb, "made-up")


KEYS = {"lecun1998gradient"}
CHECKERS = {"check_task"}
BAD = {
    "no learning objectives": dict(objectives=[_md("# 0. Test")]),
    "no '## Summary'": dict(summary=[_md("## In short\n\n- done")]),
    "only 2 quiz questions": dict(quiz=[_code(QUIZ.replace(
        '    Question("3 + 3?", [("6", True, "Sums."), ("7", False, "Off by one.")]),\n', ""))]),
    "option without an explanation": dict(quiz=[_code(QUIZ.replace('"Off by one."', '""', 1))]),
    "not a literal True/False": dict(quiz=[_code(QUIZ.replace('("4", True', '("4", flag'))]),
    "no 'why' or misconception": dict(quiz=[_code(QUIZ.replace("Why is", "Is"))]),
    "only 1 exercises": dict(exercises=_exercise("ex-a")),
    "has no auto-checker": dict(exercises=_exercise("ex-a") + [
        c if "check_" not in c.source else _code("answer = None") for c in _exercise("ex-b")]),
    "has no hidden (dropdown) solution": dict(exercises=_exercise("ex-a") + [
        _md(c.source.replace(":class: dropdown", "")) if "solution-start" in c.source else c
        for c in _exercise("ex-b")]),
    "calls checkers not in dldna.exercises": dict(exercises=_exercise("ex-a") + [
        _code("check_typo(answer)") if "check_" in c.source else c for c in _exercise("ex-b")]),
    "no figure": dict(figure=[_code("x = 1")]),
    "no citation": dict(prose=[_md("A {term}`stride` as in {py:func}`dldna.conv.conv2d`.")]),
    "missing from references.bib": dict(prose=[_md(
        "A {term}`stride` in {py:func}`dldna.conv.conv2d` {cite}`lecun1998gradient,nobody2099`.")]),
    "no link to the glossary": dict(prose=[_md(
        "A stride as in {py:func}`dldna.conv.conv2d` {cite}`lecun1998gradient`.")]),
    "no link to the API page": dict(prose=[_md("A {term}`stride` {cite}`lecun1998gradient`.")]),
}


def test_the_made_up_good_notebook_passes():
    assert problems(_notebook(), KEYS, CHECKERS) == []


@pytest.mark.parametrize("expected", BAD)
def test_each_check_can_fail(expected):
    found = problems(_notebook(**BAD[expected]), KEYS, CHECKERS)
    assert len(found) == 1 and expected in found[0], found


def test_right_answers_all_in_one_place_fail():
    """option_orders never allows it, so the check is shown failing on a stand-in for it."""
    import dldna.book.quiz as quiz

    original = quiz.option_orders
    try:
        globals()["option_orders"] = lambda qs: [tuple(range(len(q.options))) for q in qs]
        found = problems(_notebook(), KEYS, CHECKERS)
    finally:
        globals()["option_orders"] = original
    assert found == ["every right quiz answer is shown in the same position"]


def table() -> str:
    rows = ["| chapter | objectives | summary | quiz questions | exercises | figure cells | "
            "citations (distinct) | glossary links | API links |",
            "|---|---|---|---|---|---|---|---|---|"]
    for path in toc_notebooks():
        c = read_chapter(nbformat.read(path, as_version=4), path.stem)
        rows.append(f"| {path.stem} | {'yes' if c.objectives else 'no'} | "
                    f"{'yes' if c.summary else 'no'} | {len(c.questions)} | {len(c.exercises)} | "
                    f"{c.figures} | {len(c.citations)} ({len(set(c.citations))}) | "
                    f"{c.glossary_links} | {c.api_links} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())


# ---------------------------------------------------------------- back matter covers every chapter

def _number(path: Path) -> int:
    return int(path.name.split("_")[0])


@pytest.mark.parametrize("page, pattern", [
    ("reflection.md",
     r"^## {n}\. .+\n\n\*\*.+\n(?:.+\n)*?\n:::\{{admonition\}} What to think about"),
    ("for_teachers.md", r"\{{doc\}}`{stem}`|\b{n}\. [A-Z]"),
])
def test_back_matter_covers_every_numbered_chapter(page, pattern):
    text = (ROOT / "book" / page).read_text()
    missing = [p.stem for p in numbered_chapters()
               if not re.search(pattern.format(n=_number(p), stem=p.stem), text, re.M)]
    assert not missing, f"book/{page} lacks chapters {missing}"


def test_reflection_asks_the_syllabus_questions():
    text = (ROOT / "book" / "reflection.md").read_text()
    for phrase in ("degradation exist", "architecture matter more than parameter count",
                   "chapter 9's table", "Invariance against discrimination",
                   "1-point accuracy gain"):
        assert phrase.lower() in text.lower(), phrase
