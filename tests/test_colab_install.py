"""The Colab install cell, run in a fresh environment that has the scientific stack (as Colab has)
but not ``dldna``: pointed at this checkout, it installs dldna — and only dldna — and the chapter
then runs top to bottom."""
from __future__ import annotations

import json
import site
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
# What a fresh venv brings itself, and what Colab would not have: dldna.
SKIP = ("dldna", "__editable__", "pip", "setuptools", "_distutils_hack", "pkg_resources",
        "distutils-precedence.pth")


def _fresh_env(tmp: Path) -> Path:
    """A new venv that sees the installed packages of the test environment, except dldna."""
    venv = tmp / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    farm = tmp / "stack"
    farm.mkdir()
    for entry in Path(site.getsitepackages()[0]).iterdir():
        if not entry.name.startswith(SKIP):
            (farm / entry.name).symlink_to(entry)
    fresh_site = next((venv / "lib").glob("python3*/site-packages"))
    (fresh_site / "colab_like_stack.pth").write_text(str(farm) + "\n")
    return venv / "bin" / "python"


def _run(python: Path, code: str) -> subprocess.CompletedProcess:
    # Run outside the checkout: a `dldna/` folder in the working directory would be importable.
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=python.parents[2])


def test_install_cell_installs_dldna_into_a_fresh_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONPATH", raising=False)  # a worktree on the path is not a fresh env
    python = _fresh_env(tmp_path)
    assert _run(python, "import dldna").returncode != 0, "the fresh environment must lack dldna"
    torch_before = _run(python, "import torch; print(torch.__file__)").stdout.strip()
    assert str(tmp_path / "stack") in torch_before

    kernels = tmp_path / "jupyter" / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh", "language": "python",
        "env": {"DLDNA_INSTALL_FROM": str(ROOT), "DLDNA_PROFILE": "smoke", "DLDNA_DOWNLOAD": "0",
                "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.read(ROOT / "book" / "01_filters.ipynb", as_version=4)
    # The install cell installs one local package without dependencies: seconds, not minutes.
    NotebookClient(nb, kernel_name="fresh", timeout=300,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    installed = _run(python, "import dldna, torch; print(dldna.__file__); print(torch.__file__)")
    dldna_file, torch_after = installed.stdout.split()
    assert "fresh" in dldna_file and "site-packages" in dldna_file  # a real install, not the checkout
    assert torch_after == torch_before, "the install cell must not reinstall torch"
    feedback = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if "Exercise 1.1" in json.dumps(o)]
    assert feedback, "the chapter ran to its exercises"
