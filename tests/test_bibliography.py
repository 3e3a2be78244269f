"""references.bib is complete and holds nothing else: every {cite} of the pages in _toc.yml has
an entry, every entry is cited somewhere, no key is defined twice, and each entry names its
authors, title and year."""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_build import ROOT, toc_documents  # noqa: E402
from test_glossary import page_texts  # noqa: E402

BIB = ROOT / "book" / "references.bib"
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
ENTRY = re.compile(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)(?=^@|\Z)", re.M | re.S)


def bib_entries(text: str) -> list[tuple[str, str, str]]:
    """(type, key, body) of every entry, comments and @string excluded."""
    return [(kind.lower(), key, body) for kind, key, body in ENTRY.findall(text)
            if kind.lower() not in ("comment", "string", "preamble")]


def cited_keys(texts: dict[str, str]) -> dict[str, set[str]]:
    """Key -> the pages that cite it."""
    cited: dict[str, set[str]] = {}
    for doc, text in texts.items():
        for group in CITE.findall(text):
            for key in group.split(","):
                cited.setdefault(key.strip(), set()).add(doc)
    return cited


def problems(bib_text: str, texts: dict[str, str]) -> list[str]:
    entries = bib_entries(bib_text)
    keys = [key for _, key, _ in entries]
    cited = cited_keys(texts)
    found = [f"{key} is defined {keys.count(key)} times" for key in sorted(set(keys))
             if keys.count(key) > 1]
    found += [f"{key} (cited in {sorted(cited[key])}) has no entry"
              for key in sorted(set(cited) - set(keys))]
    found += [f"{key} is never cited" for key in sorted(set(keys) - set(cited))]
    for _, key, body in entries:
        for name in ("author", "title", "year"):
            if not re.search(rf"^\s*{name}\s*=", body, re.M | re.I) and not re.search(
                    rf"[,{{\s]{name}\s*=", body, re.I):
                found.append(f"{key} has no {name}")
    return found


def test_the_bibliography_page_is_in_the_toc():
    assert "book/bibliography" in toc_documents()
    assert "{bibliography}" in (ROOT / "book" / "bibliography.md").read_text()


def test_every_citation_resolves_and_every_entry_is_cited():
    assert problems(BIB.read_text(), page_texts()) == []


def test_the_checks_can_fail():
    bib = ("@article{a2000, author = {A}, title = {T}, year = {2000}}\n"
           "@article{a2000, author = {A}, title = {T}, year = {2000}}\n"
           "@book{b2001, author = {B}, year = {2001}}\n"
           "@misc{c2002, author = {C}, title = {T}, year = {2002}}\n")
    texts = {"book/x": "See {cite}`a2000,b2001` and {cite:t}`d2003`."}
    assert problems(bib, texts) == ["a2000 is defined 2 times",
                                    "d2003 (cited in ['book/x']) has no entry",
                                    "c2002 is never cited", "b2001 has no title"]
