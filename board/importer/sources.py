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
import re
from dataclasses import asdict, dataclass, field

from ..errors import Refused
from ..text_rules import unstorable
from .roles import header_score

MAX_ROWS = 2000
MAX_COLUMNS = 12


PREVIEW_UNREADABLE = "Forhåndsvisningen kunne ikke læses. Start forfra."


KINDS = ("text", "csv", "xlsx", "docx")
# Rows searched for the header: a document may have a title block first.
HEADER_SEARCH_ROWS = 30


@dataclass
class RawRow:
    line: int  # 1-based line (text), row (spreadsheet) or table row (docx) number
    cells: list[str]
    after_break: bool = False
    continued: list[bool] = field(default_factory=list)  # cell merged with the one above
    heading: bool = False  # one cell across the whole table (a .docx section row)


@dataclass
class RawTable:
    kind: str  # "text" (pasted from Word: cleaned of markup), "csv", "xlsx" or "docx"
    header: list[str]
    rows: list[RawRow]
    preamble: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what reading guessed, for the preview

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data) -> RawTable:
        try:
            rows = [
                RawRow(
                    int(r["line"]),
                    [str(c) for c in r["cells"]],
                    bool(r["after_break"]),
                    [bool(c) for c in r.get("continued", [])],
                    bool(r.get("heading", False)),
                )
                for r in data["rows"]
            ]
            table = cls(
                kind=str(data["kind"]),
                header=[str(c) for c in data["header"]],
                rows=rows,
                preamble=[str(p) for p in data.get("preamble", [])],
                notes=[str(n) for n in data.get("notes", [])],
            )
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
            # e.g. a line of 1e400, or a row that is not an object
            raise Refused(PREVIEW_UNREADABLE, 400) from None
        if table.kind not in KINDS or len(table.header) > MAX_COLUMNS:
            raise Refused(PREVIEW_UNREADABLE, 400)
        if len(table.rows) > MAX_ROWS:
            raise Refused(PREVIEW_UNREADABLE, 400)
        texts = [
            *table.header,
            *table.preamble,
            *table.notes,
            *(c for r in table.rows for c in r.cells),
        ]
        if any(unstorable(text) for text in texts):  # a JSON "\u0000" or "\ud800"
            raise Refused(PREVIEW_UNREADABLE, 400)
        return table


def find_header(rows: list[list[str]]) -> tuple[int | None, bool]:
    """The index of the header row among the first rows, and whether it was
    recognised by its words: the first row of short cells naming at least two
    roles or a tiltag column; else the first row of two or more cells."""
    first_wide = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [t for c in cells if (t := re.sub(r"<[^>]+>", "", c).strip())]
        short = all(len(t) <= 80 for t in texts)
        if len(texts) >= 2 and short and header_score(cells) >= 2:
            return index, True
        if len(cells) == 1 and len(texts) == 1 and len(texts[0]) <= 40:
            if header_score(cells) >= 2:
                return index, True  # a one-column table headed "Tiltag"
        if len(texts) >= 2 and first_wide is None:
            first_wide = index
    if first_wide is None:
        return None, False
    return first_wide, header_score(rows[first_wide]) > 0


