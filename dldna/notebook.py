"""Small helpers the chapters use: glue numbers into the text, book plot style."""
from __future__ import annotations

from typing import Any


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Store a computed value for the text (``{glue:text}`name```); works without myst-nb too.

    In the book build ``myst_nb.glue`` records the value; in Colab or plain Jupyter (no myst-nb)
    the value is simply returned, so the same notebook runs everywhere.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return value
    _glue(name, value, display=display)
    return value


def use_book_style() -> None:
    """The one global plotting change: readable, compact figures with the book's defaults."""
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.dpi": 90,
        "savefig.dpi": 90,
        "axes.grid": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
        "animation.html": "jshtml",
    })
