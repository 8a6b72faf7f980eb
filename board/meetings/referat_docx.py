"""The referat as a Word document (python-docx), laid out like the
committee's status document: A4 landscape, the board's title under the
heading, a footer with the meeting and "Side X af Y". What is shown is the
content model's (referat.py: `facts`, `change_lines`), so the PDF says the
same."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from .referat import Referat

AUTHOR = "Tiltagstavlen"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def to_docx(referat: Referat) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    properties = document.core_properties
    properties.title = referat.heading
    properties.subject = referat.board_title
    properties.author = properties.last_modified_by = AUTHOR
    properties.comments = ""
    properties.created = properties.modified = datetime.now(UTC)
    properties.revision = 1
    properties.language = "da-DK"
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    document.styles["Normal"].font.size = Pt(10)
    _page_footer(section, referat.footer)

    _para(document, referat.heading, "Heading1")
    _para(document, referat.board_title, "Subtitle")
    _facts(document, referat.facts)
    if not referat.items:
        _para(document, "Dagsordenen var tom.")
    for item in referat.items:
        _para(document, item.heading, "Heading2").paragraph_format.keep_with_next = True
        _facts(document, item.facts)
        _para(document, referat.changes_heading, "Heading3")
        for line in referat.change_lines(item):
            _para(document, line, "ListBullet" if item.changes else None)
        _para(document, "Beslutning", "Heading3")
        for line in item.decision_lines:
            _para(document, line)
        if item.actions:
            _para(document, "Handlingspunkter", "Heading3")
            table = _table(document, 3)
            table.add_row()
            header = ("Handling", "Ansvarlig", "Frist")
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.paragraphs[0].add_run(text).bold = True
            for action in item.actions:
                cells = table.add_row().cells
                cells[0].text = action.text
                cells[1].text = action.owner or "–"
                cells[2].text = action.deadline_label

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _facts(document, rows) -> None:
    """A two-column table: bold labels in a narrow column, values beside."""
    from docx.shared import Cm

    table = _table(document, 2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value
    table.autofit = False
    for column, width in zip(table.columns, (Cm(5.5), Cm(20.6)), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _para(document, text: str, style_id: str | None = None):
    """A paragraph with the style given by its id ("Heading2"): python-docx's
    look-up by style name scans every style each time, which made a
    40-item referat take a second."""
    paragraph = document.add_paragraph(text)
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _table(document, columns: int):
    table = document.add_table(rows=0, cols=columns)
    table._tbl.tblPr.style = "TableGrid"
    return table


def _page_footer(section, left: str) -> None:
    """ "<left> · Side X af Y" with Word's PAGE and NUMPAGES fields."""
    paragraph = section.footer.paragraphs[0]
    paragraph.text = ""
    paragraph.add_run(f"{left} · Side ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" af ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
