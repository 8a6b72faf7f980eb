"""The status report as a .docx for a committee agenda: A4 landscape, a
title, the board's introduction, an opening summary (table and chart), then
per pejlemærke a heading and a table whose målsætninger are group rows, with
widths that follow the content and the header row repeated on every page;
title, date and "Side X af Y" in the footer. Layout helpers:
board/documents/docx_layout.py; what is shown: document.py."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from ..documents import docx_layout as layout
from ..documents.fonts import docx_measure
from . import document as doc
from .chart import summary_chart_png
from .report import StatusReport

BODY_PT = 9
CELL_PADDING_PT = 2 * 5.4 + 3  # Table Grid's cell margins (0.19 cm each side) and slack
GROUP_FILL = "E8EEF4"
HEADER_FILL = "D5DFEA"
AUTHOR = "Tiltagstavlen"


def document_title(report: StatusReport) -> str:
    return f"{report.heading} – {report.board_title}"


def to_docx(report: StatusReport) -> bytes:
    from docx import Document

    document = Document()
    _properties(document, report)
    section = document.sections[0]
    layout.landscape_a4(section)
    layout.base_font(document, BODY_PT)
    layout.page_footer(section, document_title(report))
    width = layout.text_width_points(section)

    document.add_heading(report.heading, level=1)
    title = report.board_title + (f" – {report.theme_filter}" if report.theme_filter else "")
    document.add_paragraph(title, style="Subtitle")
    for paragraph in (report.description or "").split("\n\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    document.add_paragraph(report.intro)

    if report.row_count:
        _summary(document, report, width)
    chosen = doc.columns(report)
    widths = doc.column_widths(report, chosen, width, _measures(), CELL_PADDING_PT)
    header = [layout.Cell.text(c.header, bold=True, fill=HEADER_FILL) for c in chosen]
    if not report.themes:
        document.add_paragraph(doc.NO_INITIATIVES)
    for theme in report.themes:
        layout.group_heading(document, doc.theme_heading(report, theme.title), level=2)
        body = layout.rows_xml(_theme_rows(theme, chosen), widths)
        layout.add_table(document, widths, header, body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _theme_rows(theme, chosen):
    span = len(chosen)
    for row in theme.rows:
        yield _row_cells(row, chosen)
    if not theme.rows and not theme.objectives:
        yield [layout.Cell.text(doc.NO_INITIATIVES, italic=True, span=span)]
    for objective in theme.objectives:
        runs = [layout.Run(objective.document_label, bold=True)]
        if not objective.rows:
            runs.append(layout.Run(f" – {doc.NO_INITIATIVES.lower()}", italic=True))
        yield [layout.Cell([runs], span=span, fill=GROUP_FILL, keep_next=bool(objective.rows))]
        for row in objective.rows:
            yield _row_cells(row, chosen)


def _row_cells(row, chosen):
    cells = []
    for column in chosen:
        paragraphs = [
            [layout.Run(text, bold=style == "bold", italic=style == "italic")]
            for style, text in doc.cell_texts(row, column)
        ]
        cells.append(layout.Cell(paragraphs))
    return cells


def _measures() -> dict:
    regular = docx_measure(BODY_PT)
    return {"regular": regular, "bold": docx_measure(BODY_PT, bold=True), "italic": regular}


def _summary(document, report: StatusReport, width: float) -> None:
    summary = doc.summary(report)
    document.add_heading("Overblik", level=2).paragraph_format.keep_with_next = True
    header_texts = (
        [report.theme_label]
        + [label for _, label in summary.stage_labels]
        + [label for _, label in summary.health_labels]
        + ["I alt"]
    )
    widths = doc.summary_widths(report, len(header_texts) - 1, width, _measures(), CELL_PADDING_PT)
    header = [layout.Cell.text(t, bold=True, fill=HEADER_FILL) for t in header_texts]

    def line_cells(line, bold=False):
        counts = [line.by_stage.get(v, 0) for v, _ in summary.stage_labels]
        counts += [line.by_health.get(v, 0) for v, _ in summary.health_labels]
        return [layout.Cell.text(line.title, bold=bold)] + [
            layout.Cell.text(str(n), bold=bold) for n in counts + [line.total]
        ]

    rows = [line_cells(line) for line in summary.lines] + [line_cells(summary.total, True)]
    layout.add_table(document, widths, header, layout.rows_xml(rows, widths))
    chart = summary_chart_png(summary, width_in=9.0)
    alt = summary.alt_text(report.theme_label)
    document.add_paragraph().paragraph_format.space_after = 0
    layout.add_picture_with_alt_text(
        document, io.BytesIO(chart), 9.0 * 72 * 0.78, alt, "Tiltag pr. fase"
    )


def _properties(document, report: StatusReport) -> None:
    """What the file says about itself (File > Properties, and what an archive
    records): the report, not the library that wrote it."""
    properties = document.core_properties
    properties.title = document_title(report)
    properties.subject = report.board_title
    properties.author = properties.last_modified_by = AUTHOR
    properties.comments = ""
    properties.created = properties.modified = datetime.now(UTC)
    properties.revision = 1
    properties.language = "da-DK"
