"""The status report as files: .docx (for a committee agenda, in the table
layout of the old Word documents), .xlsx and .csv (data; the importer reads
them back into the same board)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import UTC, datetime

from .report import StatusReport

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
NO_INITIATIVES = "Ingen tiltag endnu"


def filename(report: StatusReport, fmt: str) -> str:
    """status-<board>-<date>.<fmt>, ASCII only (Content-Disposition)."""
    slug = unicodedata.normalize("NFKD", report.board_title.replace("æ", "ae").replace("ø", "oe"))
    slug = re.sub(r"[^a-z0-9]+", "-", slug.encode("ascii", "ignore").decode().lower()).strip("-")
    if len(slug) > 80:  # cut between words, never inside one ("2024-2028")
        slug = slug[:81].rsplit("-", 1)[0]
    slug = slug or "tavle"
    return f"status-{slug}-{report.as_of.isoformat()}.{fmt}"


# What the files say about themselves (File > Properties, and what an archive
# or a request for access to documents records): the report, not the library
# that wrote it ("python-docx", a 2013 creation date by default).
AUTHOR = "Tiltagstavlen"


def _document_title(report: StatusReport) -> str:
    return f"{report.heading} – {report.board_title}"


def render(report: StatusReport, fmt: str) -> bytes:
    return {"docx": to_docx, "xlsx": to_xlsx, "csv": to_csv}[fmt](report)


# --------------------------------------------------------------- tabular
def table_header(report: StatusReport) -> list[str]:
    header = [report.theme_label]
    if report.has_objectives:
        header.append(report.objective_label)
    return header + [
        "Tiltag",
        "Beskrivelse",
        "Iværksættelse",
        "Kolonne",
        "Vurdering",
        "Status",
        "Ansvarlig",
    ]


def table_rows(report: StatusReport):
    """One row per tiltag (theme and objective repeated, so a spreadsheet can
    be filtered), and one per målsætning without tiltag."""
    for theme, objective, row in report.flat_rows():
        cells = [theme.title]
        if report.has_objectives:
            cells.append(objective.document_label if objective else "")
        if row is None:
            cells += ["", "", "", "", "", "", ""]
        else:
            cells += [
                row.title,
                row.description,
                row.timeline,
                row.stage_label,
                row.health_label,
                row.status_note,
                row.responsible_label,
            ]
        yield cells


# A cell starting with one of these is a formula to a spreadsheet (CSV
# injection): "=HYPERLINK(...)" typed as a status text must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Prefix a would-be formula with an apostrophe (Excel shows the text;
    the importer removes the apostrophe again)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(report: StatusReport) -> bytes:
    """Semicolon-separated with a byte order mark: what Danish Excel opens."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    # The header too: its first cells are the board's own level labels.
    writer.writerow([csv_safe(c) for c in table_header(report)])
    writer.writerows([csv_safe(c) for c in cells] for cells in table_rows(report))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: StatusReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Status"
    _text_row(sheet, 1, [report.heading])
    sheet["A1"].font = Font(bold=True, size=14)
    title = report.board_title + (f" – {report.theme_filter}" if report.theme_filter else "")
    _text_row(sheet, 2, [title])
    header_row = 4
    header = table_header(report)
    _text_row(sheet, header_row, header)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for number, cells in enumerate(table_rows(report), start=header_row + 1):
        _text_row(sheet, number, cells)
    widths = {
        "Tiltag": 50,
        "Beskrivelse": 40,
        "Status": 60,
        "Iværksættelse": 35,
        "Kolonne": 14,
        "Vurdering": 18,
    }
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 30)
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    now = datetime.now(UTC).replace(tzinfo=None)  # openpyxl writes naive times as UTC
    properties = book.properties
    properties.title = _document_title(report)
    properties.subject = report.board_title
    properties.creator = properties.lastModifiedBy = AUTHOR
    properties.created = properties.modified = now
    properties.language = "da-DK"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_row(sheet, row: int, texts: list[str]) -> None:
    """Write a row of texts as string cells. Every text of the file comes
    from what people typed (the board's title and labels included), and
    openpyxl makes a value starting with "=" a formula: the explicit type
    keeps it text (the cell is then a plain string to any spreadsheet)."""
    for column, text in enumerate(texts, start=1):
        cell = sheet.cell(row=row, column=column)
        cell.value = text
        cell.data_type = "s"


# --------------------------------------------------------------- Word
def to_docx(report: StatusReport) -> bytes:
    """A heading, an intro paragraph and the documents' table: theme and
    målsætning cells merged over their tiltag, one row per tiltag."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    properties = document.core_properties
    properties.title = _document_title(report)
    properties.subject = report.board_title
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

    document.add_heading(report.heading, level=1)
    title = report.board_title + (f" – {report.theme_filter}" if report.theme_filter else "")
    document.add_paragraph(title, style="Subtitle")
    for paragraph in (report.description or "").split("\n\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    document.add_paragraph(report.intro)

    header = [report.theme_label]
    if report.has_objectives:
        header.append(report.objective_label)
    header += ["Tiltag", "Iværksættelse", "Kolonne", "Vurdering", "Status"]
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    _repeat_as_header(table.rows[0])

    offset = 1 if report.has_objectives else 0
    # Theme and objective cells span their tiltag: Word's vertical merge
    # ("restart" on the first row, "continue" below), written as it goes.
    last_keys: dict[int, object] = {0: None, 1: None}
    for theme, objective, row in report.flat_rows():
        cells = table.add_row().cells
        keys = {0: (id(theme),), 1: (id(theme), id(objective) if objective else None)}
        texts = {0: theme.title, 1: objective.document_label if objective else ""}
        for column in (0, 1) if report.has_objectives else (0,):
            if keys[column] != last_keys[column]:
                cells[column].text = texts[column]
                _vertical_merge(cells[column], "restart")
                last_keys[column] = keys[column]
            else:
                _vertical_merge(cells[column], "continue")
        if row is None:
            cells[1 + offset].paragraphs[0].add_run(NO_INITIATIVES).italic = True
            continue
        _write_initiative(cells[1 + offset], row.title, row.description)
        _write_lines(cells[2 + offset], row.timeline)
        cells[3 + offset].text = row.stage_label
        cells[4 + offset].text = row.health_label
        _write_lines(cells[5 + offset], row.status_note)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _write_initiative(cell, title: str, description: str) -> None:
    cell.text = ""
    cell.paragraphs[0].add_run(title).bold = True
    for line in (description or "").splitlines():
        if line.strip():
            cell.add_paragraph(line)


def _write_lines(cell, text: str) -> None:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def _vertical_merge(cell, value: str) -> None:
    """Mark a cell as the start ("restart") or a continuation of a vertically
    merged cell. python-docx's `merge` re-walks the table per call; this is
    O(1)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement("w:vMerge")
    element.set(qn("w:val"), value)
    cell._tc.get_or_add_tcPr().append(element)


def _repeat_as_header(row) -> None:
    """Repeat the header row on every page (Word's "Gentag overskriftsrække")."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)
