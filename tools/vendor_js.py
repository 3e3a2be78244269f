"""Fetch the book's JavaScript from the npm registry (pinned by tools/js/package-lock.json) and
lay it out in vendor/html/, which Sphinx copies into the root of the built HTML
(``html_extra_path``). Run by ``make book`` / ``make test``; does nothing when up to date."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tools" / "js"
NPM_DIR = ROOT / "vendor" / "npm"
HTML_DIR = ROOT / "vendor" / "html"
STAMP = HTML_DIR / ".lock-sha256"


def lock_hash() -> str:
    digest = hashlib.sha256()
    for name in ("package-lock.json", "widgets-config.js"):
        digest.update((SPEC / name).read_bytes())
    return digest.hexdigest()


def main() -> int:
    if STAMP.exists() and STAMP.read_text() == lock_hash():
        print("vendor/html is up to date")
        return 0
    if shutil.which("npm") is None:
        print("npm is needed once to fetch MathJax, require.js and the widget manager", file=sys.stderr)
        return 1
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(SPEC / name, NPM_DIR / name)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                   cwd=NPM_DIR, check=True)
    modules = NPM_DIR / "node_modules"
    if HTML_DIR.exists():
        shutil.rmtree(HTML_DIR)
    HTML_DIR.mkdir(parents=True)
    shutil.copytree(modules / "mathjax" / "es5", HTML_DIR / "mathjax")
    shutil.copy(modules / "requirejs" / "require.js", HTML_DIR / "require.js")
    shutil.copytree(modules / "@jupyter-widgets" / "html-manager" / "dist", HTML_DIR / "html-manager",
                    ignore=shutil.ignore_patterns("*.map", "embed.js", "libembed-amd.js"))
    shutil.copy(SPEC / "widgets-config.js", HTML_DIR / "widgets-config.js")
    STAMP.write_text(lock_hash())
    print(f"vendored MathJax, require.js and the widget manager into {HTML_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
