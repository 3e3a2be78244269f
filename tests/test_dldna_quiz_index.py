"""book/_ext/dldna_quiz_index.py: which chapters the quiz index lists, the page text it adds, and
the quizzes it finds in a chapter's doctree; plus the off-navigation page of dldna_pages."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from docutils import nodes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import dldna_pages  # noqa: E402
import dldna_quiz_index as qi  # noqa: E402

from dldna.book.quiz import Question, render_quiz  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, title: str, code: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": [f"# {title}\n", "text"]},
        {"cell_type": "code", "source": [code]}]}))


def test_every_toc_chapter_with_a_quiz_is_listed_in_order(tmp_path):
    _notebook(tmp_path / "book" / "02_b.ipynb", "2. Bee", "show_quiz([q])")
    _notebook(tmp_path / "book" / "01_a.ipynb", "1. Ay", "show_quiz([q])")
    _notebook(tmp_path / "book" / "intro.ipynb", "Intro", "print(1)")
    toc = {"root": "book/intro", "parts": [{"chapters": [
        {"file": "book/02_b"}, {"file": "book/notes"}, {"file": "book/01_a"}]}]}
    chapters = qi.quiz_chapters(tmp_path, qi.toc_files(toc))
    assert chapters == [("book/02_b", "2. Bee"), ("book/01_a", "1. Ay")]
    source = qi.index_source(chapters)
    assert source.index("## 2. Bee") < source.index("## 1. Ay")
    assert "```{quiz-of} book/01_a\n```" in source and "{doc}`/book/01_a`" in source


def test_the_book_toc_gives_every_numbered_chapter():
    files = qi.toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    chapters = [d for d, _ in qi.quiz_chapters(ROOT, files)]
    numbered = [f for f in files if Path(f).name[:2].isdigit()]
    assert chapters == numbered and len(chapters) >= 11


def test_only_rendered_quizzes_are_taken_from_a_doctree():
    quiz = render_quiz([Question("2 + 2?", [("4", True, "sum"), ("5", False, "off by one")])])
    section = nodes.section()
    section += nodes.raw("", "<p>other html</p>", format="html")
    section += nodes.raw("", quiz, format="html")
    section += nodes.paragraph(text='class="dldna-quiz" in prose is not a quiz')
    found = qi.quizzes_in(section)
    assert len(found) == 1 and "off by one" in found[0].astext()


def test_execution_statistics_is_built_but_not_in_the_navigation():
    toc = qi.toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    assert "book/exec_stats" not in toc
    assert "orphan: true" in (ROOT / "book" / "exec_stats.md").read_text().split("---")[1]
    assert "{doc}`exec_stats`" in (ROOT / "book" / "how_to_use.md").read_text()
    config = {"exclude_patterns": ["_build", "book/exec_stats.md", "book/draft.md"]}
    dldna_pages._build_off_navigation_pages(None, config)
    assert config["exclude_patterns"] == ["_build", "book/draft.md"]


def test_back_matter_pages_are_in_the_toc():
    toc = qi.toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    for page in ("book/quiz_index", "book/reflection", "book/for_teachers"):
        assert page in toc and (ROOT / f"{page}.md").exists()
