"""The book as a whole: notebooks in sync, every chapter executes (smoke profile, no network),
and the HTML builds with warnings as errors. Browser checks are in test_browser.py."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

import nbformat
import pytest

from book_build import HTML, ROOT, toc_notebooks

pytestmark = pytest.mark.xdist_group("book")
NOTEBOOKS = toc_notebooks()


def test_notebooks_are_synced_and_stored_without_outputs():
    result = subprocess.run([sys.executable, "tools/sync_notebooks.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path


def test_install_cell_points_at_the_configured_repository():
    sys.path.insert(0, str(ROOT / "tools"))
    from sync_notebooks import MARKER, repository_url

    url = repository_url()
    for path in NOTEBOOKS:
        first_code = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert first_code.source.startswith(MARKER), path
        assert f"git+{url}.git" in first_code.source and "torch" not in first_code.source.split("\n", 1)[1]


def test_every_toc_entry_exists_and_no_notebook_is_orphaned():
    from book_build import toc_documents

    docs = toc_documents()
    for doc in docs:
        assert any((ROOT / f"{doc}{suffix}").exists() for suffix in (".ipynb", ".md")), doc
    listed = {ROOT / f"{doc}.ipynb" for doc in docs}
    orphans = [p.name for p in (ROOT / "book").glob("*.ipynb") if p not in listed]
    assert not orphans, f"notebooks missing from _toc.yml: {orphans}"


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_notebook_executes_in_smoke_profile(executions, name):
    run = executions[name]
    assert run.error is None, f"{name} failed after {run.seconds:.1f} s:\n{run.error[-4000:]}"


def test_book_builds_with_warnings_as_errors(built_html):
    returncode, log = built_html
    warnings = [line for line in log.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert returncode == 0 and not warnings, "\n".join(warnings[-40:]) or log[-4000:]
    assert (HTML / "book" / "01_filters.html").exists()
    # The build reused the executions above instead of running the chapters again.
    assert "Executing notebook" not in log


def test_glued_numbers_and_citations_resolved(built_html):
    for page in HTML.glob("book/*.html"):
        text = re.sub(r"<code.*?</code>|<pre.*?</pre>", "", page.read_text(), flags=re.S)
        assert "{glue" not in text and "{cite}" not in text, page.name


def test_colab_button_on_every_chapter(built_html):
    for path in NOTEBOOKS:
        page = (HTML / path.relative_to(ROOT)).with_suffix(".html").read_text()
        assert f"colab.research.google.com/github/" in page and path.name in page, path.name


def test_every_chapter_shows_its_quiz_once(built_html):
    for path in NOTEBOOKS:
        if path.name == "intro.ipynb":
            continue
        page = (HTML / path.relative_to(ROOT)).with_suffix(".html").read_text()
        assert page.count('<div class="dldna-quiz">') == 1, path.name


def _checker_titles() -> str:
    return "".join(p.read_text() for p in sorted((ROOT / "dldna" / "exercises").glob("*.py")))


def test_exercise_headings_are_the_titles_their_checkers_print():
    """Chapter NN's exercises are numbered NN.1, NN.2, ... in order (book/_ext/dldna_book.py);
    the checker of NN.k prints "Exercise NN.k (title)" with the title of the k-th heading."""
    checkers = _checker_titles()
    for path in NOTEBOOKS:
        chapter = re.match(r"(\d+)_", path.name)
        if not chapter:
            continue
        nb = nbformat.read(path, as_version=4)
        headings = [t.strip().lower() for c in nb.cells if c.cell_type == "markdown"
                    for t in re.findall(r"```\{exercise\} (.+)", c.source)]
        printed = dict(re.findall(rf'Feedback\(\s*"Exercise {int(chapter[1])}\.(\d+) \((.+?)\)"',
                                  checkers))
        assert len(headings) >= 2, path.name
        assert {int(k) for k in printed} <= set(range(1, len(headings) + 1)), (path.name, printed)
        for k, title in printed.items():
            assert headings[int(k) - 1] == title.lower(), (path.name, k, title, headings)


def test_exercises_are_numbered_per_chapter_like_their_checkers(built_html):
    """Exercise NN.k in the HTML (book/_ext/dldna_book.py) is the title its checker prints."""
    checker_titles = _checker_titles()
    for path in NOTEBOOKS:
        chapter = re.match(r"(\d+)_", path.name)
        if not chapter:
            continue
        page = (HTML / path.relative_to(ROOT)).with_suffix(".html").read_text()
        n = int(chapter[1])
        shown = {int(k) for k in re.findall(rf"Exercise {n}\.(\d+)", page)}
        checked = {int(k) for k in re.findall(rf'Feedback\(\s*"Exercise {n}\.(\d+)', checker_titles)}
        assert len(shown) >= 2 and shown == set(range(1, len(shown) + 1)), (path.name, shown)
        assert checked <= shown, f"{path.name}: checkers {sorted(checked)}, headings {sorted(shown)}"
        assert not re.search(r"Exercise \d+ ", re.sub(r"Exercise \d+\.\d+", "", page)), path.name


# ---------------------------------------------------------------- what a reader sees in code cells

HIDDEN_TAGS = {"remove-input", "remove-cell"}


def _is_text(node) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str))


def _is_phrase(node) -> bool:
    """Words for the reader ("to within 1e-7"), not a setting such as a colour ("tab:blue")."""
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    return any(isinstance(p, ast.Constant) and isinstance(p.value, str) and " " in p.value.strip()
               for p in parts)


def _is_verdict(body, orelse) -> bool:
    return _is_text(body) and _is_text(orelse) and (_is_phrase(body) or _is_phrase(orelse))


def plumbing_in_cell(source: str) -> list[str]:
    """What a reader-visible code cell should not hold: ``glue(...)`` calls, and verdict strings
    chosen by if/else (``"exactly" if d == 0 else "..."``) that only feed the prose."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "glue":
            found.append(f"line {node.lineno}: glue(...)")
        elif isinstance(node, ast.IfExp) and _is_verdict(node.body, node.orelse):
            found.append(f"line {node.lineno}: verdict string chosen by if/else")
        elif isinstance(node, ast.If) and node.orelse and all(
                isinstance(s, ast.Assign) and _is_text(s.value) for s in node.body + node.orelse
        ) and any(_is_phrase(s.value) for s in node.body + node.orelse):
            found.append(f"line {node.lineno}: verdict string chosen by if/else")
    return found


def test_plumbing_detector_finds_glue_and_verdicts_only():
    assert plumbing_in_cell("x = 1\nglue('a', x)") == ["line 2: glue(...)"]
    assert plumbing_in_cell("nb.glue('a', 1)") == ["line 1: glue(...)"]
    assert plumbing_in_cell("v = 'exactly' if ok else f'to within {d}'") == [
        "line 1: verdict string chosen by if/else"]
    assert plumbing_in_cell("if ok:\n    v = 'it helps'\nelse:\n    v = 'no'") == [
        "line 1: verdict string chosen by if/else"]
    assert plumbing_in_cell("ax.plot(x, color='tab:orange' if aux else 'tab:blue')") == []
    assert plumbing_in_cell("%matplotlib inline\ny = x if x > 0 else 0\nprint(y)") == []


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_no_glue_or_verdict_plumbing_in_reader_visible_cells(name):
    nb = nbformat.read(ROOT / "book" / name, as_version=4)
    bad = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        bad += [f"cell {index}, {what}" for what in plumbing_in_cell(cell.source)]
    assert not bad, (f"{name}: move these into a cell tagged remove-input (or a library "
                     "function):\n" + "\n".join(bad))
