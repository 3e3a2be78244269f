"""book/_ext/dldna_pages.py: duplicate <script> entries dropped, a colour mode configured."""
from __future__ import annotations

import sys
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import dldna_pages  # noqa: E402


def test_inline_and_file_scripts_repeated_are_dropped_in_order():
    thebe = "const THEBE_JS_URL = 'x'"
    # Sphinx 7.4 adds an inline script once with file name None and once with "".
    scripts = [_JavaScript("a.js"), _JavaScript(None, body=thebe), _JavaScript("b.js", defer="defer"),
               _JavaScript("", body=thebe), _JavaScript("a.js"), _JavaScript("b.js")]
    kept = dldna_pages.unique_scripts(scripts)
    assert [(s.filename, s.attributes) for s in kept] == [
        ("a.js", {}), (None, {"body": thebe}), ("b.js", {"defer": "defer"}), ("b.js", {})]


def test_page_context_is_deduplicated_and_gets_a_colour_mode():
    context = {"script_files": [_JavaScript(None, body="let a = 1"), _JavaScript(None, body="let a = 1")]}
    dldna_pages._drop_duplicate_scripts(None, "p", "page.html", context, None)
    assert len(context["script_files"]) == 1
    dldna_pages._default_colour_mode(None, "p", "page.html", context, None)
    assert context["default_mode"] == "light"
    dark = {"default_mode": "dark"}
    dldna_pages._default_colour_mode(None, "p", "page.html", dark, None)
    assert dark["default_mode"] == "dark"


def test_execution_table_marks_become_symbols_common_fonts_have():
    context = {"body": "<td>✅</td><td>❌</td><td>✔️</td>"}
    dldna_pages._replace_glyphs(None, "p", "page.html", context, None)
    assert context["body"] == "<td>✓</td><td>✗</td><td>✓</td>"
