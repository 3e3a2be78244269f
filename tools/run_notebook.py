"""Execute notebooks the way the book build does and print the time each took.

    python tools/run_notebook.py book/01_filters.ipynb [more.ipynb ...] [--save DIR]

The profile comes from DLDNA_PROFILE as usual. Exit status 1 if any notebook fails.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def run(path: Path, save: Path | None = None, timeout: int = 1800) -> float:
    from execution import patch_missed_wakeups  # tools/execution.py; a miss costs the timeout

    patch_missed_wakeups()
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save / path.name)
    return elapsed


def main(argv: list[str]) -> int:
    save = None
    if "--save" in argv:
        i = argv.index("--save")
        save, argv = Path(argv[i + 1]), argv[:i] + argv[i + 2:]
    failed = 0
    for name in argv:
        try:
            print(f"{name}: {run(Path(name), save):.1f} s", flush=True)
        except CellExecutionError as err:
            failed += 1
            print(f"{name}: FAILED\n{str(err)[-3000:]}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
