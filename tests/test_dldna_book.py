"""book/_ext/dldna_book.py: the per-chapter execution-time table and the 90 s cpu budget check."""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import dldna_book  # noqa: E402

from book_build import BUILD_ROOT, toc_notebooks  # noqa: E402

CPU_RECORD = ROOT / "_build" / "exec_times_cpu.json"  # written by `make book` (profile cpu)


def _metadata(**seconds):
    meta = {doc: {"exec_data": {"runtime": s, "method": "cache", "succeeded": True}}
            for doc, s in seconds.items()}
    meta["book/api"] = {}  # a page without a notebook has no execution record
    return meta


def test_table_flags_only_chapters_over_the_cpu_budget():
    times = dldna_book.execution_times(_metadata(**{"book/01_filters": 41.5,
                                                    "book/11_training_recipes": 187.0}))
    assert list(times) == ["book/01_filters", "book/11_training_recipes"]
    assert dldna_book.over_budget(times, "cpu") == {"book/11_training_recipes": 187.0}
    assert dldna_book.over_budget(times, "gpu") == {}
    assert dldna_book.over_budget(times, "smoke") == {}  # the test run is timed as a whole
    table = dldna_book.budget_table(times, "cpu").splitlines()
    assert "budget 90 s per chapter" in table[0]
    assert table[2].endswith("ok") and table[3].endswith("OVER BUDGET by 97 s")
    assert table[-1].split()[:2] == ["total", "228.5"] and "1 over budget" in table[-1]


def test_chapters_12_and_14_have_180_s_in_the_cpu_profile():
    times = dldna_book.execution_times(_metadata(**{"book/12_transfer_learning": 170.0,
                                                    "book/14_solar_cell_project": 181.0,
                                                    "book/13_evaluation_tta_ensembles": 91.0}))
    assert dldna_book.over_budget(times, "cpu") == {"book/13_evaluation_tta_ensembles": 91.0,
                                                    "book/14_solar_cell_project": 181.0}
    table = dldna_book.budget_table(times, "cpu").splitlines()
    assert "180 s for chapters 12 and 14" in table[0]
    assert [line.split()[-1] for line in table[2:5]] == ["ok", "s", "s"]
    assert table[4].endswith("OVER BUDGET by 1 s")


def test_last_cpu_build_fits_the_budget():
    """Warn (not fail: timings on a shared machine are noisy) about chapters over 90 s."""
    if not CPU_RECORD.exists():
        warnings.warn(f"no cpu build record ({CPU_RECORD.relative_to(ROOT)}): run `make book` "
                      "to measure the chapters against the 90 s budget")
        return
    record = json.loads(CPU_RECORD.read_text())
    assert record["profile"] == "cpu" and record["budget_s"] == dldna_book.BUDGET_S["cpu"]
    for doc, seconds in dldna_book.over_budget(record["times"], "cpu").items():
        warnings.warn(f"{doc} took {seconds:.0f} s in the last cpu build "
                      f"(budget {dldna_book.budget_for(doc, 'cpu'):.0f} s)")


@pytest.mark.xdist_group("book")
def test_build_records_every_chapters_time(built_html):
    returncode, log = built_html
    assert "== execution time per chapter (profile smoke" in log
    record = json.loads((BUILD_ROOT / "_build" / "exec_times_smoke.json").read_text())
    chapters = {f"book/{path.stem}" for path in toc_notebooks() if path.parent.name == "book"}
    assert chapters <= set(record["times"])
    assert all(t["seconds"] > 0 for t in record["times"].values())


def test_a_reference_to_an_old_module_path_resolves_to_the_new_home():
    from types import SimpleNamespace

    asked = []

    class Domain:
        def resolve_xref(self, env, docname, builder, kind, target, node, contnode):
            asked.append((kind, target))
            return "resolved"

    env = SimpleNamespace(get_domain=lambda name: Domain())
    app = SimpleNamespace(builder=None)
    node = {"refdomain": "py", "reftarget": "dldna.augment.mix_pair", "refdoc": "book/10",
            "reftype": "func"}
    assert dldna_book._resolve_moved_module(app, env, node, None) == "resolved"
    assert asked == [("func", "dldna.data.augment.mix_pair")]
    node["reftarget"] = "dldna.models.create"  # not moved: left to Sphinx
    assert dldna_book._resolve_moved_module(app, env, node, None) is None
    assert dldna_book._resolve_moved_module(app, env, {"refdomain": "std"}, None) is None
