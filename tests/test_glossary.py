"""The glossary is complete: every {term} reference of the pages in _toc.yml resolves to an entry
(Sphinx compares terms case-insensitively), and every bold technical term has an entry.

Bold marks two things in this book: a term where it is introduced, and plain stress. Run-in labels
(bold text ending in "." ":" "?" or "!") and bold text that holds a role are not terms; the stress
and labels that are not technical terms are listed in EMPHASIS, so a newly bolded term without an
entry fails here until it gets one (or is added to that list, for stress).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_build import ROOT, toc_documents  # noqa: E402

GLOSSARY = ROOT / "book" / "glossary.md"
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
BOLD = re.compile(r"\*\*([^*]+?)\*\*")

# Bold used for stress or as a list label, not a technical term (reviewed one by one).
EMPHASIS = {
    # front matter: labels of lists
    "python and numpy", "mathematics", "pytorch and training", "colab", "widgets", "quizzes",
    "exercises", "part i — convolution", "part ii — architectures", "part iii — training practice",
    # profile names (the glossary's "Execution profile" explains them)
    "smoke", "cpu", "gpu",
    # stress of ordinary words
    "all", "and", "every", "not", "one", "our", "same", "small", "fast", "plain", "residual",
    "signed", "periodic", "expands", "projects", "modules", "operations", "step", "one stage",
    "same parameter count", "same scaling code", "no activation", "never changes the label",
    "mix channels", "top to bottom", "from the built model", "learn the nine numbers from examples",
    "now, on the machine that built this page", "memory early, parameters late",
    "a searched, balanced shape", "a stronger training recipe", "cheaper operators", "stage table",
    "expand 1×1 → depthwise k×k → se → project 1×1", "warm-up → cosine", "training accuracy",
    # numbers and sizes stressed in the prose
    "192", "260×260", "b2 at 288×288",
    # list labels without a final full stop
    "try it", "a convolution layer", "a nonlinearity", "1×1 reductions", "several scales per layer",
    "depthwise convolution moved up and enlarged to 7×7",
}


def glossary_entries(text: str) -> list[list[str]]:
    """The terms of each entry of the ``{glossary}`` block (an entry may list several terms)."""
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries, terms, defined = [], [], False
    for line in block.splitlines():
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            defined = True
            continue
        if defined:
            entries.append(terms)
            terms, defined = [], False
        terms.append(line.strip())
    if terms:
        entries.append(terms)
    return entries


def _names(term: str) -> set[str]:
    """A term and the names inside it that a bold word may use: "Kernel (filter)" gives
    "kernel (filter)", "kernel" and "filter"; "Top-1 / top-5 error" gives both sides."""
    names = {term.lower()}
    outer = re.sub(r"\s*\(([^)]*)\)", "", term).strip()
    names |= {outer.lower()} | {m.lower() for m in re.findall(r"\(([^)]*)\)", term)}
    names |= {part.strip().lower() for part in outer.split(" / ")}
    return names


def _singular(text: str) -> str:
    return text[:-1] if text.endswith("s") and not text.endswith("ss") else text


def has_entry(bold: str, entries: list[list[str]]) -> bool:
    wanted = _singular(" ".join(bold.lower().split()))
    for terms in entries:
        for name in set().union(*(_names(t) for t in terms)):
            if _singular(name) == wanted or name.startswith(wanted + " "):
                return True
    return False


def is_term_candidate(bold: str) -> bool:
    text = " ".join(bold.split())
    return not (text.endswith((".", ":", "?", "!")) or "{" in text or
                text.lower() in EMPHASIS)


def page_texts() -> dict[str, str]:
    """The Markdown of every page in the TOC (notebooks: their Markdown cells)."""
    texts = {}
    for doc in toc_documents():
        notebook, markdown = ROOT / f"{doc}.ipynb", ROOT / f"{doc}.md"
        if notebook.exists():
            nb = nbformat.read(notebook, as_version=4)
            texts[doc] = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        elif markdown.exists():
            texts[doc] = markdown.read_text()
    return texts


def unresolved_terms(text: str, entries: list[list[str]]) -> list[str]:
    known = {t.lower() for terms in entries for t in terms}
    targets = [re.sub(r".*<(.+)>\s*$", r"\1", ref, flags=re.S).strip()
               for ref in TERM_ROLE.findall(text)]
    return [t for t in targets if " ".join(t.lower().split()) not in known]


def bold_without_entry(text: str, entries: list[list[str]]) -> list[str]:
    return [b for b in BOLD.findall(text) if is_term_candidate(b) and not has_entry(b, entries)]


ENTRIES = glossary_entries(GLOSSARY.read_text())


def test_the_glossary_has_entries_each_defined_once():
    terms = [t.lower() for entry in ENTRIES for t in entry]
    assert len(ENTRIES) >= 80
    assert len(terms) == len(set(terms)), sorted(t for t in terms if terms.count(t) > 1)


def test_the_glossary_page_is_in_the_toc():
    assert "book/glossary" in toc_documents()


@pytest.mark.parametrize("doc", sorted(page_texts()))
def test_every_term_reference_resolves(doc):
    assert not unresolved_terms(page_texts()[doc], ENTRIES)


@pytest.mark.parametrize("doc", sorted(page_texts()))
def test_every_bold_technical_term_has_an_entry(doc):
    missing = bold_without_entry(page_texts()[doc], ENTRIES)
    assert not missing, f"{doc}: bold terms without a glossary entry: {missing}"


def test_the_checks_can_fail():
    entries = glossary_entries(
        "```{glossary}\nKernel (filter)\n  weights.\n\nStride\nStep\n  moves.\n```")
    assert entries == [["Kernel (filter)"], ["Stride", "Step"]]
    text = ("A **filter**, two **strides**, a **Pooling** layer; **Try it.**; "
            "{term}`kernel <Kernel (filter)>`, {term}`step`, {term}`pool`.")
    assert bold_without_entry(text, entries) == ["Pooling"]
    assert unresolved_terms(text, entries) == ["pool"]
