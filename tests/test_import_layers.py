"""The layering rule of dldna (see its package docstring), checked on the source with ``ast``.

Every ``import`` and ``from … import`` of a dldna module, at the top of a file or inside a
function, is an edge. The test fails when a module imports from a higher layer, or when the
modules import each other in a cycle. The compat layer (the old paths in ``dldna._moved``,
``chapter_07``, ``filter_utils``, ``train_resnet``, ``distributed``) may import anything, but
nothing below it may import the compat layer.
"""
from __future__ import annotations

import ast
import importlib
import warnings
from pathlib import Path

import pytest

from dldna._moved import FACADES, MOVED

ROOT = Path(__file__).resolve().parents[1] / "dldna"

# First component under dldna -> layer. Planned subpackages are listed so they land in place.
LAYERS = {
    "_moved": 0, "config": 0, "checkpoint": 0, "plotting": 0,
    "conv": 1, "data": 1, "filters": 1,
    "models": 2, "pretrained": 2,
    "train": 3, "measure": 3, "explain": 3, "transfer": 3, "evaluate": 3, "deploy": 3,
    "experiments": 4,
    "book": 5, "exercises": 5, "widgets": 5, "bench": 5,
    "chapter_07": 6, "filter_utils": 6, "train_resnet": 6, "distributed": 6,
}
COMPAT = 6
TOP = 1  # ``import dldna`` / ``from dldna import X``: the package's own names (config, conv)


def module_name(path: Path) -> str:
    parts = ["dldna", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The dldna modules (or names in them) that the file at ``path`` imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "dldna")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "dldna":
                continue
            # ``from pkg import sub`` imports the submodule when there is one
            subs = [f"{target}.{a.name}" for a in node.names if is_module(f"{target}.{a.name}")]
            found.update(subs or [target])
    return found


def is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists() \
        or name in MOVED


def layer(name: str) -> int:
    if name in MOVED:
        return COMPAT
    parts = name.split(".")
    if len(parts) == 1:
        return TOP
    if parts[1] not in LAYERS:
        raise AssertionError(f"{name}: not in the layer table of tests/test_import_layers.py "
                             "(add the new subpackage there and to dldna's docstring)")
    return LAYERS[parts[1]]


def graph() -> dict[str, set[str]]:
    edges = {}
    for path in sorted(ROOT.rglob("*.py")):
        name = module_name(path)
        edges[name] = {m for m in imported(path) if m != name}
    return edges


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a list of modules, first repeated at the end), or ``None``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            nxt = MOVED.get(nxt, nxt)
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt in edges and not state.get(nxt):
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if not state.get(start):
            found = visit(start)
            if found:
                return found
    return None


def test_every_module_is_in_a_layer():
    for name in graph():
        layer(name)


def test_no_module_imports_from_a_higher_layer():
    upward = [f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
              for name, targets in graph().items() for target in sorted(targets)
              if layer(target) > layer(name) and not name == "dldna"]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_only_the_package_root_installs_the_compat_layer():
    top = graph()["dldna"]
    assert top <= {"dldna._moved", "dldna.config", "dldna.conv"}, top


def test_no_import_cycle():
    found = cycle({n: t for n, t in graph().items() if n != "dldna"})
    assert found is None, "import cycle: " + " -> ".join(found)


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_layer_rule_sees_relative_and_function_level_imports(tmp_path, monkeypatch):
    pkg = tmp_path / "dldna" / "models"
    pkg.mkdir(parents=True)
    (pkg / "x.py").write_text("from ..config import get_device\n"
                              "def f():\n    from ..experiments import recipes\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path / "dldna")
    assert imported(pkg / "x.py") == {"dldna.config", "dldna.experiments"}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_path_gives_the_new_module_and_warns(old):
    new = importlib.import_module(MOVED[old])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import sys
        sys.modules.pop(old, None)
        module = importlib.import_module(old)
    assert module is new
    assert module.__spec__.name == MOVED[old]  # the real module keeps its own spec
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    if old in FACADES:
        assert not deprecations
    else:
        assert deprecations and MOVED[old] in str(deprecations[0].message)


def test_no_file_is_left_at_an_old_path():
    # a file there would shadow the alias and make git see an edit instead of a rename
    left = [old for old in MOVED if (ROOT / (old.split(".", 1)[1] + ".py")).exists()]
    assert not left
