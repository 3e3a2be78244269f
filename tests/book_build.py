"""Shared by the book tests: execute each chapter once (smoke profile) and build the HTML.

Notebooks are executed with jupyter-cache's own executor and stored in the cache the book build
reads, so the build reuses them instead of running every chapter a second time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD_ROOT = ROOT / "_build" / "test"          # --path-output of the test build
HTML = BUILD_ROOT / "_build" / "html"
CACHE = BUILD_ROOT / "_build" / ".jupyter_cache" / "smoke"  # matches book/_ext/dldna_book.py


def toc_documents() -> list[str]:
    """Every document in _toc.yml, in reading order (paths without suffix)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]]
    for part in toc.get("parts", []):
        docs += [chapter["file"] for chapter in part.get("chapters", [])]
    return docs


def toc_notebooks() -> list[Path]:
    return [ROOT / f"{doc}.ipynb" for doc in toc_documents() if (ROOT / f"{doc}.ipynb").exists()]


@dataclass
class Execution:
    seconds: float
    error: str | None
    slowest_step: str = ""  # the longest wait in the run, to find what made it slow


class _Trace:
    """Client-side times of the executor's steps (kernel start, each cell, shutdown)."""

    def __init__(self) -> None:
        self.events = [(time.perf_counter(), "start")]

    def hooks(self) -> dict:
        def mark(what):
            def hook(**kwargs):
                cell = kwargs.get("cell")
                where = f" {kwargs.get('cell_index')} ({cell.source.splitlines()[0][:30]!r})" if (
                    cell is not None and cell.source) else ""
                self.events.append((time.perf_counter(), what + where))
            return hook
        return {"on_notebook_start": mark("kernel ready"), "on_cell_start": mark("start of cell"),
                "on_cell_executed": mark("end of cell"), "on_notebook_complete": mark("done")}

    def slowest_step(self) -> str:
        self.events.append((time.perf_counter(), "kernel shut down"))
        steps = [(t1 - t0, f"{a} → {b}") for (t0, a), (t1, b) in zip(self.events, self.events[1:])]
        seconds, what = max(steps)
        return f"{seconds:.1f} s: {what}"


def execute_into_cache(path: Path) -> Execution:
    from tools.execution import patch_missed_wakeups

    patch_missed_wakeups()  # see there: a missed wake-up would cost the whole cell timeout
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    trace = _Trace()
    # A smoke-profile cell takes seconds; a hung kernel should fail the run within minutes.
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=300, allow_errors=False,
                                 meta_override=True, **trace.hooks())
    seconds = time.perf_counter() - trace.events[0][0]
    if result.err is not None:
        return Execution(seconds, result.exc_string or repr(result.err), trace.slowest_step())
    cache = get_cache(str(CACHE))
    record = cache.add_nb_to_project(str(path))
    cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                                check_validity=False, overwrite=True)
    return Execution(seconds, None, trace.slowest_step())


def build_book() -> subprocess.CompletedProcess:
    # Sphinx re-reads only sources whose files changed; the outputs in the jupyter cache change
    # with the library too, so start from no doctrees (the executions are still reused).
    for stale in ("html", ".doctrees", "jupyter_execute"):
        shutil.rmtree(BUILD_ROOT / "_build" / stale, ignore_errors=True)
    env = dict(os.environ, DLDNA_PROFILE="smoke", DLDNA_DOWNLOAD="0")
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT),
               "--path-output", str(BUILD_ROOT), "-W", "-n", "--keep-going"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
