"""Benchmark: naive loops vs im2col + matmul vs ``F.conv2d`` on three real layer shapes.

``python -m dldna.bench conv`` prints the table; ``--small`` uses tiny batches (smoke profile).
All three implementations run in the same process, one after another on the same tensors, so
the ratios to ``F.conv2d`` compare like with like on *this* machine.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..conv import conv2d_im2col, conv2d_loops


@dataclass(frozen=True)
class ConvCase:
    """One convolution layer to time: a batch of square inputs and square kernels.

    Args:
        name: the layer's name in the table.
        batch: images per batch.
        in_channels: channels of the input.
        size: side of the input in pixels.
        out_channels: filters, i.e. channels of the output.
        kernel: side of the kernel.
        padding: zero padding on each side.
    """

    name: str
    batch: int
    in_channels: int
    size: int
    out_channels: int
    kernel: int
    padding: int = 0

    def shapes(self, small: bool = False) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Input and weight shapes; ``small`` (smoke profile) uses 2 images of at most 16×16.

        Args:
            small: shrink the batch and the input (for the smoke profile and tests).
        """
        batch, size = (min(self.batch, 2), min(self.size, 16)) if small else (self.batch, self.size)
        return ((batch, self.in_channels, size, size),
                (self.out_channels, self.in_channels, self.kernel, self.kernel))


CASES = (
    ConvCase("LeNet conv1", 64, 1, 28, 6, 5),
    ConvCase("LeNet conv2", 64, 6, 14, 16, 5),
    ConvCase("3×3 layer", 32, 64, 32, 64, 3, padding=1),
)


def _seconds(fn) -> float:
    return _timed(fn)[0]


