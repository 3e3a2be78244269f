"""``dldna.chapter_07.param_share`` (compatibility): parameter sharing in numbers.

Both functions call :func:`dldna.measure.counting.compare_parameter_counts`, which builds a 3×3
``Conv2d(1, 1)`` and a fully connected ``Linear(n², n²)`` and counts their parameters.
"""
from __future__ import annotations

from typing import Iterable

from ..measure import counting

COLUMNS = ("Input Size", "Conv Params", "FC Params", "Ratio (FC/Conv)")


def compare_parameter_counts(input_sizes: Iterable[int]):
    """A ``pandas.DataFrame`` with the original columns: "Input Size" (as "8x8"), "Conv Params",
    "FC Params" and "Ratio (FC/Conv)", one row per size.

    Args:
        input_sizes: square input sides n in pixels, positive ints.
    """
    sizes = list(input_sizes)
    for n in sizes:
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"input_sizes must hold positive ints, got {n!r}")
    table = counting.compare_parameter_counts(sizes).reset_index()
    table = table.assign(size=[f"{n}x{n}" for n in table["n"]])
    table = table[["size", "conv_params", "linear_params", "ratio"]]
    table.columns = list(COLUMNS)
    return table


def show_example(size: int = 32) -> None:
    """Print the parameters of the 3×3 convolution, of the fully connected layer and the
    reduction, for one ``size``×``size`` input.

    Args:
        size: side of the square input in pixels.
    """
    row = compare_parameter_counts([size]).iloc[0]
    conv, fc = int(row["Conv Params"]), int(row["FC Params"])
    print(f"Example with {size}x{size} input:")
    print(f"  CNN parameters (3x3 kernel, shared at every position): {conv:,}")
    print(f"  FC parameters ({size * size:,} inputs x {size * size:,} outputs + bias): {fc:,}")
    print(f"  Parameter reduction: {counting.percent_text(100 * (1 - conv / fc))}")
