"""Keep every chapter notebook in the shape the book expects.

* The first code cell installs ``dldna`` in Colab only (torch/torchvision are never reinstalled);
  its repository URL comes from ``_config.yml`` (the one place it lives).
* Outputs and execution counts are stripped: the build executes the notebooks.

``python tools/sync_notebooks.py`` rewrites; ``--check`` only reports (used by the tests).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

from dldna.book.notebook import count

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# dldna: Colab install cell"


def repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/")


def install_cell_source(url: str | None = None) -> str:
    url = url or repository_url()
    return "\n".join([
        f"{MARKER} (runs only in Colab; torch and torchvision there are kept as they are).",
        "import os, sys",
        'if "google.colab" in sys.modules or os.environ.get("DLDNA_INSTALL_FROM"):',
        f'    _source = os.environ.get("DLDNA_INSTALL_FROM", "git+{url}.git")',
        '    %pip install --quiet "{_source}"',
    ])


def synced(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(install_cell_source())
    cell.metadata["tags"] = ["remove-cell"]
    cells = [c for c in nb.cells if not (c.cell_type == "code" and c.source.startswith(MARKER))]
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    cells.insert(first_code, cell)
    for c in cells:
        c.pop("id", None)
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nb


def notebooks() -> list[Path]:
    return sorted((ROOT / "book").glob("*.ipynb"))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    chosen = [Path(a).resolve() for a in argv if a != "--check"]  # default: every chapter
    stale = []
    chosen = chosen or notebooks()
    for path in chosen:
        before = path.read_text()
        nb = synced(nbformat.reads(before, as_version=4))
        after = nbformat.writes(nb) + "\n"
        if after != before:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.write_text(after)
    if check and stale:
        print("notebooks out of sync (run `make sync-notebooks`):", *stale, sep="\n  ")
        return 1
    print(f"{'checked' if check else 'synced'} {count(len(chosen), 'notebook')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
