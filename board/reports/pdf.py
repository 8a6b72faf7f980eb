"""The status report as a PDF: the same document as the .docx (document.py
decides what is shown), drawn with reportlab. Entry point: `to_pdf(report)`.

Why reportlab (docs/ARCHITECTURE.md has the figures): it is fast enough per
request at 2,000 rows, which WeasyPrint (about 23 s per 1,000 rows here) and
LibreOffice converting the .docx (seconds per call, a process per request)
are not, and it pulls in only itself and Pillow. Layout helpers (page,
footer with "Side X af Y", headings, text cells): board/documents/pdf_layout.py.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..documents import pdf_layout as layout
from . import document as doc
from .chart import summary_chart_png
from .docx_report import AUTHOR, document_title
from .report import StatusReport

BODY_PT = 8.5
LEADING = BODY_PT * 1.25
PAD = 3.5  # cell padding, each side
GROUP_FILL = colors.HexColor("#E8EEF4")
HEADER_FILL = colors.HexColor("#D5DFEA")
HEADING_ROOM = 110  # points: a heading, the header row and two short rows
GRID = colors.HexColor("#7A8794")
LOOK = layout.TableLook(GRID, HEADER_FILL, GROUP_FILL, PAD, 2.0, 3.0)


def to_pdf(report: StatusReport) -> bytes:
    styles = layout.styles(BODY_PT)
    measures = layout.cell_measures(BODY_PT)
    width = layout.frame_width()
    story = [
        Paragraph(escape(report.heading), styles["title"]),
        Paragraph(
            escape(
                report.board_title + (f" – {report.theme_filter}" if report.theme_filter else "")
            ),
            styles["subtitle"],
        ),
    ]
    for paragraph in (report.description or "").split("\n\n"):
        if paragraph.strip():
            story.append(Paragraph(escape(paragraph.strip()), styles["body"]))
    story.append(Paragraph(escape(report.intro), styles["body"]))
    if report.row_count:
        story += _summary(report, styles, measures, width)

    chosen = doc.columns(report)
    widths = doc.column_widths(report, chosen, width, measures, 2 * PAD + 1)
    if not report.themes:
        story.append(Paragraph(doc.NO_INITIATIVES, styles["body"]))
    for theme in report.themes:
        # A heading starts a new page only when the page has no room for it
        # and a few rows (keepWithNext would move a whole table that fits a page).
        story.append(CondPageBreak(HEADING_ROOM))
        story.append(Paragraph(escape(doc.theme_heading(report, theme.title)), styles["section"]))
        story.append(_theme_table(theme, chosen, widths, measures))
    return layout.LandscapeDocument(
        title=document_title(report),
        footer_left=document_title(report),
        subject=report.board_title,
        author=AUTHOR,
    ).build(story)


def _cell(paragraphs, measures):
    return layout.TextCell(paragraphs, BODY_PT, LEADING, measures)


def _table_style(extra=()) -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            *extra,
        ]
    )


def _theme_table(theme, chosen, widths, measures) -> layout.PagedTable:
    header = [_cell([("bold", c.header)], measures) for c in chosen]
    rows = []

    def tiltag(row):
        return layout.TableRow([_cell(doc.cell_texts(row, c), measures) for c in chosen])

    rows += [tiltag(row) for row in theme.rows]
    if not theme.rows and not theme.objectives:
        rows.append(layout.TableRow([_cell([("italic", doc.NO_INITIATIVES)], measures)], True))
    for objective in theme.objectives:
        label = [("bold", objective.document_label)]
        if not objective.rows:
            label.append(("italic", doc.NO_INITIATIVES))
        rows.append(layout.TableRow([_cell(label, measures)], group=True))
        rows += [tiltag(row) for row in objective.rows]
    return layout.PagedTable(header, rows, widths, LOOK)


def _summary(report, styles, measures, width):
    summary = doc.summary(report)
    header = (
        [report.theme_label]
        + [label for _, label in summary.stage_labels]
        + [label for _, label in summary.health_labels]
        + ["I alt"]
    )
    widths = doc.summary_widths(report, len(header) - 1, width, measures, 2 * PAD + 1)

    def line(item, style="regular"):
        counts = [item.by_stage.get(v, 0) for v, _ in summary.stage_labels]
        counts += [item.by_health.get(v, 0) for v, _ in summary.health_labels]
        return [_cell([(style, item.title)], measures)] + [
            _cell([(style, str(n))], measures) for n in counts + [item.total]
        ]

    data = [[_cell([("bold", h)], measures) for h in header]]
    data += [line(item) for item in summary.lines] + [line(summary.total, "bold")]
    table = Table(data, colWidths=widths, repeatRows=1, style=_table_style(), hAlign="LEFT")
    chart_width = 9.0
    png = summary_chart_png(summary, width_in=chart_width)
    image = Image(io.BytesIO(png), lazy=0)
    scale = (chart_width * 72 * 0.78) / image.drawWidth
    image.drawWidth *= scale
    image.drawHeight *= scale
    image.hAlign = "LEFT"
    alt = summary.alt_text(report.theme_label)
    return [
        Paragraph("Overblik", styles["heading1"]),
        table,
        Spacer(1, 6),
        KeepTogether([image, Paragraph(escape("Figur: " + alt), styles["small"])]),
    ]