def _timed(fn):
    """Seconds one call of ``fn`` took, and what it returned."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


@torch.no_grad()
def run_benchmark(small: bool = False, repeats: int | None = None, naive_repeats: int | None = None,
                  seed: int = 0) -> list[dict]:
    """Time the three implementations on each case; one dict per case (a table as data).

    Each row has the shapes, the best time in milliseconds of each implementation, the ratios to
    ``F.conv2d`` and the largest difference between the outputs (they must agree).

    Args:
        small: 2 images of at most 16×16 per case instead of the full batch.
        repeats: timed runs of ``F.conv2d`` and im2col, the best kept (``None``: 5 small,
            else 20).
        naive_repeats: at most this many timed runs of the loops, fewer once they take a
            second in all (``None``: 3).
        seed: seed of the random inputs and weights.
    """
    repeats = repeats or (5 if small else 20)
    naive_repeats = naive_repeats or 3
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for case in CASES:
        x_shape, w_shape = case.shapes(small)
        x = torch.randn(x_shape, generator=generator)
        w = torch.randn(w_shape, generator=generator)
        b = torch.randn(w_shape[0], generator=generator)
        run_torch = lambda: F.conv2d(x, w, b, padding=case.padding)        # noqa: E731
        run_im2col = lambda: conv2d_im2col(x, w, b, padding=case.padding)  # noqa: E731
        run_loops = lambda: conv2d_loops(x, w, b, padding=case.padding)    # noqa: E731
        reference = run_torch()  # also the warm-up: allocations, thread pool
        error = (run_im2col() - reference).abs().max().item()
        # Interleave the fast implementations so that a busy machine slows both alike, and keep
        # the best time of each: the least disturbed run.
        t_torch, t_im2col = [], []
        for _ in range(repeats):
            t_torch.append(_seconds(run_torch))
            t_im2col.append(_seconds(run_im2col))
        t_torch, t_im2col = min(t_torch), min(t_im2col)
        # The loops are slow: their first timed run also gives the output that is checked.
        first, loops_out = _timed(run_loops)
        error = max(error, (loops_out - reference).abs().max().item())
        t_loops = [first]
        while len(t_loops) < naive_repeats and sum(t_loops) < 1.0:  # repeat only the quick ones
            t_loops.append(_seconds(run_loops))
        t_loops = min(t_loops)
        rows.append({
            "layer": case.name,
            "input": "×".join(map(str, x_shape)),
            "weight": "×".join(map(str, w_shape)),
            "loops_ms": 1e3 * t_loops,
            "im2col_ms": 1e3 * t_im2col,
            "conv2d_ms": 1e3 * t_torch,
            "loops_ratio": t_loops / t_torch,
            "im2col_ratio": t_im2col / t_torch,
            "max_abs_diff": error,
        })
    return rows


def format_ratio(ratio: float) -> str:
    """A ratio or a time for a table: 0.012, 0.35, 4.00, 48.3, 1,234 – enough digits to compare,
    no scientific notation, and the same number of decimals for values of the same size.

    Args:
        ratio: a non-negative number.
    """
    if ratio >= 100:
        return f"{ratio:,.0f}"
    if ratio >= 10:
        return f"{ratio:.1f}"
    return f"{ratio:.2f}" if ratio >= 1 else f"{ratio:.2g}"


def format_ms(ms: float) -> str:
    """A time in milliseconds with two decimals in every row: 0.38, 25.30, 19,788.20.

    Args:
        ms: a time in milliseconds.
    """
    return f"{ms:,.2f}"


def format_times(ratio: float) -> str:
    """A ratio to F.conv2d with two decimals in every row: 0.31×, 2.28×, 2,067.40×.

    Args:
        ratio: a time divided by that of ``F.conv2d``.
    """
    return f"{ratio:,.2f}×"


def format_table(rows: list[dict]) -> str:
    """The rows of :func:`run_benchmark` as a plain-text table (same precision per column).

    Args:
        rows: the list returned by :func:`run_benchmark`.
    """
    header = (f"{'layer':<12} {'input':<14} {'weight':<11} {'loops ms':>11} "
              f"{'im2col ms':>10} {'conv2d ms':>10} {'loops/conv2d':>13} "
              f"{'im2col/conv2d':>14}")
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r['layer']:<12} {r['input']:<14} {r['weight']:<11} "
                     f"{format_ms(r['loops_ms']):>11} {format_ms(r['im2col_ms']):>10} "
                     f"{format_ms(r['conv2d_ms']):>10} "
                     f"{format_times(r['loops_ratio']):>13} "
                     f"{format_times(r['im2col_ratio']):>14}")
    return "\n".join(lines)


def page_table(rows: list[dict]):
    """The rows as a narrow table for the book: one column per layer, times (ms) and
    ratios with two decimals each, differences in scientific notation.

    Args:
        rows: the list returned by :func:`run_benchmark`.

    Returns:
        A ``pandas.DataFrame`` of strings, one column per layer.
    """
    import pandas as pd

    table = pd.DataFrame(rows).set_index("layer")
    return pd.DataFrame({
        "input N×C×H×W": table["input"],
        "weight": table["weight"],
        "loops (ms)": table["loops_ms"].map(format_ms),
        "im2col (ms)": table["im2col_ms"].map(format_ms),
        "F.conv2d (ms)": table["conv2d_ms"].map(format_ms),
        "loops ÷ F.conv2d": table["loops_ratio"].map(format_times),
        "im2col ÷ F.conv2d": table["im2col_ratio"].map(format_times),
        "largest difference": table["max_abs_diff"].map("{:.0e}".format),
    }).T.rename_axis(columns=None)


def plot_benchmark(rows: list[dict], title: str):
    """Bars of each implementation's time as a multiple of F.conv2d (log scale).

    Args:
        rows: the list returned by :func:`run_benchmark`.
        title: the figure's title.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    positions = np.arange(len(rows))
    ratios = {"loops": [r["loops_ratio"] for r in rows],
              "im2col + matmul": [r["im2col_ratio"] for r in rows]}
    for offset, (label, values) in zip((-0.2, 0.2), ratios.items()):
        bars = ax.bar(positions + offset, values, 0.4, label=label)
        ax.bar_label(bars, [format_times(v) for v in values], padding=2, fontsize=9)
    ax.axhline(1, color="k", lw=1, ls="--", label="F.conv2d")
    ax.set_yscale("log")
    ax.set_ylim(top=4 * max(max(v) for v in ratios.values()))
    ax.set_xticks(positions, [r["layer"] for r in rows])
    ax.set_ylabel("time ÷ F.conv2d time")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dldna.bench conv", description=__doc__)
    parser.add_argument("--small", action="store_true", help="tiny batches (seconds, for tests)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per implementation")
    args = parser.parse_args(argv)
    rows = run_benchmark(small=args.small, repeats=args.repeats)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{'small batches' if args.small else 'full batches'}; best of repeated runs")
    print(format_table(rows))
    worst = max(r["max_abs_diff"] for r in rows)
    print(f"all three agree: largest difference {worst:.2e}")
    return 0


__all__ = ["CASES", "ConvCase", "run_benchmark", "format_ratio", "format_ms", "format_times",
           "format_table", "page_table", "plot_benchmark", "main"]
