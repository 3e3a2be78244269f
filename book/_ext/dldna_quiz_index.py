"""The quiz index: every question of the book, by chapter, on one page (``book/quiz_index.md``).

When Sphinx reads that page, a section is added for every chapter of the TOC that shows a quiz
(its title from the notebook's first heading, a link to it) with a ``{quiz-of}`` placeholder.
When the page is written, each placeholder is replaced by a copy of the quiz that the chapter's
own execution rendered in this build — the HTML output of its ``show_quiz`` cell, made from the
chapter's question objects. The index therefore shows the same questions, options, order and
explanations as the chapters and cannot drift; like them it needs no JavaScript or network. The
page is re-read whenever a chapter's notebook changes, so it is never older than the chapters.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

PAGE = "book/quiz_index"
QUIZ_MARK = 'class="dldna-quiz"'
logger = logging.getLogger(__name__)


def toc_files(toc: dict) -> list[str]:
    """Every file of a jupyter-book ``_toc.yml`` (parsed), in reading order."""
    def walk(entries) -> list[str]:
        files = []
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            files += walk(entry.get("sections")) + walk(entry.get("chapters"))
        return files

    return [toc["root"]] + walk(toc.get("parts")) + walk(toc.get("chapters"))


def notebook_title(path: Path) -> str:
    """The text of the notebook's first ``# `` heading."""
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^# (.+)$", "".join(cell["source"]), re.M)
            if match:
                return match.group(1).strip()
    return path.stem


def quiz_chapters(srcdir: Path, files: list[str]) -> list[tuple[str, str]]:
    """(docname, title) of every notebook among ``files`` whose code shows a quiz."""
    chapters = []
    for file in files:
        path = srcdir / f"{file}.ipynb"
        if path.exists() and any(c["cell_type"] == "code" and "show_quiz(" in "".join(c["source"])
                                 for c in json.loads(path.read_text())["cells"]):
            chapters.append((file, notebook_title(path)))
    return chapters


def index_source(chapters: list[tuple[str, str]]) -> str:
    """The MyST text appended to the quiz-index page: one section per chapter."""
    parts = []
    for docname, title in chapters:
        parts.append(f"\n## {title}\n\nFrom {{doc}}`/{docname}`:\n\n"
                     f"```{{quiz-of}} {docname}\n```\n")
    return "".join(parts)


def quizzes_in(doctree: nodes.Node) -> list[nodes.raw]:
    """The rendered quizzes (raw HTML outputs of ``show_quiz``) in a chapter's doctree."""
    return [n for n in doctree.findall(nodes.raw) if QUIZ_MARK in n.astext()]


class quiz_placeholder(nodes.General, nodes.Element):
    """Where a chapter's quiz goes; filled in when the index page is written."""


class QuizOf(SphinxDirective):
    """``{quiz-of} docname``: the quiz of that chapter, as rendered in this build."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        docname = self.arguments[0]
        self.env.note_dependency(str(Path(self.env.srcdir) / f"{docname}.ipynb"))
        return [quiz_placeholder(docname=docname)]


def _toc(app) -> dict:
    path = Path(app.config.external_toc_path)
    if not path.is_absolute():
        path = Path(app.confdir) / path
    return yaml.safe_load(path.read_text())


def _add_sections(app, docname: str, source: list[str]) -> None:
    if docname == PAGE:
        source[0] += index_source(quiz_chapters(Path(app.srcdir), toc_files(_toc(app))))


def _fill_placeholders(app, doctree, docname: str) -> None:
    for placeholder in list(doctree.findall(quiz_placeholder)):
        chapter = placeholder["docname"]
        quizzes = quizzes_in(app.env.get_doctree(chapter))
        if not quizzes:
            logger.warning(f"quiz index: {chapter} shows no quiz in this build",
                           location=(docname, placeholder.line))
        placeholder.replace_self([q.deepcopy() for q in quizzes])


def setup(app):
    app.add_node(quiz_placeholder)
    app.add_directive("quiz-of", QuizOf)
    app.connect("source-read", _add_sections)
    app.connect("doctree-resolved", _fill_placeholders)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
