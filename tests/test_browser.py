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


def test_animation_player_is_present(browser, site):
    page, problems = _visit(browser, f"{site}/book/01_filters.html")
    players = page.evaluate("document.querySelectorAll('.animation input[type=range]').length")
    page.context.close()
    assert players >= 1 and not problems
