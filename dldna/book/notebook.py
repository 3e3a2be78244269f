"""Small helpers the chapters use: glue numbers into the text, book plot style."""
from __future__ import annotations

from typing import Any


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store a computed value for the text (``{glue:text}`name```); works without myst-nb too.

    In the book build ``myst_nb.glue`` records the value; in Colab or plain Jupyter (no myst-nb)
    nothing happens. Returns nothing, so a ``glue`` on the last line of a cell prints nothing.

    Args:
        name: the key the text refers to.
        value: the value to store.
        display: also show the value in the cell's output.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return
    _glue(name, value, display=display)


def count(n: int, noun: str) -> str:
    """``n`` and the noun in the right number, with thousands separators: "1 epoch", "2,000 images".

    Args:
        n: the number.
        noun: the noun in the singular; an ``s`` is added unless ``n`` is 1.
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# The content column of the book's HTML theme (sphinx-book-theme at a 1280-pixel window) is about
# 690 pixels wide. A figure drawn 7 inches wide at 90 dpi is 630 pixels: the browser shows it at its
# natural size, so a 10-pt label is 12.5 pixels on screen, not shrunk to 8.
COLUMN_INCHES = 7.0
FIGURE_DPI = 90


def fit_to_column(fig, width: float = COLUMN_INCHES) -> bool:
    """Redraw a figure wider than the content column at the column's width.

    The height shrinks in proportion and the fonts keep their point sizes, so labels become
    relatively larger instead of being scaled down by the browser. Returns whether it resized.

    Args:
        fig: a matplotlib figure.
        width: the column's width in inches.
    """
    if not width > 0:
        raise ValueError(f"width must be positive, got {width!r}")
    w, h = fig.get_size_inches()
    if w <= width:
        return False
    fig.set_size_inches(width, h * width / w)
    if fig.get_layout_engine() is None:  # plt.tight_layout() ran for the old size: redo it
        try:
            fig.tight_layout()
        except (ValueError, RuntimeError):
            pass
    return True


def _png_for_the_column(fig):
    from IPython.core.pylabtools import print_figure

    fit_to_column(fig)
    return print_figure(fig, "png", bbox_inches="tight")


def use_book_style() -> None:
    """The one global plotting change: figures drawn for the book's content column.

    Readable fonts (10 pt, ≥ 9 pt for ticks), 90 dpi, 7-inch default width; and in a notebook,
    every figure wider than the column is redrawn at the column's width when it is shown.
    """
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.dpi": FIGURE_DPI,
        "savefig.dpi": FIGURE_DPI,
        "figure.figsize": (COLUMN_INCHES, 3.5),
        "axes.grid": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "animation.html": "jshtml",
    })
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, _png_for_the_column)


# The offline animation player moved to the base layer (dldna.plotting); re-exported here.
from ..plotting import _PLAYER_ICONS, animation_html  # noqa: E402,F401  (moved to the base layer)
