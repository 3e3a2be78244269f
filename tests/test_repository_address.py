"""The repository address lives in one place, ``repository.url`` in _config.yml. Every notebook's
Colab install cell, every Colab launch link and every ``git+`` install source in the repository's
text files use that value, and the built pages' Colab buttons point to it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_build import HTML, ROOT, toc_notebooks  # noqa: E402

from tools.sync_notebooks import MARKER, install_cell_source, repository_url  # noqa: E402

# Where a repository address can appear: a Colab launch link, a pip/git install source.
ADDRESS = re.compile(r"(?:colab\.research\.google\.com/github/|git\+https://github\.com/)"
                     r"([\w.-]+/[\w-]+)")
SKIP = (".bib", ".lock", "package-lock.json", ".png", ".svg", ".ico", ".woff", ".woff2")


def configured() -> str:
    """owner/name from _config.yml."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w-]+)", url)
    assert match, f"_config.yml: repository.url must be https://github.com/OWNER/NAME, not {url!r}"
    return match.group(1)


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    return [ROOT / n for n in names if not n.endswith(SKIP) and not n.startswith("vendor/")
            and (ROOT / n).is_file()]


def wrong_addresses(text: str, expected: str) -> list[str]:
    return sorted({a for a in ADDRESS.findall(text) if a != expected})


def test_the_address_is_configured_once():
    assert repository_url() == f"https://github.com/{configured()}"


@pytest.mark.parametrize("path", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_install_cell_uses_the_configured_address(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(MARKER)]
    assert len(cells) == 1, f"{path.name}: expected one Colab install cell, found {len(cells)}"
    assert cells[0].source == install_cell_source(), (
        f"{path.name}: install cell differs from _config.yml's address; run `make sync-notebooks`")
    assert f"git+https://github.com/{configured()}.git" in cells[0].source


def test_every_launch_link_and_install_source_uses_the_configured_address():
    expected = configured()
    found = {str(p.relative_to(ROOT)): wrong for p in tracked_text_files()
             if (wrong := wrong_addresses(p.read_text(errors="ignore"), expected))}
    assert not found, f"addresses other than {expected} (from _config.yml): {found}"


def test_the_readme_says_how_to_change_the_address():
    readme = (ROOT / "README.md").read_text()
    assert "repository.url" in readme and "make sync-notebooks" in readme
    assert f"colab.research.google.com/github/{configured()}/" in readme


def test_the_check_can_fail():
    # Joined at run time, so that this file holds no wrong address for the scan above to find.
    text = ("open https://colab.research.google.com/" + "github/someone/fork/blob/main/x.ipynb or "
            'pip install "git+https://github.com/' + 'dldna/cnn-book.git"')
    assert wrong_addresses(text, "dldna/cnn-book") == ["someone/fork"]
    assert wrong_addresses(text, "someone/fork") == ["dldna/cnn-book"]


@pytest.mark.xdist_group("book")
def test_built_colab_buttons_use_the_configured_address(built_html):
    returncode, _ = built_html
    assert returncode == 0, "the book did not build"
    for path in toc_notebooks():
        page = (HTML / path.relative_to(ROOT)).with_suffix(".html").read_text()
        links = re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w-]+)", page)
        assert links and set(links) == {configured()}, (path.name, set(links))
