"""General plotting helpers shared by the chapters' figures.

* :func:`text_colour` and :func:`annotate_cells` write numbers into the cells of a small matrix,
  legible on any shade of its colour map;
* :func:`display_limits` chooses robust colour limits for a response map (a high percentile, so a
  few extreme pixels cannot flatten the picture), and :func:`limits_note` says so in words;
* :func:`common_denominator` and :func:`fraction_labels` write a fractional kernel as whole
  numbers over one denominator (1/16 is not "0.062");
* :func:`ordinal` spells 99 as "99th";
* :func:`crop_box` cuts a checked rectangle out of an image (for enlarged views).
"""
from __future__ import annotations

import numpy as np

# Colour limits of response maps: this percentile of the values (of |values| when signed), so
# that a handful of extreme pixels cannot squeeze everything else into one flat shade.
DISPLAY_PERCENTILE = 99.0


def _finite_array(values, name: str) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must have a numeric dtype, got {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def display_limits(response, *, signed: bool, percentile: float = DISPLAY_PERCENTILE
                   ) -> tuple[float, float]:
    """Robust colour limits (vmin, vmax) for drawing a filter response; the data stay unclipped.

    ``signed=True``: symmetric limits ±(``percentile`` of the absolute values), so zero sits in the
    middle of a diverging colour map. ``signed=False``: the (100 − p)th and pth percentiles.

    Args:
        response: a numeric array of finite values (a tensor is accepted).
        signed: symmetric limits for a diverging map, or percentile limits for grey.
        percentile: the upper percentile p, in (50, 100].
    """
    values = _finite_array(response, "response")
    if not 50 < percentile <= 100:
        raise ValueError(f"percentile must be in (50, 100], got {percentile!r}")
    if signed:
        limit = float(np.percentile(np.abs(values), percentile))
        return (-limit, limit) if limit > 0 else (-1.0, 1.0)
    low, high = (float(v) for v in np.percentile(values, [100 - percentile, percentile]))
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def ordinal(value: float) -> str:
    """99 → '99th', 1 → '1st', 99.5 → '99.5th'.

    Args:
        value: a non-negative number, e.g. a percentile.
    """
    if float(value) != int(value):
        return f"{value:g}th"
    n = int(value)
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def limits_note(signed: bool | None = None, percentile: float = DISPLAY_PERCENTILE) -> str:
    """How ``display_limits`` chose the colour limits, in words (``None``: both kinds of map).

    Args:
        signed: describe signed maps (``True``), grey maps (``False``) or both (``None``).
        percentile: the percentile passed to ``display_limits``.
    """
    grey = f"{ordinal(100 - percentile)}–{ordinal(percentile)} percentile"
    sign = f"±{ordinal(percentile)} percentile of |value|"
    if signed is None:
        return f"colour limits: {grey}, signed maps {sign}; data not clipped"
    return f"colour limits: {sign if signed else grey}"


def text_colour(rgba) -> str:
    """'white' on a dark background colour, 'black' on a light one (by relative luminance).

    Args:
        rgba: a colour as (r, g, b[, a]) with components in [0, 1].
    """
    r, g, b = (float(v) for v in tuple(rgba)[:3])
    if not all(0.0 <= v <= 1.0 for v in (r, g, b)):
        raise ValueError(f"rgba must hold colour components in [0, 1], got {tuple(rgba)!r}")
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else "black"


def annotate_cells(ax, values, shown, *, labels=None, fmt: str = "{:g}", fontsize: float = 11):
    """Write each value of a small matrix in its cell, black on light cells and white on dark.

    ``shown`` is the ``AxesImage`` that draws ``values`` (its colour map and limits decide each
    cell's colour); ``labels`` (same shape) replaces the formatted values when given.

    Args:
        ax: the matplotlib axes that show the matrix.
        values: the small 2-D matrix drawn by ``shown``.
        shown: the ``AxesImage`` returned by ``ax.imshow(values, ...)``.
        labels: texts to write instead of the values, same shape (``None``: the values).
        fmt: format string for each value.
        fontsize: text size in points.
    """
    values = np.asarray(values)
    if labels is not None and np.shape(labels) != values.shape:
        raise ValueError(f"labels must have the shape of values {values.shape}, "
                         f"got {np.shape(labels)}")
    for (r, c), v in np.ndenumerate(values):
        text = fmt.format(v) if labels is None else str(np.asarray(labels)[r, c])
        colour = text_colour(shown.cmap(shown.norm(v)))
        ax.text(c, r, text, ha="center", va="center", fontsize=fontsize, color=colour)


def common_denominator(values, largest: int = 64) -> int:
    """The smallest d ≤ ``largest`` with values·d all whole numbers (1 if there is none).

    Args:
        values: a numeric array of finite values.
        largest: the largest denominator tried, ≥ 1.
    """
    array = _finite_array(values, "values")
    if not isinstance(largest, (int, np.integer)) or largest < 1:
        raise ValueError(f"largest must be a positive int, got {largest!r}")
    for d in range(1, int(largest) + 1):
        if np.allclose(array * d, np.round(array * d), atol=1e-9):
            return d
    return 1


def fraction_labels(values, largest: int = 64) -> tuple[np.ndarray | None, int]:
    """``(whole numbers, d)`` with values = whole numbers / d, or ``(None, 1)`` if there is none.

    Args:
        values: a numeric array of finite values.
        largest: the largest denominator tried, ≥ 1.
    """
    array = _finite_array(values, "values")
    d = common_denominator(array, largest)
    if not np.allclose(array * d, np.round(array * d), atol=1e-9):
        return None, 1
    return np.round(array * d).astype(int), d


def crop_box(image, box) -> np.ndarray:
    """The part ``image[top:top + height, left:left + width]`` of ``box = (top, left, height,
    width)``, checked to lie inside the image.

    Args:
        image: an array with height and width as its first two axes.
        box: four ints ``(top, left, height, width)`` in pixels.
    """
    array = np.asarray(image)
    if len(box) != 4 or not all(isinstance(v, (int, np.integer)) for v in box):
        raise TypeError(f"box must be four ints (top, left, height, width), got {box!r}")
    top, left, height, width = (int(v) for v in box)
    if min(top, left) < 0 or min(height, width) < 1 or top + height > array.shape[0] \
            or left + width > array.shape[1]:
        raise ValueError(f"box {box!r} does not lie inside an image of shape {array.shape[:2]}")
    return array[top:top + height, left:left + width]


# matplotlib's JavaScript player links Font Awesome from a CDN for its button icons. The book must
# work offline, so the link is dropped and each icon becomes plain text. Only symbols that common
# fonts (DejaVu, Liberation, Arial, Segoe UI) have: the media-control block (⏮ ⏸ …) shows as empty
# boxes in most of them. Each button keeps matplotlib's title ("Pause", "Last frame", …).
_PLAYER_ICONS = {
    "fa fa-minus": "−", "fa fa-fast-backward": "|◀", "fa fa-step-backward": "◀|",
    "fa fa-play fa-flip-horizontal": "◀", "fa fa-pause": "||", "fa fa-play": "▶",
    "fa fa-step-forward": "|▶", "fa fa-fast-forward": "▶|", "fa fa-plus": "+",
}


def animation_html(animation, *, fps: int | None = None, default_mode: str = "once") -> str:
    """A matplotlib animation as a self-contained HTML player with no network requests.

    Args:
        animation: a matplotlib animation.
        fps: frames per second of the player; ``None`` keeps the animation's interval.
        default_mode: what happens at the last frame: ``"once"``, ``"loop"`` or ``"reflect"``.
    """
    import re

    html = animation.to_jshtml(fps=fps, default_mode=default_mode)
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for css_class, symbol in sorted(_PLAYER_ICONS.items(), key=lambda kv: -len(kv[0])):
        html = html.replace(f'<i class="{css_class}"></i>', symbol)
    return html
