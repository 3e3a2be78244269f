"""Book-build glue: one jupyter-cache per execution profile.

jupyter-cache keys on notebook contents only, not on environment variables, so a cache filled in
the smoke profile would otherwise be reused by the cpu build. Each profile gets its own folder.
It also marks the process as a book build, which the notebook kernels inherit: training shows no
progress bars there (see ``dldna.config.show_progress``).

Notebook execution: the client now and then misses the wake-up for a message the kernel has
already sent (seen with ipywidgets cells) and only notices it when its poll times out — after the
whole cell timeout, 30 minutes in this book. ``patch_missed_wakeups`` (tools/execution.py) makes the
client poll in one-second slices instead, so such a miss costs at most a second.

Exercises are numbered per chapter from the file name (``11_training_recipes`` → 11.1, 11.2, …),
the same numbers the automatic checkers print; Sphinx alone would count them across the whole book.
"""
import os
import re
from pathlib import Path


def _per_profile_cache(app, config) -> None:
    from dldna.config import BOOK_BUILD_ENV, get_profile

    os.environ[BOOK_BUILD_ENV] = "1"
    profile = get_profile().name
    config.nb_execution_cache_path = str(Path(app.outdir).parent / ".jupyter_cache" / profile)
    if profile == "smoke":  # the test suite: a smoke cell takes seconds; a stall must not
        config.nb_execution_timeout = 300  # eat CI's time (the cpu/gpu builds keep _config's)


def _number_exercises_by_chapter(app, env) -> list[str]:
    changed = []
    for docname, numbers in env.toc_fignumbers.items():
        chapter = re.match(r"(\d+)_", Path(docname).name)
        exercises = numbers.get("exercise")
        if not chapter or not exercises:
            continue
        in_order = sorted(exercises, key=exercises.get)
        renumbered = {label: (int(chapter[1]), k) for k, label in enumerate(in_order, 1)}
        if renumbered != exercises:
            numbers["exercise"] = renumbered
            changed.append(docname)
    return changed


def _patch_missed_wakeups() -> None:
    """Apply tools/execution.py (build tooling, not part of the installed dldna package)."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "tools" / "execution.py"
    spec = importlib.util.spec_from_file_location("dldna_tools_execution", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.patch_missed_wakeups()


def setup(app):
    _patch_missed_wakeups()
    app.connect("config-inited", _per_profile_cache)
    # After Sphinx has assigned its book-wide numbers (priority 500).
    app.connect("env-get-updated", _number_exercises_by_chapter, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
