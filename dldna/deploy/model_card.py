"""A model card (Mitchell et al., 2019) rendered from a dataclass, refusing to render incomplete.

Every field of :class:`ModelCard` is required: a card that leaves the intended use, the failure
modes or the licence empty is worse than none, because it looks complete. :meth:`ModelCard.render`
raises :class:`MissingFieldError` naming every empty field instead of printing a blank section.

>>> card = ModelCard(name="...", ..., metrics=[Metric("binary accuracy", 0.87, 0.84, 0.89, "test")])
>>> print(card.render())        # Markdown, for the file next to the model
>>> card.to_html(heading_level=4)  # HTML, for a notebook (its tables need no Markdown parser)
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field, fields
from pathlib import Path


class MissingFieldError(ValueError):
    """A model card lacks required fields; ``missing`` lists their names."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = list(missing)
        super().__init__(f"the model card cannot be rendered: missing {', '.join(missing)}")


@dataclass(frozen=True)
class Metric:
    """One measured number with its interval.

    Args:
        name: what was measured, e.g. ``"binary accuracy"``.
        value: the point estimate.
        low: lower end of the interval.
        high: upper end of the interval.
        on: the data it was measured on, e.g. ``"ELPV test split (656 cells)"``.
        interval: how the interval was obtained, e.g. ``"95 % bootstrap"``.
    """

    name: str
    value: float
    low: float
    high: float
    on: str
    interval: str = "95 % bootstrap interval"

    def __post_init__(self) -> None:
        for label in ("value", "low", "high"):
            number = getattr(self, label)
            if not isinstance(number, (int, float)) or isinstance(number, bool) \
                    or not math.isfinite(float(number)):
                raise ValueError(f"Metric {self.name!r}: {label} must be a finite number, "
                                 f"got {number!r}")
        if not float(self.low) <= float(self.value) <= float(self.high):
            raise ValueError(f"Metric {self.name!r}: expected low ≤ value ≤ high, got "
                             f"{self.low} ≤ {self.value} ≤ {self.high}")

    def formatted(self, percent: bool = True) -> str:
        """``"87.2 % [84.6, 89.7]"`` (or plain numbers with ``percent=False``)."""
        if percent:
            return f"{100 * self.value:.1f} % [{100 * self.low:.1f}, {100 * self.high:.1f}]"
        return f"{self.value:.3g} [{self.low:.3g}, {self.high:.3g}]"


def _levels(heading_level: int) -> tuple[int, int]:
    """The title's and the sections' heading levels for a title at ``heading_level``."""
    if not isinstance(heading_level, int) or isinstance(heading_level, bool) \
            or not 1 <= heading_level <= 6:
        raise ValueError(f"heading_level must be an int from 1 to 6, got {heading_level!r}")
    return heading_level, min(heading_level + 1, 6)


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0 or (not isinstance(value, dict)
                                   and all(isinstance(v, str) and not v.strip() for v in value))
    return False


@dataclass(frozen=True)
class ModelCard:
    """What a reader of a deployed model must know, one field per section; all are required.

    Args:
        name: the model's name and version.
        model: the architecture and how it was trained, in one or two sentences.
        data: the training and evaluation data, with the split protocol.
        intended_use: what the model is for, and for whom.
        out_of_scope_use: uses it was not built or tested for.
        metrics: the headline numbers, each with an interval.
        breakdown: the same metric per subgroup (e.g. per module type), each with an interval.
        failure_modes: the known ways it fails, as observed in the error analysis.
        licence: the licences of the model and of the data it was trained on.
        exports: the exported files with their parity check (optional: ``()`` when none).
    """

    name: str
    model: str
    data: str
    intended_use: str
    out_of_scope_use: str
    metrics: tuple[Metric, ...]
    breakdown: tuple[Metric, ...]
    failure_modes: tuple[str, ...]
    licence: str
    exports: tuple[str, ...] = field(default=())

    OPTIONAL = ("exports",)

    def missing_fields(self) -> list[str]:
        """The names of required fields that are empty (None, blank text or an empty list)."""
        return [f.name for f in fields(self)
                if f.name not in self.OPTIONAL and _is_empty(getattr(self, f.name))]

    def _checked(self) -> None:
        missing = self.missing_fields()
        if missing:
            raise MissingFieldError(missing)
        for label in ("metrics", "breakdown"):
            bad = [m for m in getattr(self, label) if not isinstance(m, Metric)]
            if bad:
                raise TypeError(f"{label} must hold Metric objects, got {type(bad[0]).__name__}")

    def _sections(self) -> list[tuple[str, object]]:
        """(heading, content) in the card's order: text, a table's rows or a list's items."""
        metrics = [(m.name, f"{m.formatted()} ({m.interval})", m.on) for m in self.metrics]
        breakdown = [(m.name, m.formatted(), m.on) for m in self.breakdown]
        sections = [("Model", self.model), ("Data", self.data),
                    ("Intended use", self.intended_use),
                    ("Out-of-scope use", self.out_of_scope_use),
                    ("Metrics", ("metric", metrics)), ("Breakdown", ("subgroup", breakdown)),
                    ("Known failure modes", list(self.failure_modes))]
        if self.exports:
            sections.append(("Exports", list(self.exports)))
        return sections + [("Licence", self.licence)]

    def render(self, heading_level: int = 1) -> str:
        """The card as Markdown, for the file that travels with the model.

        Args:
            heading_level: the level of the card's title (1: ``#``); its sections are one
                level below (at most 6).

        Raises:
            MissingFieldError: a required field is empty; its message names every one.
        """
        self._checked()
        title, section = _levels(heading_level)
        lines = [f"{'#' * title} Model card: {self.name}"]
        for heading, content in self._sections():
            lines += ["", f"{'#' * section} {heading}"]
            if isinstance(content, str):
                lines.append(content)
            elif isinstance(content, tuple):
                first, rows = content
                lines += ["", f"| {first} | value [interval] | measured on |", "|---|---|---|"]
                lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
            else:
                lines += [f"- {item}" for item in content]
        return "\n".join(lines + [""])

    def to_html(self, heading_level: int = 4) -> str:
        """The card as HTML, for a notebook or an HTML page (tables need no Markdown parser).

        Args:
            heading_level: the level of the card's title (4: ``<h4>``, small enough for a card
                shown inside a chapter's section); its sections are one level below (at most 6).

        Raises:
            MissingFieldError: a required field is empty; its message names every one.
        """
        self._checked()
        title, section = _levels(heading_level)
        esc = html.escape
        parts = ['<div class="model-card">',
                 f"<h{title}>Model card: {esc(self.name)}</h{title}>"]
        for heading, content in self._sections():
            parts.append(f"<h{section}>{esc(heading)}</h{section}>")
            if isinstance(content, str):
                parts.append(f"<p>{esc(content)}</p>")
            elif isinstance(content, tuple):
                first, rows = content
                parts.append(f"<table><thead><tr><th>{esc(first)}</th><th>value [interval]</th>"
                             "<th>measured on</th></tr></thead><tbody>")
                parts += [f"<tr><td>{esc(a)}</td><td>{esc(b)}</td><td>{esc(c)}</td></tr>"
                          for a, b, c in rows]
                parts.append("</tbody></table>")
            else:
                parts.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in content)
                             + "</ul>")
        return "\n".join(parts + ["</div>"])

    def save(self, path: str | Path) -> Path:
        """Write :meth:`render`'s Markdown to ``path`` (``MissingFieldError`` first if incomplete).

        Args:
            path: the ``.md`` file to write.
        """
        text = self.render()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
