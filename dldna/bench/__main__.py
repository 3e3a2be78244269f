"""Benchmarks that print tables: ``python -m dldna.bench <name> [options]``.

Each benchmark lives in its own module ``dldna.bench.<name>`` with a ``main(argv)`` function.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

import dldna.bench as package


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = available()
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in names:
        print("usage: python -m dldna.bench {" + ",".join(names) + "} [options]")
        return 0 if (not argv or argv[0] in ("-h", "--help")) else 2
    module = importlib.import_module(f"dldna.bench.{argv[0]}")
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
