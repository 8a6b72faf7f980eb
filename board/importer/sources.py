"""Reading a table: text pasted from Word (tab-separated), a .csv or an .xlsx
file, into a `RawTable`: the lines before the table (preamble), the header
row and the data rows, each row knowing whether it came after a blank line
(in text copied from Word, a page break inside the table)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field

from ..errors import Refused

MAX_ROWS = 2000
MAX_COLUMNS = 12


PREVIEW_UNREADABLE = "Forhåndsvisningen kunne ikke læses. Start forfra."


@dataclass
class RawRow:
    line: int  # 1-based line (text) or row (spreadsheet) number in the source
    cells: list[str]
    after_break: bool = False


@dataclass
class RawTable:
    kind: str  # "text" (pasted from Word: cleaned of markup), "csv" or "xlsx"
    header: list[str]
    rows: list[RawRow]
    preamble: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data) -> RawTable:
        try:
            rows = [
                RawRow(int(r["line"]), [str(c) for c in r["cells"]], bool(r["after_break"]))
                for r in data["rows"]
            ]
            table = cls(
                kind=str(data["kind"]),
                header=[str(c) for c in data["header"]],
                rows=rows,
                preamble=[str(p) for p in data.get("preamble", [])],
            )
        except (KeyError, TypeError, ValueError, OverflowError):  # e.g. a line of 1e400
            raise Refused(PREVIEW_UNREADABLE, 400) from None
        if table.kind not in ("text", "csv", "xlsx") or len(table.header) > MAX_COLUMNS:
            raise Refused(PREVIEW_UNREADABLE, 400)
        return table


def _is_header(cells: list[str]) -> bool:
    """The header row names a "Tiltag" column (the documents: "Pejlemærke,
    Målsætning, Tiltag, Status" and "Udviklingsspor, Tiltag, ...")."""
    names = [re.sub(r"<[^>]+>", "", c).strip().lower() for c in cells]
    return sum(1 for n in names if n) >= 2 and any(n == "tiltag" for n in names)


def _split(rows: list[tuple[int, list[str], bool]], kind: str) -> RawTable:
    preamble: list[str] = []
    for index, (_, cells, _) in enumerate(rows):
        if _is_header(cells):
            header = [c.strip() for c in cells]
            while header and not header[-1]:
                header.pop()
            if len(header) > MAX_COLUMNS:
                raise Refused(f"Tabellen har for mange kolonner (højst {MAX_COLUMNS}).", 422)
            body = []
            for line, row_cells, after_break in rows[index + 1 :]:
                row_cells = (row_cells + [""] * len(header))[: max(len(header), len(row_cells))]
                if any(c.strip() for c in row_cells[len(header) :]):
                    raise Refused(
                        f"Række {line} har flere kolonner end overskriftsrækken. "
                        "Kontrollér, at tabellen er kopieret hel.",
                        422,
                    )
                body.append(RawRow(line, row_cells[: len(header)], after_break))
            if len(body) > MAX_ROWS:
                raise Refused(f"Tabellen har for mange rækker (højst {MAX_ROWS}).", 422)
            return RawTable(kind=kind, header=header, rows=body, preamble=preamble)
        text = " ".join(c.strip() for c in cells if c.strip())
        if text:
            preamble.append(text)
    raise Refused(
        "Der er ingen overskriftsrække med en kolonne, der hedder «Tiltag». "
        "Kopiér hele tabellen fra Word, med overskriftsrækken.",
        422,
    )


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
    try:
        parsed = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise Refused("CSV-filen kunne ikke læses.", 422) from None
    rows, blank = [], False
    for number, cells in enumerate(parsed, 1):
        if not any(c.strip() for c in cells):
            blank = True
            continue
        rows.append((number, cells, blank))
        blank = False
    return _split(rows, "csv")


def read_xlsx(data: bytes) -> RawTable:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError):
        raise Refused("Filen kunne ikke læses som Excel-fil (.xlsx).", 422) from None
    try:
        sheet = book.worksheets[0]
        rows, blank = [], False
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = ["" if v is None else str(v) for v in values]
            if not any(c.strip() for c in cells):
                blank = True
                continue
            rows.append((number, cells, blank))
            blank = False
            if number > MAX_ROWS + 50:
                raise Refused(f"Tabellen har for mange rækker (højst {MAX_ROWS}).", 422)
    finally:
        book.close()
    return _split(rows, "xlsx")


def read_upload(filename: str, data: bytes) -> RawTable:
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return read_csv(data)
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith(".txt"):
        try:
            return read_text(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return read_text(data.decode("cp1252"))
    raise Refused("Vælg en .csv- eller .xlsx-fil (eller indsæt tabellen som tekst).", 422)
