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

Moved modules: a Python cross-reference to an old flat path (``dldna.augment.mix_pair``, as the
chapters' prose may still spell it) resolves to the object's new home (see ``dldna._moved``).

Time budget: all chapters must build in 15 minutes on two cores, so each has ``BUDGET_S["cpu"]``
= 90 s in the cpu profile. At the end of a build, a table of every chapter's execution time (as
jupyter-cache recorded it when the notebook last ran) is printed against the budget, and written
to ``<build>/exec_times_<profile>.json``; ``tests/test_dldna_book.py`` turns a chapter over budget
in the last cpu build into a warning. Not a Sphinx warning: ``-W`` would fail the build over a
noisy timing.
"""
import json
import os
import re
from pathlib import Path

BUDGET_S = {"cpu": 90.0}  # seconds per chapter; smoke (the test run) and gpu have no budget
# The two chapters that train the most (transfer learning, the project) have twice the time.
LONG_CHAPTERS_S = {"book/12_transfer_learning": 180.0, "book/14_solar_cell_project": 180.0}


def budget_for(doc: str, profile: str) -> float | None:
    """The seconds ``doc`` may take in ``profile``, or None where the profile has no budget."""
    budget = BUDGET_S.get(profile)
    return None if budget is None else LONG_CHAPTERS_S.get(doc, budget)


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


def execution_times(metadata: dict) -> dict[str, dict]:
    """``{document: {"seconds", "method", "succeeded"}}`` from myst-nb's per-document records."""
    times = {}
    for docname, data in sorted(metadata.items()):
        record = data.get("exec_data")
        if record and record.get("runtime") is not None:
            times[docname] = {"seconds": float(record["runtime"]), "method": record.get("method"),
                              "succeeded": bool(record.get("succeeded"))}
    return times


def over_budget(times: dict[str, dict], profile: str) -> dict[str, float]:
    """``{document: seconds}`` of the chapters that took longer than the profile's budget."""
    return {doc: t["seconds"] for doc, t in times.items()
            if budget_for(doc, profile) is not None and t["seconds"] > budget_for(doc, profile)}


def budget_table(times: dict[str, dict], profile: str) -> str:
    """The per-chapter time table printed after a build."""
    budget = BUDGET_S.get(profile)
    limit = (f"budget {budget:.0f} s per chapter, {max(LONG_CHAPTERS_S.values()):.0f} s for "
             f"chapters 12 and 14" if budget else "no budget")
    lines = [f"== execution time per chapter (profile {profile}, {limit}) ==",
             f"{'chapter':40s} {'seconds':>8s}  {'method':8s} verdict"]
    late = over_budget(times, profile)
    for doc, t in times.items():
        verdict = (f"OVER BUDGET by {t['seconds'] - budget_for(doc, profile):.0f} s" if doc in late
                   else "ok" if t["succeeded"] else "FAILED")
        lines.append(f"{doc:40s} {t['seconds']:8.1f}  {str(t['method']):8s} {verdict}")
    total = sum(t["seconds"] for t in times.values())
    lines.append(f"{'total':40s} {total:8.1f}  ({len(times)} notebooks, {len(late)} over budget)")
    return "\n".join(lines)


def _report_execution_times(app, exception) -> None:
    if exception is not None:
        return
    from dldna.config import get_profile
    from myst_nb.sphinx_ import NbMetadataCollector

    profile = get_profile().name
    times = execution_times(NbMetadataCollector.get_doc_data(app.env))
    if not times:
        return
    record = Path(app.outdir).parent / f"exec_times_{profile}.json"
    record.write_text(json.dumps({"profile": profile, "budget_s": BUDGET_S.get(profile),
                                  "times": times}, indent=1))
    print(budget_table(times, profile), flush=True)


def _patch_missed_wakeups() -> None:
    """Apply tools/execution.py (build tooling, not part of the installed dldna package)."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "tools" / "execution.py"
    spec = importlib.util.spec_from_file_location("dldna_tools_execution", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.patch_missed_wakeups()


def _resolve_moved_module(app, env, node, contnode):
    """A Python cross-reference to an old flat module path (``dldna.augment.mix_pair``) resolves
    to the object's new home (``dldna.data.augment.mix_pair``); see :mod:`dldna._moved`."""
    if node.get("refdomain") != "py":
        return None
    from dldna._moved import new_name

    target = new_name(node.get("reftarget", ""))
    if target is None:
        return None
    return env.get_domain("py").resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                             target, node, contnode)


def setup(app):
    _patch_missed_wakeups()
    app.connect("missing-reference", _resolve_moved_module)
    app.connect("config-inited", _per_profile_cache)
    # After Sphinx has assigned its book-wide numbers (priority 500).
    app.connect("env-get-updated", _number_exercises_by_chapter, priority=900)
    app.connect("build-finished", _report_execution_times)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
