"""Reading a table: text pasted from Word (tab-separated), a .csv or an .xlsx
file (here) or a Word .docx file (docx_source.py), into a `RawTable`: the
lines before the table (preamble), the header row and the data rows, each
row knowing whether it came after a blank line (in text copied from Word, a
page break inside the table) or a table break, which of its cells are merged
with the cell above, and whether it is a heading (one cell across the table).

The header row is the first row whose words name column roles (roles.py);
failing that, the first row of two or more cells. No header word is
required: the preview lets the leader set every column's role."""

from __future__ import annotations

import csv
import io

from ..errors import Refused
from .archive import XLSX_ERRORS, XLSX_SCAN_COLUMNS, XLSX_TOO_BIG, XLSX_UNREADABLE, check_archive
from .table import (  # noqa: F401  (RawRow, PREVIEW_UNREADABLE: used through this module)
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    NO_TABLE,
    PREVIEW_UNREADABLE,
    TOO_MANY_ROWS,
    RawRow,
    RawTable,
    find_header,
    header_guess_note,
    widen_header,
)


def _split(rows: list[tuple[int, list[str], bool]], kind: str) -> RawTable:
    index, recognised = find_header([cells for _, cells, _ in rows])
    if index is None:
        raise Refused(NO_TABLE, 422)
    preamble = [
        text
        for _, cells, _ in rows[:index]
        if (text := " ".join(c.strip() for c in cells if c.strip()))
    ]
    header = [c.strip() for c in rows[index][1]]
    header, widened = widen_header(header, [cells for _, cells, _ in rows[index + 1 :]])
    body = []
    for line, row_cells, after_break in rows[index + 1 :]:
        row_cells = (row_cells + [""] * len(header))[: len(header)]
        if [c.strip() for c in row_cells] == header:
            continue  # the header row again (repeated on a new page)
        body.append(RawRow(line, row_cells, after_break))
    if len(body) > MAX_ROWS:
        raise Refused(TOO_MANY_ROWS, 422)
    notes = [] if recognised else [header_guess_note(header)]
    return RawTable(kind=kind, header=header, rows=body, preamble=preamble, notes=notes + widened)


def _check_length(rows: list) -> None:
    """Stop reading once there are more rows than a table may have (and the
    rows a title block above the header may take), so a 50,000-row file is
    refused without being held whole."""
    if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
        raise Refused(TOO_MANY_ROWS, 422)


def read_text(text: str) -> RawTable:
    """Text copied from a Word table: one row per line, cells separated by
    tabs. Blank lines inside the table are page breaks: the row after one may
    continue the row before it."""
    if not text or not text.strip():
        raise Refused("Indsæt tabellen fra Word, eller vælg en fil.", 422)
    if "\x00" in text:  # PostgreSQL cannot store it; a text file has none
        raise Refused("Teksten indeholder et ugyldigt tegn (et NUL-tegn). Er det en tekstfil?", 422)
    rows = []
    blank = False
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if not line.strip():
            blank = True
            continue
        rows.append((number, line.split("\t"), blank))
        blank = False
        _check_length(rows)
    if not any("\t" in line for line in text.splitlines()):
        raise Refused(
            "Teksten indeholder ingen tabel (ingen tabulatorer). Markér tabellen i Word, "
            "kopiér den, og indsæt den her.",
            422,
        )
    return _split(rows, "text")


def read_csv(data: bytes) -> RawTable:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise Refused("CSV-filen kunne ikke læses (ukendt tegnsæt).", 422)
    if "\x00" in text:
        raise Refused("Filen er ikke en CSV-fil.", 422)
    first = text.split("\n", 1)[0]
    delimiter = max((";", "\t", ","), key=first.count)
    rows, blank = [], False
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if not any(c.strip() for c in cells):
                blank = True
                continue
            rows.append((number, cells, blank))
            blank = False
            _check_length(rows)
    except csv.Error:
        raise Refused("CSV-filen kunne ikke læses.", 422) from None
    return _split(rows, "csv")


def check_xlsx_archive(data: bytes) -> None:
    check_archive(data, unreadable=XLSX_UNREADABLE, too_big=XLSX_TOO_BIG, what="Excel-filen")


def read_xlsx(data: bytes) -> RawTable:
    """The first sheet, read with bounded memory: the archive checked first,
    then openpyxl in read-only mode (it streams the sheet's XML, parsed by
    defusedxml, a dependency, which openpyxl uses when installed), at most
    XLSX_SCAN_COLUMNS columns and MAX_ROWS + 50 rows."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    check_xlsx_archive(data)
    row_limit = MAX_ROWS + 50
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows, blank = [], False
            for number, values in enumerate(
                sheet.iter_rows(max_col=XLSX_SCAN_COLUMNS, max_row=row_limit + 1, values_only=True),
                1,
            ):
                cells = ["" if v is None else str(v) for v in values]
                if not any(c.strip() for c in cells):
                    blank = True
                    continue
                if number > row_limit:
                    raise Refused(f"Tabellen har for mange rækker (højst {MAX_ROWS}).", 422)
                rows.append((number, cells, blank))
                blank = False
        finally:
            book.close()
    except (BadZipFile, *XLSX_ERRORS):
        raise Refused(XLSX_UNREADABLE, 422) from None
    return _split(rows, "xlsx")


DOC_FILE = (
    "Ældre Word-filer (.doc) kan ikke læses. Åbn filen i Word, gem den som .docx "
    "(Filer → Gem som), og vælg den igen."
)
UPLOAD_KINDS = "Vælg en .docx-, .csv- eller .xlsx-fil (eller indsæt tabellen som tekst)."


def read_upload(filename: str, data: bytes) -> RawTable:
    name = (filename or "").lower()
    if name.endswith(".doc"):
        raise Refused(DOC_FILE, 422)
    if name.endswith(".docx"):
        from .docx_source import read_docx

        return read_docx(data)
    if name.endswith(".csv"):
        return read_csv(data)
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith(".txt"):
        try:
            return read_text(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return read_text(data.decode("cp1252"))
    raise Refused(UPLOAD_KINDS, 422)
