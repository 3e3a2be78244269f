"""Output-size calculator: where a k-wide window with stride s and padding p lands on n pixels.

:func:`window_positions` is the pure, tested part; :func:`plot_output_size` draws it (the static
figure the HTML book shows) and :func:`output_size_widget` wraps it in sliders.
"""
from __future__ import annotations

from ..conv import output_size


def window_positions(n: int, k: int, s: int = 1, p: int = 0) -> dict:
    """Everything the calculator shows for one axis.

    Returns the output size, the formula with the numbers filled in, the start of each window
    in padded coordinates (0 = first padding pixel) and how many pixels at the end of the
    padded input no window reaches (they are dropped when (n + 2p − k) is not divisible by s).

    Args:
        n: input size in pixels.
        k: kernel (window) size.
        s: stride.
        p: zero padding on each side.
    """
    out = output_size(n, k, s, p)
    starts = [i * s for i in range(out)]
    padded = n + 2 * p
    unused = padded - (starts[-1] + k)
    return {
        "n": n, "k": k, "s": s, "p": p, "padded": padded, "output": out, "starts": starts,
        "unused": unused,
        "formula": f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{n + 2 * p - k}/{s}⌋ + 1 = {out}",
    }


def plot_output_size(n: int = 7, k: int = 3, s: int = 2, p: int = 1, ax=None):
    """Draw the padded input as a row of cells and every window position below it.

    Args:
        n: input size in pixels.
        k: kernel (window) size.
        s: stride.
        p: zero padding on each side.
        ax: the matplotlib axes to draw on (``None``: a new figure).

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    info = window_positions(n, k, s, p)
    rows = info["output"]
    if ax is None:
        _, ax = plt.subplots(figsize=(min(7, max(5, 0.45 * info["padded"] + 1.5)),
                                        1.45 + 0.35 * rows))
    for x in range(info["padded"]):
        is_pad = x < p or x >= p + n
        ax.add_patch(Rectangle((x, 0), 1, 1, facecolor="#eeeeee" if is_pad else "#9ecae1",
                               edgecolor="k", hatch="//" if is_pad else None))
        if not is_pad:  # real pixels show their index; hatched padding cells hold zeros
            ax.text(x + 0.5, 0.5, str(x - p), ha="center", va="center", fontsize=9)
    for i, start in enumerate(info["starts"]):
        y = -0.6 - 0.45 * i
        ax.plot([start + 0.1, start + k - 0.1], [y, y], color="tab:red", lw=4, solid_capstyle="butt")
        ax.text(start + k + 0.2, y, f"out[{i}]", va="center", fontsize=9)
    if info["unused"]:
        ax.text(info["padded"] + 0.1, 0.5, f"← {info['unused']} unused", va="center", fontsize=9,
                color="tab:gray")
    ax.set_xlim(-0.2, info["padded"] + 3)
    ax.set_ylim(-0.8 - 0.45 * rows, 1.2)
    ax.axis("off")
    key = "cells: pixel index" + ("; hatched: zero padding" if p else "")
    ax.set_title(f"n={n}, k={k}, s={s}, p={p}:  {info['formula']}\n{key}", fontsize=11)
    return ax.figure


def output_size_widget(n: int = 7, k: int = 3, s: int = 2, p: int = 1):
    """Sliders for n, k, s, p with the live drawing; returns the widget, shown when it is the
    last value of a cell (ipywidgets 7.7 and 8 API only).

    Args:
        n: starting input size in pixels.
        k: starting kernel (window) size.
        s: starting stride.
        p: starting zero padding on each side.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    sliders = {
        "n": widgets.IntSlider(value=n, min=1, max=20, description="input n"),
        "k": widgets.IntSlider(value=k, min=1, max=9, description="kernel k"),
        "s": widgets.IntSlider(value=s, min=1, max=5, description="stride s"),
        "p": widgets.IntSlider(value=p, min=0, max=4, description="padding p"),
    }

    def draw(n, k, s, p):
        try:
            plot_output_size(n, k, s, p)
            plt.show()
        except ValueError as err:
            print(f"No output: {err}")

    out = widgets.interactive_output(draw, sliders)
    box = widgets.VBox([widgets.HBox([sliders["n"], sliders["k"]]),
                        widgets.HBox([sliders["s"], sliders["p"]]), out])
    return box
