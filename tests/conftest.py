"""Test-wide settings: the smoke profile, no downloads, a private cache directory."""
from __future__ import annotations

import os
import time
from pathlib import Path

import matplotlib
import pytest

from book_build import build_book, execute_into_cache, toc_notebooks

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DLDNA_PROFILE", "smoke")
os.environ["DLDNA_DOWNLOAD"] = "0"  # nothing in the test suite may touch the network
# Under `pytest -n 2` on two cores, two workers with two torch threads each (plus the notebook
# kernels they start) oversubscribe the CPU and run 5-8x slower; one thread per process does not.
# Set before torch is imported here, and inherited by every kernel and subprocess.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session", autouse=True)
def _no_missed_wakeups():
    """Every notebook a test executes (NotebookClient, jupyter-cache) polls the kernel in short
    slices (tools/execution.py), so a missed wake-up costs a second, not the cell timeout."""
    from tools.execution import patch_missed_wakeups

    patch_missed_wakeups()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("DLDNA_CACHE", str(tmp_path_factory.getbasetemp() / "dldna-cache"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# ---------------------------------------------------------------- the book (shared by test_book/test_browser)

def _only_once_per_run(tmp_path_factory, what: str) -> None:
    """Fail if a second xdist worker sets up ``what``: the book tests share one worker through
    ``xdist_group("book")``; if the grouping is lost, every worker would execute the whole book."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return
    marker = tmp_path_factory.getbasetemp().parent / f"{what}.worker"  # shared by all workers
    try:
        with open(marker, "x") as f:
            f.write(worker)
    except FileExistsError:
        raise RuntimeError(f"{what} is being set up again on {worker} after "
                           f"{marker.read_text()}: pytest-xdist ignored xdist_group('book') "
                           "(see the pytest pin in requirements.txt)") from None


@pytest.fixture(scope="session")
def executions(tmp_path_factory):
    _only_once_per_run(tmp_path_factory, "executions")
    results = {path.name: execute_into_cache(path) for path in toc_notebooks()}
    lines = [f"{name:36s} {run.seconds:6.1f} s  {'ok' if run.error is None else 'FAILED':6s}"
             f"  longest step {run.slowest_step}" for name, run in results.items()]
    EXEC_TIMES.parent.mkdir(parents=True, exist_ok=True)
    EXEC_TIMES.write_text("\n".join(lines) + "\n")
    return results


# The workers' output is hidden under xdist, so the controller prints the table at the end.
EXEC_TIMES = ROOT / "_build" / "test" / "smoke_execution_times.txt"
_SESSION_START = time.time()


def pytest_terminal_summary(terminalreporter):
    if EXEC_TIMES.exists() and EXEC_TIMES.stat().st_mtime >= _SESSION_START:
        terminalreporter.section("per-notebook execution time (smoke profile, 1 thread)")
        terminalreporter.write(EXEC_TIMES.read_text())


@pytest.fixture(scope="session")
def built_html(executions):
    result = build_book()
    log = result.stdout + result.stderr
    return result.returncode, log


