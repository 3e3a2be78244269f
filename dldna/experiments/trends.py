"""What chapter 9's comparison table says about trends, read off its rows.

The chapter's prose compares pairs of rows ("ResNet-50 has 3.9× GoogLeNet's parameters for
6.3 points more") and says where depth did and did not grow. These helpers compute those
phrases from the rows of :func:`dldna.experiments.comparison.comparison_table`, so the text
cannot drift from the table. Differences of accuracies are taken between the values as the
table shows them (one decimal), so a reader who subtracts two cells gets the number in the text.
"""
from __future__ import annotations

import re

__all__ = ["pair_reading", "depth_reading", "accuracy_drops", "trend_markdown", "year_notes"]


def _shown(accuracy: float) -> float:
    """A top-1 accuracy as the table shows it: rounded to one decimal."""
    return float(f"{accuracy:.1f}")


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
        ``"6.3 points more"`` or ``"… less"`` (other's top-1 against base's, both rounded to one
        decimal first, as the table shows them), and
        ``per_param`` as ``"higher"`` or ``"lower"``: other's top-1 per parameter against base's.

    Raises:
        ValueError: when a label is missing or a row has no ImageNet accuracy.
    """
    a, b = _by_label(rows, base), _by_label(rows, other)
    for row in (a, b):
        if row.get("top-1 (%)") is None:
            raise ValueError(f"row {row['architecture']!r} has no ImageNet top-1 accuracy")
    gain = _shown(b["top-1 (%)"]) - _shown(a["top-1 (%)"])
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


def accuracy_drops(rows: list[dict]) -> list[tuple[str, str, float]]:
    """The steps down the table at which ImageNet top-1 accuracy fell.

    Rows without an accuracy (LeNet-5) are skipped; each step compares a row with the previous
    row that has one, with both accuracies rounded to one decimal as the table shows them.

    Returns:
        ``(earlier, later, points lost)`` for each step at which the shown accuracy fell.
    """
    scored = [r for r in rows if r.get("top-1 (%)") is not None]
    return [(a["architecture"], b["architecture"],
             round(_shown(a["top-1 (%)"]) - _shown(b["top-1 (%)"]), 1))
            for a, b in zip(scored, scored[1:])
            if _shown(b["top-1 (%)"]) < _shown(a["top-1 (%)"])]


# The pairs the chapter reads, as (reference row, compared row); a pair is read when both are there.
PAIRS = (("VGG-16", "EfficientNet-B0"), ("GoogLeNet", "ResNet-50"),
         ("EfficientNet-B0", "ViT-B/16"))


def _times(x: float) -> str:
    """A ratio as it reads in prose: "3.9×" above 1, "1/26 of" below."""
    return f"{x:.1f}×" if x >= 1 else f"1/{1 / x:.2g} of"


def _pair_bullet(rows: list[dict], base: str, other: str) -> str:
    a, b = _by_label(rows, base), _by_label(rows, other)
    gain = pair_reading(rows, base, other)["accuracy"]
    per = (b["top-1 (%)"] / b["params (M)"]) / (a["top-1 (%)"] / a["params (M)"])
    return (f"- **From {base} to {other}:** {other} has {_times(b['params (M)'] / a['params (M)'])} "
            f"{base}'s parameters and {_times(b['GMACs'] / a['GMACs'])} its multiply-adds for "
            f"{gain}, so its accuracy per parameter is {_times(per)} {base}'s.")


def _depth_sentences(rows: list[dict]) -> str:
    d = depth_reading(rows)
    deepest = _by_label(rows, d["deepest"])
    peak = (f"The deepest network here is {d['deepest']} ({d['deepest_depth']} weighted layers on "
            f"the longest path, {d['deepest_year']}; key idea: "
            f"{deepest.get('key idea', 'not stated')}).")
    if d["later_shallower"] == "none":
        return f"{peak} No later row of this table is shallower."
    return (f"Depth did not grow steadily either. {peak} Later designs are shallower: "
            f"{d['later_shallower']}.")


def _newest_sentence(rows: list[dict]) -> str:
    labels = {r["architecture"] for r in rows}
    newest = [n for n in ("ViT-B/16", "ConvNeXt-T") if n in labels]
    if "EfficientNet-B0" not in labels or not newest:
        return ""
    b0 = _by_label(rows, "EfficientNet-B0")
    costs = [_by_label(rows, n)["GMACs"] / b0["GMACs"] for n in newest]
    if min(costs) <= 1:
        return ""
    listed = " and ".join(f"{n} {_times(c)}" for n, c in zip(newest, costs))
    return (f" The newest rows are not cheaper than EfficientNet-B0 ({listed} its multiply-adds): "
            f"they were designed for large datasets and long training recipes.")


def trend_markdown(rows: list[dict]) -> str:
    """Chapter 9's reading of its comparison table, as Markdown computed from the rows.

    It names the steps at which accuracy fell, compares the pairs in ``PAIRS`` that are
    present, and says where depth peaked. Rows missing from a short table are left out of the
    text rather than described.

    Args:
        rows: rows of :func:`dldna.experiments.comparison.comparison_table`.

    Raises:
        ValueError: when ``rows`` is empty.
    """
    if not rows:
        raise ValueError("rows must hold at least one row of the comparison table")
    scored = [r for r in rows if r.get("top-1 (%)") is not None]
    parts = []
    if len(scored) >= 2:
        best = max(scored, key=lambda r: r["top-1 (%)"])
        drops = accuracy_drops(rows)
        fell = ("; it fell at " + count_words(len(drops), "step") + ": " + ", ".join(
            f"{a} → {b} ({lost:.1f} points)" for a, b, lost in drops)) if drops else \
            "; it never fell from one row to the next"
        parts.append(f"Read down the table, in order of publication: top-1 accuracy rose from "
                     f"{scored[0]['architecture']}'s {scored[0]['top-1 (%)']:.1f} % to "
                     f"{best['architecture']}'s {best['top-1 (%)']:.1f} %{fell}. "
                     f"Efficiency tells a different story from pair to pair:")
        labels = {r["architecture"] for r in scored}
        bullets = [_pair_bullet(rows, a, b) for a, b in PAIRS if {a, b} <= labels]
        if bullets:
            parts.append("\n".join(bullets))
        else:
            parts[-1] = parts[-1].replace(" Efficiency tells a different story from pair to "
                                          "pair:", "")
    parts.append(_depth_sentences(rows) + _newest_sentence(rows))
    return "\n\n".join(parts)


def count_words(n: int, noun: str) -> str:
    """``n`` in words up to ten, with the noun in the right number: "one step", "three steps"."""
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    return f"{words[n] if 0 <= n <= 10 else n} {noun}{'' if n == 1 else 's'}"


def _cited_year(key: str, bib: str | None) -> tuple[int | None, str]:
    """Year and venue abbreviation of a bibliography entry (without ``bib``: the key's year)."""
    if bib is not None:
        match = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)(?=\n@|\Z)", bib, re.S)
        if match:
            entry = match.group(1)
            year = re.search(r"\byear\s*=\s*\{?(\d{4})", entry)
            venue = re.search(r"\b(?:booktitle|journal)\s*=\s*\{[^}]*\(([^)]+)\)", entry)
            if year:
                return int(year.group(1)), venue.group(1) if venue else ""
    digits = re.search(r"(\d{4})", key)
    return (int(digits.group(1)) if digits else None), ""


def year_notes(rows: list[dict], bib: str | None = None) -> str:
    """The rows whose year (of the first public version) differs from the cited publication's.

    Args:
        rows: rows of the comparison table (need ``architecture``, ``year`` and ``cite``).
        bib: the text of the book's BibTeX file, for the cited year and venue; without it the
            year is read from the citation key (``he2016deep``: 2016) and no venue is named.

    Returns:
        e.g. ``"ResNet-50 (2015; cited: CVPR 2016) and ViT-B/16 (2020; cited: ICLR 2021)"``, or
        ``""`` when every year agrees.
    """
    notes = []
    for row in rows:
        year, venue = _cited_year(row.get("cite") or "", bib)
        if year is not None and row.get("year") is not None and year != row["year"]:
            cited = f"{venue} {year}" if venue else f"{year}"
            notes.append(f"{row['architecture']} ({row['year']}; cited: {cited})")
    if len(notes) <= 1:
        return "".join(notes)
    return ", ".join(notes[:-1]) + " and " + notes[-1]
