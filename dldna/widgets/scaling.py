"""Scaling explorer (chapter 8): choose φ, see depth, width and resolution multipliers and what
the network built by the compound-scaling rule costs. ``scaling_point`` and ``scaling_figure``
are the pure, tested part; ``scaling_explorer`` is the thin ipywidgets wrapper (API common to
ipywidgets 7.7 and 8)."""
from __future__ import annotations

from functools import lru_cache

import torch
from torch.utils.flop_counter import FlopCounterMode

from ..models.efficientnet import MAX_PHI, compound_scaling, efficientnet_from_phi

__all__ = ["scaling_point", "scaling_figure", "scaling_explorer"]


@lru_cache(maxsize=32)
def scaling_point(phi: float) -> dict[str, float]:
    """Multipliers (α^φ, β^φ, γ^φ), input size, parameters and multiply-adds of the network
    the compound-scaling rule builds from B0 for ``phi`` (counted on the meta device).

    Args:
        phi: the compound coefficient φ, 0 to ``MAX_PHI`` (0: B0).
    """
    depth, width, resolution = compound_scaling(phi)  # raises ValueError outside [0, MAX_PHI]
    with torch.device("meta"):
        model, size = efficientnet_from_phi(phi)
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model.eval()(torch.zeros(1, 3, size, size))
    return {"phi": float(phi), "depth": depth, "width": width, "resolution": resolution,
            "size": size, "params": sum(p.numel() for p in model.parameters()),
            "macs": counter.get_total_flops() // 2}


def scaling_figure(phi: float = 1.0, released: dict[int, tuple[int, int]] | None = None):
    """Left: the three multipliers and the FLOP multiple 2^φ at ``phi``. Right: parameters
    against multiply-adds of the rule's network at ``phi`` and at φ = 0 (B0), with the released
    B0–B7 as reference points when ``released`` maps b → (params, macs).

    Args:
        phi: the compound coefficient φ.
        released: ``b → (parameters, multiply-adds)`` of the released networks, or ``None``.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    point, base = scaling_point(phi), scaling_point(0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.2),
                                      gridspec_kw={"width_ratios": [1, 1.25]})
    names = ["depth\n$\\alpha^\\varphi$", "width\n$\\beta^\\varphi$",
             "resolution\n$\\gamma^\\varphi$", "MACs\n÷ B0"]
    values = [point["depth"], point["width"], point["resolution"],
              point["macs"] / base["macs"]]
    bars = left.bar(names, values, color=["tab:blue", "tab:orange", "tab:green", "tab:grey"])
    left.bar_label(bars, fmt="%.2f", fontsize=9)
    left.axhline(2 ** phi, color="k", lw=0.8, ls="--")
    left.text(-0.45, 2 ** phi, f"$2^\\varphi$ = {2 ** phi:.2f}", ha="left", va="bottom",
              fontsize=9)
    left.set_ylim(0, max(values + [2 ** phi]) * 1.2)
    left.set_title(f"φ = {phi:g}: {point['size']}×{point['size']} input", fontsize=10)
    left.set_ylabel("multiple of B0", fontsize=9)
    left.tick_params(labelsize=9)
    if released:
        xs = [macs / 1e9 for _, macs in released.values()]
        ys = [params / 1e6 for params, _ in released.values()]
        right.plot(xs, ys, "o-", color="tab:blue", label="released B0–B7")
        for b, x, y in zip(released, xs, ys):
            right.annotate(f"B{b}", (x, y), textcoords="offset points", xytext=(4, -10),
                           fontsize=8)
    right.plot(point["macs"] / 1e9, point["params"] / 1e6, "*", ms=14, color="tab:red",
               label=f"rule at φ = {phi:g}")
    right.set_xscale("log")
    right.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    right.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    right.xaxis.set_minor_formatter(NullFormatter())
    right.set_xlabel("multiply-adds per image (billions, log)", fontsize=9)
    right.set_ylabel("parameters (millions)", fontsize=9)
    right.legend(fontsize=8, loc="upper left")
    right.tick_params(labelsize=9)
    right.set_title(f"{point['params'] / 1e6:.1f} M parameters, "
                    f"{point['macs'] / 1e9:.2f} G multiply-adds", fontsize=10)
    fig.tight_layout()
    return fig


def scaling_explorer(phi: float = 1.0, released: dict[int, tuple[int, int]] | None = None):
    """A φ slider (0 … MAX_PHI in steps of 0.5) and the live :func:`scaling_figure`.

    Args:
        phi: the slider's starting value.
        released: passed to :func:`scaling_figure`.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    compound_scaling(phi)  # check the starting value
    slider = w.FloatSlider(value=phi, min=0.0, max=MAX_PHI, step=0.5, description="φ")
    out = w.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            fig = scaling_figure(slider.value, released)
            display(fig)
            plt.close(fig)

    slider.observe(redraw, names="value")
    redraw()
    return w.VBox([slider, out])
