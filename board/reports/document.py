"""What the committee documents (.docx and PDF) show, decided once for both:
which columns (an Iværksættelse, Vurdering or Ansvarlig column only when some
row has one), their plain-word headers, each row's cell texts, the column
widths from the content, and the opening summary (tiltag per fase and per
vurdering for each pejlemærke)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..documents.text_fit import ColumnContent, fit_widths
from ..models import HEALTH_LABELS, STAGE_LABELS, STAGES, Health
from .report import ReportRow, StatusReport

HEALTHS = tuple(Health)

NO_INITIATIVES = "Ingen tiltag endnu"
NO_HEALTH = "Ingen vurdering"
PHASE = "Fase"  # the app's "Kolonne": the word a committee reads


def health_of(row: ReportRow) -> str | None:
    """The row's vurdering value, None for none (or one no longer known)."""
    return row.health if row.health in {h.value for h in HEALTHS} else None


def health_word(row: ReportRow) -> str:
    """The vurdering as a word (the documents never rely on colour)."""
    return row.health_label


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    weight: float = 1.0  # status gets the spare room first


def columns(report: StatusReport) -> list[Column]:
    rows = [row for _, _, row in report.flat_rows() if row is not None]
    chosen = [Column("title", "Tiltag", 1.0)]
    if any(r.timeline.strip() for r in rows):
        chosen.append(Column("timeline", "Iværksættelse", 0.8))
    chosen.append(Column("stage", PHASE, 0.5))
    if any(health_of(r) for r in rows):
        chosen.append(Column("health", "Vurdering", 0.5))
    chosen.append(Column("status", "Status", 1.6))
    if any(r.responsible_label.strip() for r in rows):
        chosen.append(Column("responsible", "Ansvarlig", 0.6))
    return chosen


def cell_texts(row: ReportRow, column: Column) -> list[tuple[str, str]]:
    """(style, text) paragraphs of one cell; style is "bold", "regular" or
    "italic". The tiltag cell is its title in bold over its description."""
    if column.key == "title":
        return [("bold", row.title)] + [
            ("regular", line) for line in row.description.splitlines() if line.strip()
        ]
    text = {
        "timeline": row.timeline,
        "stage": row.stage_label,
        "health": health_word(row),
        "status": row.status_note,
        "responsible": row.responsible_label,
    }[column.key]
    return [("regular", line) for line in (text or "").splitlines() if line.strip()]


def column_widths(
    report: StatusReport, chosen: list[Column], total: float, measures: dict, padding: float
) -> list[float]:
    """Widths in points for `chosen`, adding up to `total`. `measures` maps
    "regular"/"bold"/"italic" to a word-width function of the body font."""
    contents = []
    rows = [row for _, _, row in report.flat_rows() if row is not None]
    for column in chosen:
        content = ColumnContent(weight=column.weight)
        content.add(column.header, measures["bold"])
        for row in rows:
            for style, text in cell_texts(row, column):
                content.add(text, measures[style])
        contents.append(content)
    widths = fit_widths(contents, total, padding)
    return _status_widest(chosen, contents, widths, padding)


def _status_widest(chosen, contents, widths, padding) -> list[float]:
    """The status is what a committee reads first: its column is the widest
    (as wide as the widest other one), the room taken from the wider
    columns, none below its longest word."""
    keys = [c.key for c in chosen]
    status = keys.index("status")
    others = [i for i in range(len(widths)) if i != status]
    target = max(widths[i] for i in others)
    need = target - widths[status]
    if need <= 0:
        return widths
    # Share the width between status and the widest: both end equal.
    widest = max(others, key=lambda i: widths[i])
    floor = contents[widest].longest_word + padding
    equal = (widths[status] + widths[widest]) / 2
    give = min(widths[widest] - max(equal, floor), need)
    widths = list(widths)
    widths[widest] -= give
    widths[status] += give
    return widths


def theme_heading(report: StatusReport, title: str) -> str:
    return f"{report.theme_label}: {title}" if report.theme_label else title


# --------------------------------------------------------------- summary
@dataclass
class SummaryLine:
    title: str
    by_stage: dict[str, int] = field(default_factory=dict)  # stage value -> count
    by_health: dict[str, int] = field(default_factory=dict)  # health value or "" -> count
    total: int = 0


@dataclass
class Summary:
    stage_labels: list[tuple[str, str]]  # (value, Danish label), board order
    health_labels: list[tuple[str, str]]  # (value or "", label); empty: no vurdering column
    lines: list[SummaryLine]
    total: SummaryLine

    def alt_text(self, theme_label: str) -> str:
        """The chart's text alternative: every number it draws, in words."""
        parts = []
        for line in self.lines:
            stages = ", ".join(
                f"{line.by_stage.get(value, 0)} {label.lower()}"
                for value, label in self.stage_labels
            )
            parts.append(f"{line.title}: {line.total} tiltag ({stages})")
        return (
            f"Søjlediagram over tiltag pr. fase for hvert {theme_label.lower()}. "
            + "; ".join(parts)
            + "."
        )


def summary(report: StatusReport) -> Summary:
    stage_labels = [(s.value, STAGE_LABELS[s]) for s in STAGES]
    with_health = any(health_of(r) for _, _, r in report.flat_rows() if r is not None)
    health_labels = (
        [(h.value, HEALTH_LABELS[h]) for h in HEALTHS] + [("", NO_HEALTH)] if with_health else []
    )
    lines = []
    total = SummaryLine("I alt")
    for theme in report.themes:
        line = SummaryLine(theme.title)
        rows = list(theme.rows) + [r for o in theme.objectives for r in o.rows]
        for row in rows:
            for target in (line, total):
                target.by_stage[row.stage] = target.by_stage.get(row.stage, 0) + 1
                key = health_of(row) or ""
                target.by_health[key] = target.by_health.get(key, 0) + 1
                target.total += 1
        lines.append(line)
    return Summary(stage_labels, health_labels, lines, total)


def summary_widths(
    report: StatusReport, count_columns: int, total: float, measures: dict, padding: float
) -> list[float]:
    """The summary table's widths: the pejlemærke column as wide as its
    longest title (at most half the page), the counts narrow; the table is
    no wider than that needs."""
    number = max(measures["bold"](word) for word in ("iværksat", "Afsluttet", "Udfordret"))
    number += padding
    titles = [report.theme_label, "I alt"] + [t.title for t in report.themes]
    first = max(measures["bold"](" ".join(t.split())) for t in titles) + padding
    first = min(first, total / 2, total - number * count_columns)
    return [first] + [number] * count_columns