NO_TABLE = (
    "Der er ingen tabel med mindst to kolonner. Kopiér hele tabellen fra Word, "
    "med overskriftsrækken, eller vælg en fil med tabellen."
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


def widen_header(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[str]]:
    """The header without empty cells at its end, but as wide as the widest
    row's text: a column of text under no header is a column the leader
    names in the preview (and a note says so)."""
    used = max(
        [i + 1 for i, c in enumerate(header) if c.strip()]
        + [i + 1 for cells in rows for i, c in enumerate(cells) if c.strip()]
        + [0]
    )
    if used > MAX_COLUMNS:
        raise Refused(f"Tabellen har for mange kolonner (højst {MAX_COLUMNS}).", 422)
    named = max([i + 1 for i, c in enumerate(header) if c.strip()] + [0])
    header = (header + [""] * used)[:used]
    if used <= named:
        return header, []
    columns = ", ".join(str(n) for n in range(named + 1, used + 1))
    return header, [
        f"Nogle rækker har flere celler end overskriftsrækken: kolonne {columns} har ingen "
        "overskrift. Vælg, hvad de indeholder."
    ]


def header_guess_note(header: list[str]) -> str:
    names = ", ".join(f"«{re.sub(r'<[^>]+>', '', c).strip()}»" for c in header if c.strip())
    return (
        f"Ingen kendte kolonneoverskrifter; rækken {names} er læst som overskrift. "
        "Vælg, hvad hver kolonne indeholder."
    )


TOO_MANY_ROWS = f"Tabellen har for mange rækker (højst {MAX_ROWS})."


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


# An .xlsx or .docx is a zip archive of XML files, checked before openpyxl or
# python-docx opens it: a 1 MB file can unpack to gigabytes (a zip bomb). The
# archive's directory states each entry's size, and zipfile never reads past
# a stated size (a lie ends in a CRC error), so checking the stated sizes
# bounds what is read. A table of MAX_ROWS tiltag is a few megabytes
# unpacked; 30 MB is generous.
XLSX_MAX_ENTRIES = 500
XLSX_MAX_UNPACKED = 30 * 1024 * 1024
# Office XML packs 5-20 times; a bomb packs about 1000 times. Small entries
# (under 1 MB unpacked) may pack as they like.
XLSX_MAX_RATIO = 200
XLSX_RATIO_FROM = 1024 * 1024
# Columns read from a row: a sheet may claim to be 16,384 columns wide.
XLSX_SCAN_COLUMNS = 50
XLSX_UNREADABLE = "Filen kunne ikke læses som Excel-fil (.xlsx)."
XLSX_TOO_BIG = (
    f"Excel-filen er for stor, når den pakkes ud (højst {XLSX_MAX_UNPACKED // 1024 // 1024} MB). "
    "Gem kun tabellen i filen, eller kopiér tabellen ind som tekst."
)


def check_archive(data: bytes, *, unreadable: str, too_big: str, what: str) -> None:
    """Refuse an Office file whose archive has too many entries, unpacks to
    too much or packs like a zip bomb, before anything is unpacked."""
    from zipfile import BadZipFile, LargeZipFile, ZipFile

    try:
        with ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (BadZipFile, LargeZipFile, OSError, ValueError, EOFError):
        raise Refused(unreadable, 422) from None
    if len(entries) > XLSX_MAX_ENTRIES:
        raise Refused(
            f"{what} har for mange dele (over {XLSX_MAX_ENTRIES}). Er det en almindelig fil?",
            422,
        )
    if sum(entry.file_size for entry in entries) > XLSX_MAX_UNPACKED or any(
        entry.file_size > XLSX_RATIO_FROM
        and entry.file_size > XLSX_MAX_RATIO * max(entry.compress_size, 1)
        for entry in entries
    ):
        raise Refused(too_big, 422)


def check_xlsx_archive(data: bytes) -> None:
    check_archive(data, unreadable=XLSX_UNREADABLE, too_big=XLSX_TOO_BIG, what="Excel-filen")


# What openpyxl raises on a file that is not the workbook it claims to be:
# a broken archive, invalid or hostile XML (defusedxml's refusals of entities
# are ValueErrors; ElementTree's and lxml's parse errors are SyntaxErrors),
# missing parts, values of the wrong type. Read in the sheet's rows too,
# since a read-only workbook parses a sheet only when its rows are read.
XLSX_ERRORS = (
    OSError,
    EOFError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
)


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


UPLOAD_KINDS = "Vælg en .docx-, .csv- eller .xlsx-fil (eller indsæt tabellen som tekst)."


def read_upload(filename: str, data: bytes) -> RawTable:
    name = (filename or "").lower()
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
