"""Open the built HTML in a real headless Chromium: every page loads from 127.0.0.1 alone, math is
typeset by the bundled MathJax, every image decodes, and the kernel-editor widget renders."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from book_build import HTML, toc_documents

pytestmark = pytest.mark.xdist_group("book")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def site(built_html):
    returncode, log = built_html
    assert returncode == 0, "the book did not build; see test_book_builds_with_warnings_as_errors"
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), (
        "Chromium is required for the HTML tests: `apt-get install chromium` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _visit(browser, url: str, wait_for: str | None = None):
    """Load a page; return (page, problems) where problems lists failed or external requests."""
    context = browser.new_context()
    problems: list[str] = []

    def guard(route):
        if route.request.url.startswith(url.split("/", 3)[0] + "//" + url.split("/")[2]) or \
                route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"external request: {route.request.url}")
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.goto(url, wait_until="load")
    if wait_for:
        page.wait_for_selector(wait_for, timeout=30_000, state="attached")
    page.wait_for_load_state("networkidle")
    return page, problems


PAGES = [f"{doc}.html" for doc in toc_documents()] + ["genindex.html", "search.html"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_with_local_assets_and_images(browser, site, path):
    page, problems = _visit(browser, f"{site}/{path}")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    has_math = page.evaluate("document.querySelector('.math, .MathJax, mjx-container') !== null")
    if has_math:
        page.wait_for_selector("mjx-container", timeout=30_000, state="attached")
    page.context.close()
    assert not problems, "\n".join(problems)
    assert not broken, f"images that did not decode: {broken}"


def test_math_is_typeset_by_bundled_mathjax(browser, site):
    page, problems = _visit(browser, f"{site}/book/01_filters.html", wait_for="mjx-container")
    count = page.evaluate("document.querySelectorAll('mjx-container').length")
    page.context.close()
    assert count >= 2 and not problems


def test_kernel_editor_widget_renders_from_saved_state(browser, site):
    page, problems = _visit(browser, f"{site}/book/01_filters.html", wait_for=".widget-gridbox")
    boxes = page.evaluate("document.querySelectorAll('.widget-gridbox input').length")
    page.context.close()
    assert boxes == 9 and not problems


def test_static_widgets_say_so_and_their_controls_are_disabled(browser, site):
    # ch. 5's architecture widget: a model menu and a size menu that need a kernel
    page, problems = _visit(browser, f"{site}/book/05_lenet_alexnet_vgg.html",
                            wait_for=".dldna-static-widget-note")
    state = page.evaluate("""() => {
      const controls = Array.from(document.querySelectorAll(
        '.jupyter-widgets select, .jupyter-widgets input, .jupyter-widgets button'));
      return {controls: controls.length, live: controls.filter(c => !c.disabled).length,
              notes: Array.from(document.querySelectorAll('.dldna-static-widget-note'))
                       .map(n => n.textContent)};
    }""")
    page.context.close()
    assert state["controls"] >= 2 and state["live"] == 0, state
    assert state["notes"] and all("Colab" in note for note in state["notes"]), state
    assert not problems


def test_animation_player_is_present(browser, site):
    page, problems = _visit(browser, f"{site}/book/01_filters.html")
    players = page.evaluate("document.querySelectorAll('.animation input[type=range]').length")
    page.context.close()
    assert players >= 1 and not problems


# ---------------------------------------------------------------- pages a student can read
# One visit per page collects everything the checks below need (a page load costs seconds).
VIEWPORT = {"width": 1280, "height": 900}  # a laptop window: the theme shows its content column
MACHINE_PATH = r"(?:/root/|/home/|/tmp/|/work/|/Users/|[A-Z]:\\Users\\)"
# Symbols that DejaVu, Liberation, Arial and Segoe UI lack (they show as empty boxes): the
# media-control block of Miscellaneous Technical and colour emoji such as ✅ ❌.
MISSING_GLYPHS = (list(range(0x23E9, 0x23FB)) + [0x231A, 0x231B, 0x2705, 0x274C, 0x274E, 0x2753,
                  0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797, 0x27B0, 0x27BF])
READ_PAGE = """([machinePath, missing]) => {
  const article = document.querySelector("article") || document.body;
  const wide = Array.from(document.querySelectorAll("article pre"))
    .filter(p => p.offsetParent !== null && p.scrollWidth > p.clientWidth + 1)
    .map(p => `${p.scrollWidth}>${p.clientWidth}px: ${p.textContent.split("\\n").sort(
      (a, b) => b.length - a.length)[0].slice(0, 100)}`);
  const shrunk = Array.from(document.querySelectorAll("article img"))
    .filter(i => i.offsetParent !== null && i.naturalWidth > 0)
    .map(i => ({src: i.src.split("/").pop().slice(0, 60), natural: i.naturalWidth,
                shown: i.getBoundingClientRect().width}))
    .filter(i => i.shown < 0.9 * i.natural)
    .map(i => `${i.src}: ${Math.round(i.shown)} of ${i.natural} px`);
  const text = article.innerText + " " + Array.from(article.querySelectorAll("button"))
    .map(b => b.textContent).join(" ");
  const paths = (text.match(new RegExp(machinePath + "[^\\\\s\\"']*", "g")) || []);
  const glyphs = Array.from(new Set(Array.from(text)))
    .filter(c => c.codePointAt(0) >= 0x1F000 || missing.includes(c.codePointAt(0)));
  return {wide, shrunk, paths, glyphs};
}"""


@pytest.fixture(scope="module")
def page_reports(browser, site):
    """For every page: console errors, page errors, and what READ_PAGE finds."""
    reports = {}
    for path in PAGES:
        context = browser.new_context(viewport=VIEWPORT)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            (site, "data:")) else route.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.goto(f"{site}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        if page.evaluate("document.querySelector('.math') !== null"):
            page.wait_for_selector("mjx-container", timeout=30_000, state="attached")
        page.wait_for_timeout(300)  # widgets render after the load event
        reports[path] = dict(page.evaluate(READ_PAGE, [MACHINE_PATH, MISSING_GLYPHS]),
                             errors=errors)
        context.close()
    return reports


@pytest.mark.parametrize("path", PAGES)
def test_no_code_or_output_block_scrolls_sideways(page_reports, path):
    wide = page_reports[path]["wide"]
    assert not wide, f"{len(wide)} blocks wider than the column:\n" + "\n".join(wide)


@pytest.mark.parametrize("path", PAGES)
def test_no_console_errors(page_reports, path):
    errors = page_reports[path]["errors"]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("path", PAGES)
def test_figures_are_shown_at_their_drawn_size(page_reports, path):
    shrunk = page_reports[path]["shrunk"]
    assert not shrunk, ("figures the browser shrinks below 90 % (draw them for the 7-inch "
                        "column, see dldna.notebook.use_book_style):\n" + "\n".join(shrunk))


@pytest.mark.parametrize("path", PAGES)
def test_no_machine_paths_in_printed_output(page_reports, path):
    assert not page_reports[path]["paths"], page_reports[path]["paths"]


@pytest.mark.parametrize("path", PAGES)
def test_no_symbols_that_common_fonts_lack(page_reports, path):
    assert not page_reports[path]["glyphs"], page_reports[path]["glyphs"]


def test_page_checks_catch_what_they_look_for(browser):
    """The checks above on a page made to fail each of them."""
    import base64
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("L", (200, 20)).save(png, format="PNG")
    source = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    html = ("<article><pre>" + "x" * 400 + "</pre><p>saved to /root/.cache/a.pt ✅ ⏸</p>"
            f"<img style='width:100px' src='{source}'></article>")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_content(f"<body style='width:600px'>{html}</body>")
    page.wait_for_function("document.images[0].complete")
    report = page.evaluate(READ_PAGE, [MACHINE_PATH, MISSING_GLYPHS])
    context.close()
    assert len(report["wide"]) == 1 and len(report["shrunk"]) == 1
    assert report["paths"] == ["/root/.cache/a.pt"] and set(report["glyphs"]) == {"✅", "⏸"}


def test_terms_and_names_link_to_glossary_and_api(browser, site):
    links = {}
    chapters = [doc.split("/")[-1] for doc in toc_documents() if doc.split("/")[-1][:2].isdigit()]
    assert len(chapters) >= 11, chapters  # every numbered chapter links to both
    for chapter in chapters:
        page, problems = _visit(browser, f"{site}/book/{chapter}.html")
        links[chapter] = page.evaluate(
            "Array.from(document.querySelectorAll('article a[href]')).map(a => a.href)")
        page.context.close()
        assert not problems
    for chapter, hrefs in links.items():
        assert any("glossary.html#term-" in h for h in hrefs), f"{chapter}: no glossary link"
        assert any("api.html#dldna." in h for h in hrefs), f"{chapter}: no API link"
    # The API page describes each parameter, not only its type.
    page, _ = _visit(browser, f"{site}/book/api.html")
    described = """(id) => {
      const anchor = document.getElementById(id);
      if (!anchor) return null;
      const entry = anchor.parentElement;
      const dt = Array.from(entry.querySelectorAll(':scope > dd > dl.field-list > dt'))
        .find(d => d.textContent.trim().startsWith('Parameters'));
      if (!dt) return [];
      const items = dt.nextElementSibling.querySelectorAll('li');
      return (items.length ? Array.from(items) : [dt.nextElementSibling])
        .map(x => x.textContent.trim());
    }"""
    samples = ("dldna.measure.receptive_field.receptive_field",
               "dldna.measure.receptive_field.receptive_field_region",
               "dldna.filters.frequency.convolution_theorem_check")
    described = {name: page.evaluate(described, name) for name in samples}
    page.context.close()
    for name, texts in described.items():
        assert texts is not None, f"the API page has no entry {name}"
        # "name (type) – what it is": at least three words after the dash
        assert texts and all(len(t.split("–", 1)[-1].split()) >= 3 for t in texts), (name, texts)


def test_quiz_index_question_reveals_its_explanation(browser, site):
    """The quiz index holds every numbered chapter's quiz; clicking an answer opens its verdict
    and explanation, with no script and no network."""
    page, problems = _visit(browser, f"{site}/book/quiz_index.html")
    chapters = [doc for doc in toc_documents() if doc.split("/")[-1][:2].isdigit()]
    quizzes = page.locator("article .dldna-quiz")
    answer = quizzes.first.locator("details").first
    hidden_before = answer.locator("span.ok, span.no").is_visible()
    answer.locator("summary").click()
    verdict = answer.locator("span.ok, span.no")
    verdict.wait_for(state="visible", timeout=5_000)
    opened = answer.evaluate("d => d.open")
    explanation = answer.inner_text().split(verdict.inner_text(), 1)[-1].strip()
    count, verdicts = quizzes.count(), verdict.count()
    page.context.close()
    assert not problems and count == len(chapters), (problems, count, len(chapters))
    assert not hidden_before and opened and verdicts == 1
    assert len(explanation.split()) >= 3, explanation
