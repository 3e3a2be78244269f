"""Visible code cells must not use names that only hidden cells define.

A reader of the HTML book sees neither the input of a ``remove-input`` cell nor anything of a
``remove-cell`` one, so a name defined only there looks undefined where a visible cell uses it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
HIDDEN_TAGS = {"remove-input", "remove-cell"}


def _tree(source: str) -> ast.Module:
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def _defined(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _used(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def hidden_names_used(cells) -> list[str]:
    """``"cell N uses NAME"`` for each name a visible code cell uses that, up to that cell,
    only hidden cells have defined.

    Args:
        cells: notebook cells (nbformat nodes or dicts with ``cell_type``, ``source`` and
            ``metadata``).
    """
    hidden, visible, found = set(), set(), []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        tree = _tree(cell["source"])
        if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            hidden |= _defined(tree)
            continue
        mine = _defined(tree)
        found += [f"cell {index} uses {name}"
                  for name in sorted(_used(tree) & (hidden - visible - mine))]
        visible |= mine
    return found


CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_visible_cells_use_only_visible_names(path):
    problems = hidden_names_used(nbformat.read(path, as_version=4).cells)
    assert not problems, f"{path.name}: " + "; ".join(problems)


def _cell(source, *tags):
    return {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}}


def test_the_check_finds_a_name_defined_only_in_a_hidden_cell():
    cells = [_cell("x = 1", "remove-input"), _cell("print(x)")]
    assert hidden_names_used(cells) == ["cell 1 uses x"]
    assert hidden_names_used([_cell("x = 1", "remove-cell"), _cell("x = 2\nprint(x)")]) == []
    assert hidden_names_used([_cell("x = 1"), _cell("y = x", "remove-input"),
                              _cell("print(x)")]) == []
