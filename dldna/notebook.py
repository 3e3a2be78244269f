"""Small helpers the chapters use: glue numbers into the text, book plot style."""
from __future__ import annotations

from typing import Any


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store a computed value for the text (``{glue:text}`name```); works without myst-nb too.

    In the book build ``myst_nb.glue`` records the value; in Colab or plain Jupyter (no myst-nb)
    nothing happens. Returns nothing, so a ``glue`` on the last line of a cell prints nothing.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return
    _glue(name, value, display=display)


def count(n: int, noun: str) -> str:
    """``n`` and the noun in the right number, with thousands separators: "1 epoch", "2,000 images"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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


# matplotlib's JavaScript player links Font Awesome from a CDN for its button icons. The book must
# work offline, so the link is dropped and each icon becomes a plain Unicode symbol.
_PLAYER_ICONS = {
    "fa fa-minus": "−", "fa fa-fast-backward": "⏮", "fa fa-step-backward": "⏪",
    "fa fa-play fa-flip-horizontal": "◀", "fa fa-pause": "⏸", "fa fa-play": "▶",
    "fa fa-step-forward": "⏩", "fa fa-fast-forward": "⏭", "fa fa-plus": "+",
}


def animation_html(animation, *, fps: int | None = None, default_mode: str = "once") -> str:
    """A matplotlib animation as a self-contained HTML player with no network requests."""
    import re

    html = animation.to_jshtml(fps=fps, default_mode=default_mode)
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for css_class, symbol in sorted(_PLAYER_ICONS.items(), key=lambda kv: -len(kv[0])):
        html = html.replace(f'<i class="{css_class}"></i>', symbol)
    return html
