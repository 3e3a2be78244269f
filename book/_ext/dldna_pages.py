"""Pages without console errors: two fixes to what the themes and extensions put in <head>.

* sphinx-thebe and sphinx-togglebutton add inline configuration scripts after the HTML builder
  started. Sphinx 7.4 gives such a script to the builder directly (file name ``None``) and, when
  writing starts, once more from its registry (file name ``""``); the two do not compare equal,
  so every page declared ``const THEBE_JS_URL`` twice and threw "Identifier 'THEBE_JS_URL' has
  already been declared". ``html-page-context`` drops duplicates (same file or same inline
  body, same attributes; no file name and an empty one count as the same).
* myst-nb's execution table marks runs with ✅ and ❌, colour emoji that DejaVu, Liberation and
  Arial lack (empty boxes); the page body gets ✓ and ✗ instead, which they have.
* The maintainers' "Execution statistics" page is built but kept out of the reader's navigation:
  it is not in ``_toc.yml`` (so sphinx-external-toc excludes it, with ``only_build_toc_files``)
  and is taken back out of ``exclude_patterns`` here; its front matter says ``orphan: true`` and
  the how-to page links to it.
* The quiz index (``dldna_quiz_index``) is set up from here, so ``_config.yml`` needs no entry.
* pydata-sphinx-theme logs "Got invalid theme mode" when its page template gets no
  ``default_mode`` (a template variable, not a theme option, in pydata-sphinx-theme 0.17); every
  page gets ``default_mode = "light"``.
"""
from __future__ import annotations


def script_key(script) -> tuple:
    """What makes two ``<script>`` entries the same: file name, inline body, attributes."""
    attributes = dict(getattr(script, "attributes", {}) or {})
    body = attributes.pop("body", "")
    filename = getattr(script, "filename", script) or ""  # inline: None here, "" there
    return str(filename), body, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def unique_scripts(scripts: list) -> list:
    """``scripts`` without repeats, first occurrence kept, order unchanged."""
    seen, unique = set(), []
    for script in scripts:
        key = script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    return unique


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = unique_scripts(context["script_files"])


# Symbols that common fonts lack → ones they have.
COMMON_GLYPHS = {"✅": "✓", "❌": "✗", "✔️": "✓", "❎": "✗"}


def with_common_glyphs(html: str) -> str:
    for missing, common in COMMON_GLYPHS.items():
        html = html.replace(missing, common)
    return html


def _replace_glyphs(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = with_common_glyphs(context["body"])


def _default_colour_mode(app, pagename, templatename, context, doctree) -> None:
    if not context.get("default_mode"):
        context["default_mode"] = "light"  # the figures are drawn on white


# Built, linked from the how-to page, but in no toctree (not in the sidebar).
OFF_NAVIGATION = ("book/exec_stats.md",)


def _build_off_navigation_pages(app, config) -> None:
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p not in OFF_NAVIGATION]


def setup(app):
    app.setup_extension("dldna_quiz_index")
    # After sphinx-external-toc (priority 900) added every file outside the TOC to the exclusions.
    app.connect("config-inited", _build_off_navigation_pages, priority=950)
    app.connect("html-page-context", _default_colour_mode)
    app.connect("html-page-context", _drop_duplicate_scripts)
    app.connect("html-page-context", _replace_glyphs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
