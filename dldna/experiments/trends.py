"""What chapter 9's comparison table says about trends, read off its rows.

The chapter's prose compares pairs of rows ("ResNet-50 has 3.9× GoogLeNet's parameters for
6.4 points more") and says where depth did and did not grow. These helpers compute those
phrases from the rows of :func:`dldna.experiments.comparison.comparison_table`, so the text
cannot drift from the table.
"""
from __future__ import annotations

__all__ = ["pair_reading", "depth_reading"]


def _by_label(rows: list[dict], label: str) -> dict:
    for row in rows:
        if row.get("architecture") == label:
            return row
    names = ", ".join(str(r.get("architecture")) for r in rows)
    raise ValueError(f"no row labelled {label!r} in the table (rows: {names})")


def pair_reading(rows: list[dict], base: str, other: str) -> dict[str, str]:
    """How ``other`` compares with ``base``: parameter and multiply-add ratios, accuracy gap.

    Args:
        rows: rows of the comparison table (need ``params (M)``, ``GMACs``, ``top-1 (%)``).
        base: label of the reference row, e.g. ``"GoogLeNet"``.
        other: label of the row compared with it, e.g. ``"ResNet-50"``.

    Returns:
        ``params`` and ``macs`` as ``"3.9×"`` (other over base), ``accuracy`` as
        ``"6.4 points more"`` or ``"… less"`` (other's top-1 against base's), and
        ``per_param`` as ``"higher"`` or ``"lower"``: other's top-1 per parameter against base's.

    Raises:
        ValueError: when a label is missing or a row has no ImageNet accuracy.
    """
    a, b = _by_label(rows, base), _by_label(rows, other)
    for row in (a, b):
        if row.get("top-1 (%)") is None:
            raise ValueError(f"row {row['architecture']!r} has no ImageNet top-1 accuracy")
    gain = b["top-1 (%)"] - a["top-1 (%)"]
    per_a = a["top-1 (%)"] / a["params (M)"]
    per_b = b["top-1 (%)"] / b["params (M)"]
    return {"params": f"{b['params (M)'] / a['params (M)']:.1f}×",
            "macs": f"{b['GMACs'] / a['GMACs']:.1f}×",
            "accuracy": f"{abs(gain):.1f} points {'more' if gain >= 0 else 'less'}",
            "per_param": "higher" if per_b > per_a else "lower"}


def depth_reading(rows: list[dict]) -> dict[str, str]:
    """The deepest row, and the rows published after it that are shallower than it.

    Args:
        rows: rows of the comparison table (need ``architecture``, ``year``, ``depth``).

    Returns:
        ``deepest`` (label), ``deepest_depth``, ``deepest_year``, and ``later_shallower``: the
        later rows as ``"ViT-B/16 (50)"`` joined by " and ", or ``"none"``.

    Raises:
        ValueError: when ``rows`` is empty.
    """
    if not rows:
        raise ValueError("rows must hold at least one row of the comparison table")
    deepest = max(rows, key=lambda r: r["depth"])
    later = [r for r in rows if r["year"] > deepest["year"] and r["depth"] < deepest["depth"]]
    return {"deepest": deepest["architecture"], "deepest_depth": f"{deepest['depth']}",
            "deepest_year": f"{deepest['year']}",
            "later_shallower": " and ".join(f"{r['architecture']} ({r['depth']})"
                                            for r in later) or "none"}
