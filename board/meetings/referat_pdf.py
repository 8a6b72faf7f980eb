"""The referat as a PDF: the same content as the .docx (what is shown comes
from the content model, referat.py), drawn with reportlab on the documents'
shared page (board/documents/pdf_layout.py, as the committee's status PDF):
A4 landscape, DejaVu Sans embedded, a footer with the meeting and "Side X af
Y"."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    Table,
    TableStyle,
)

from ..documents.fonts import PDF_BOLD, PDF_REGULAR, register_pdf_fonts
from ..documents.pdf_layout import LandscapeDocument, frame_width
from .referat import Referat
from .referat_docx import AUTHOR

BODY_PT = 9.5
LABEL_WIDTH = 150  # points: the label column of the fact tables
ITEM_ROOM = 110  # points: an item's heading and the start of its fact table stay together
GRID = colors.HexColor("#7A8794")
HEADER_FILL = colors.HexColor("#D5DFEA")
LABEL_FILL = colors.HexColor("#E8EEF4")
REGULAR, BOLD = PDF_REGULAR, PDF_BOLD


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=BODY_PT, leading=BODY_PT * 1.3, spaceAfter=3
    )

    def bold(name, size, before, **kw):
        return ParagraphStyle(
            name,
            parent=body,
            fontName=BOLD,
            fontSize=size,
            leading=size * 1.25,
            spaceBefore=before,
            spaceAfter=3,
            **kw,
        )

    return {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=BOLD, spaceAfter=0),
        "title": bold("title", BODY_PT * 2, 0),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=BODY_PT * 1.3, leading=BODY_PT * 1.7
        ),
        "item": bold("item", BODY_PT * 1.45, BODY_PT),
        "heading": bold("heading", BODY_PT * 1.1, BODY_PT * 0.6, keepWithNext=1),
    }


def _table_style(extra) -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


def to_pdf(referat: Referat) -> bytes:
    register_pdf_fonts()
    styles = _styles()
    width = frame_width()

    def para(text: str, style: str = "body") -> Paragraph:
        lines = [escape(line) for line in (text or "").splitlines()] or [""]
        return Paragraph("<br/>".join(lines), styles[style])

    def facts(rows) -> Table:
        return Table(
            [[para(label, "cell_bold"), para(value, "cell")] for label, value in rows],
            colWidths=[LABEL_WIDTH, width - LABEL_WIDTH],
            style=_table_style([("BACKGROUND", (0, 0), (0, -1), LABEL_FILL)]),
            hAlign="LEFT",
        )

    story = [
        para(referat.heading, "title"),
        para(referat.board_title, "subtitle"),
        facts(referat.facts),
    ]
    if not referat.items:
        story.append(para("Dagsordenen var tom."))
    for item in referat.items:
        story.append(CondPageBreak(ITEM_ROOM))
        story += [para(item.heading, "item"), facts(item.facts)]
        story.append(para(referat.changes_heading, "heading"))
        bullet = "• " if item.changes else ""
        story += [para(bullet + line) for line in referat.change_lines(item)]
        story.append(para("Beslutning", "heading"))
        story += [para(line) for line in item.decision_lines]
        if item.actions:
            rows = [[para(h, "cell_bold") for h in ("Handling", "Ansvarlig", "Frist")]]
            rows += [
                [para(a.text, "cell"), para(a.owner or "–", "cell"), para(a.deadline_label, "cell")]
                for a in item.actions
            ]
            table = Table(
                rows,
                colWidths=[width * 0.6, width * 0.25, width * 0.15],
                repeatRows=1,
                style=_table_style([("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)]),
                hAlign="LEFT",
            )
            story.append(KeepTogether([para("Handlingspunkter", "heading"), table]))

    return LandscapeDocument(
        title=referat.heading,
        footer_left=referat.footer,
        subject=referat.board_title,
        author=AUTHOR,
    ).build(story)
