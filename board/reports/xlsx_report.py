"""The status report as an .xlsx: the data table (one row per tiltag, levels
repeated so it can be filtered; the importer reads it back), set up to print:
A4 landscape fitted to the page width, the header row frozen, repeated on
every printed page and with an autofilter, wrapped text in rows tall enough
for it, and the title and "Side X af Y" in the printed footer.

Written in openpyxl's write-only mode (rows stream to the file, no cell
objects kept): 2,000 rows in a fraction of a second."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime

from .report import StatusReport

# Column widths in Excel's units (about one digit of Calibri 11 each).
WIDTHS = {
    "Tiltag": 40,
    "Beskrivelse": 34,
    "Status": 46,
    "Iværksættelse": 18,
    "Fase": 13,
    "Vurdering": 16,
    "Ansvarlig": 16,
}
OTHER_WIDTH = 24
HEADER_ROW = 4
LINE_POINTS = 14.5  # a line of Calibri 11, Excel's default font
AVERAGE_LETTER_PT = 4.6  # Calibri 11 (and its stand-ins), Danish prose, spaces included
LINE_SLACK = 1.15  # what breaking between words leaves at the ends of lines
# Points of text per width unit (7 px at 96 dpi, less the cell's margins).
POINTS_PER_UNIT = 5.25


def _letters_per_line(room: float) -> float:
    """Average letters on a line of a column `room` points wide."""
    return max(1.0, room / AVERAGE_LETTER_PT)


def _lines(text: str, per_line: float) -> int:
    """About how many lines `text` takes in a column of `per_line` average
    letters: per paragraph its length in average letters, plus the space a
    line break between words leaves (rather one line too many than too few)."""
    lines = 0
    for paragraph in text.splitlines():
        lines += max(1, math.ceil(len(paragraph) * LINE_SLACK / per_line))
    return lines or 1


def to_xlsx(report: StatusReport, header: list[str], rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.dimensions import RowDimension
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Status")
    widths = [WIDTHS.get(name, OTHER_WIDTH) for name in header]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last_column = get_column_letter(len(header))

    # Print set-up (write-only mode writes it with the sheet).
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    title = f"{report.heading} – {report.board_title}"
    sheet.oddFooter.left.text = title.replace("&", "&&")
    sheet.oddFooter.right.text = "Side &P af &N"
    sheet.oddFooter.left.size = sheet.oddFooter.right.size = 8

    bold, heading = Font(bold=True), Font(bold=True, size=14)
    wrapped = Alignment(wrap_text=True, vertical="top")
    # The body cells' style, made once and handed to each cell: assigning an
    # Alignment per cell hashes it each time (most of the time of 2,000 rows).
    body_style = WriteOnlyCell(sheet)
    body_style.alignment = wrapped
    body_style = body_style._style

    def text_cell(text: str, font=None, alignment=None) -> WriteOnlyCell:
        # Every text came from what people typed: the explicit type keeps a
        # leading "=" text, never a formula.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def body_cell(text: str) -> Cell | None:
        if not text:
            return None  # no cell: an empty one looks the same and costs as much as a full one
        cell = Cell(sheet, row=1, column=1, value=text, style_array=body_style)
        cell.data_type = "s"
        return cell

    subtitle = report.board_title + (f" – {report.theme_filter}" if report.theme_filter else "")
    sheet.append([text_cell(report.heading, heading)])
    sheet.append([text_cell(subtitle)])
    sheet.append([])
    sheet.append([text_cell(name, bold, wrapped) for name in header])
    count = 0
    per_line = [_letters_per_line(w * POINTS_PER_UNIT) for w in widths]
    # One row dimension per height, shared by the rows of that height: the
    # writer takes a row's number from the row itself, and building one
    # (validated attributes) per row was a tenth of the file's time.
    heights = {}
    for number, cells in enumerate(rows, start=HEADER_ROW + 1):
        lines = 1
        for text, letters in zip(cells, per_line, strict=True):
            if text:
                lines = max(lines, _lines(text, letters))
        height = math.ceil(lines * LINE_POINTS + 2)
        dimension = heights.get(height)
        if dimension is None:
            dimension = heights[height] = RowDimension(sheet, ht=height)
        sheet.row_dimensions[number] = dimension
        sheet.append([body_cell(text) for text in cells])
        count += 1
    last_row = HEADER_ROW + max(count, 1)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{last_row}"

    now = datetime.now(UTC).replace(tzinfo=None)  # openpyxl writes naive times as UTC
    properties = book.properties
    properties.title = title
    properties.subject = report.board_title
    properties.creator = properties.lastModifiedBy = "Tiltagstavlen"
    properties.created = properties.modified = now
    properties.language = "da-DK"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
