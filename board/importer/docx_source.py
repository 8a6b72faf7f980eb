"""Reading the status table out of a Word .docx file (python-docx), into the
same `RawTable` a paste gives, so the preview is the same.

* Merged cells as Word writes them: a horizontally merged cell (gridSpan)
  holds its text in its first column; a vertically merged cell (vMerge)
  holds it in its top row, and the rows below get an empty cell marked
  `continued`. An empty pejlemærke cell continues the pejlemærke above, so a
  merged pejlemærke cell covers its rows; a merged tiltag cell over several
  status rows is one tiltag.
* A row with one cell across the whole table is a heading (a pejlemærke
  written as a section row).
* A cell's paragraphs become lines; list paragraphs (numbered or with a list
  style) become "- item" lines.
* Several tables: the one whose header names the most column roles is read
  (the first, where several tie); a later table with the same columns
  continues it (Word documents repeat the table after a page break or a
  heading), its first row marked `after_break`. A short paragraph between
  such tables is a heading. Tables with other columns are left out, with a
  note.

Memory is bounded before python-docx parses anything: the archive is checked
like an .xlsx (archive.check_archive), and the document's XML is streamed
once to count its table rows, so a table of 50,000 rows is refused without
being parsed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from ..errors import Refused
from .archive import XLSX_ERRORS, XLSX_MAX_UNPACKED, check_archive
from .roles import clean_header, header_score
from .table import MAX_ROWS, RawRow, RawTable, find_header, header_guess_note, widen_header

DOCX_UNREADABLE = "Filen kunne ikke læses som Word-fil (.docx)."
DOCX_TOO_BIG = (
    f"Word-filen er for stor, når den pakkes ud (højst {XLSX_MAX_UNPACKED // 1024 // 1024} MB). "
    "Kopiér tabellen over i et nyt dokument uden billeder, eller indsæt tabellen som tekst."
)
DOCX_NO_TABLE = (
    "Word-filen indeholder ingen tabel. Tiltagene skal stå i en tabel med en række pr. tiltag "
    "og en overskriftsrække øverst."
)
DOCX_TOO_MANY_ROWS = f"Tabellen har for mange rækker (højst {MAX_ROWS})."
# Rows counted in the XML before parsing: the table's plus a margin for
# other tables (title blocks, legends).
ROW_LIMIT = MAX_ROWS + 200
HEADING_MAX = 200  # a longer paragraph between tables is text, not a heading
_MAIN_PART = "word/document.xml"
_ROW_TAG = re.compile(rb"<w:tr[\s>]")
_LIST_STYLE = re.compile(r"(?i)list|liste|punkt|opstilling")


def read_docx(data: bytes) -> RawTable:
    check_archive(data, unreadable=DOCX_UNREADABLE, too_big=DOCX_TOO_BIG, what="Word-filen")
    _count_rows(data)
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
        blocks = list(_blocks(document.element.body))
    except (PackageNotFoundError, *XLSX_ERRORS):
        raise Refused(DOCX_UNREADABLE, 422) from None
    return _table(blocks)


def _count_rows(data: bytes) -> None:
    """Stream the document's XML once: refuse a DOCTYPE (python-docx does
    not expand entities, but nothing in a .docx needs one) and more than
    ROW_LIMIT table rows."""
    from zipfile import BadZipFile, ZipFile

    try:
        with ZipFile(io.BytesIO(data)) as archive, archive.open(_MAIN_PART) as part:
            rows, tail, first = 0, b"", True
            while chunk := part.read(1 << 20):
                if first and b"<!DOCTYPE" in chunk[:4096]:
                    raise Refused(DOCX_UNREADABLE, 422)
                first = False
                window = tail + chunk
                rows += len(_ROW_TAG.findall(window)) - len(_ROW_TAG.findall(tail))
                tail = window[-8:]
                if rows > ROW_LIMIT:
                    raise Refused(DOCX_TOO_MANY_ROWS, 422)
    except KeyError:  # no word/document.xml: not a Word document
        raise Refused(DOCX_UNREADABLE, 422) from None
    except (BadZipFile, OSError, EOFError, ValueError):  # a CRC error: a lying archive
        raise Refused(DOCX_UNREADABLE, 422) from None


# ------------------------------------------------------------ the document
@dataclass
class _Row:
    cells: list[str]
    continued: list[bool]
    heading: bool = False


@dataclass
class _Table:
    rows: list[_Row]
    before: list[str] = field(default_factory=list)  # paragraphs since the previous table
    width: int = 0


def _blocks(body):
    """The body's paragraphs (as text) and tables, in order; content controls
    (w:sdt) are looked into."""
    from docx.oxml.ns import qn

    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield _paragraph_text(child)
        elif child.tag == qn("w:tbl"):
            yield _grid(child)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content)


def _paragraph_text(p) -> str:
    from docx.oxml.ns import qn

    parts = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab"), qn("w:cr")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _is_list(p) -> bool:
    from docx.oxml.ns import qn

    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        return False
    if ppr.find(qn("w:numPr")) is not None:
        return True
    style = ppr.find(qn("w:pStyle"))
    return style is not None and bool(_LIST_STYLE.search(style.get(qn("w:val")) or ""))


def _cell_text(tc) -> str:
    """A cell's paragraphs as lines (nested tables' paragraphs included, in
    order), list paragraphs as "- item"."""
    from docx.oxml.ns import qn

    lines = []
    for p in tc.iter(qn("w:p")):
        for index, line in enumerate(_paragraph_text(p).split("\n")):
            line = re.sub(r"\s+", " ", line).strip()
            if not line:
                continue
            lines.append(f"- {line}" if index == 0 and _is_list(p) else line)
    return "\n".join(lines)


def _grid(tbl) -> _Table:
    """The table as a grid of columns: merged cells placed as described in
    the module docstring."""
    raw = []
    for tr in tbl.tr_lst:
        col, cells = tr.grid_before, []
        for tc in tr.tc_lst:
            span = max(tc.grid_span, 1)
            cells.append((col, span, tc.vMerge == "continue", tc))
            col += span
        raw.append(cells)
    width = max([len(tbl.tblGrid.gridCol_lst)] + [c + s for row in raw for c, s, _, _ in row[-1:]])
    rows = []
    for cells in raw:
        texts, continued = [""] * width, [False] * width
        for col, span, merged, tc in cells:
            if col >= width:
                continue
            if merged:
                for i in range(col, min(col + span, width)):
                    continued[i] = True
            else:
                texts[col] = _cell_text(tc)
        filled = [c for c in cells if not c[2] and texts[c[0]]]
        heading = width > 1 and len(filled) == 1 and filled[0][1] >= width
        rows.append(_Row(texts, continued, heading))
    return _Table(rows=rows, width=width)


# ------------------------------------------------------------ the table
def _table(blocks) -> RawTable:
    tables: list[_Table] = []
    paragraphs: list[str] = []  # since the last table
    for block in blocks:
        if isinstance(block, _Table):
            block.before = paragraphs
            tables.append(block)
            paragraphs = []
        elif block.strip():
            paragraphs.append(re.sub(r"\s+", " ", block).strip())
    tables = [t for t in tables if any(any(r.cells) for r in t.rows)]
    if not tables:
        raise Refused(DOCX_NO_TABLE, 422)

    headers = [find_header([r.cells for r in t.rows]) for t in tables]
    scores = [
        header_score(t.rows[i].cells) if i is not None and known else 0
        for t, (i, known) in zip(tables, headers, strict=True)
    ]
    main = max(range(len(tables)), key=lambda n: (scores[n], -n))
    header_index, recognised = headers[main]
    if header_index is None:
        header_index, recognised = 0, False
    table = tables[main]
    header = [clean_header(c) for c in table.rows[header_index].cells]
    body_cells = [r.cells for t in tables[main:] for r in t.rows if t.width == table.width]
    header, widened = widen_header(header, body_cells[header_index + 1 :])
    width = len(header)

    # The text above the table: the paragraphs before it (tables left out
    # between them), then rows above its header (a title row).
    preamble = [p for t in tables[: main + 1] for p in t.before]
    for row in table.rows[:header_index]:
        preamble += [line for c in row.cells if c for line in c.split("\n")]
    notes = [] if recognised else [header_guess_note(header)]

    parts: list[tuple[_Table, int]] = [(table, header_index + 1)]
    for number, other in enumerate(tables[main + 1 :], main + 2):
        first = other.rows[0].cells if other.rows else []
        same_header = [clean_header(c) for c in first[:width]] == header
        if other.width == table.width and (same_header or header_score(first) == 0):
            parts.append((other, 1 if same_header else 0))
        else:
            notes.append(f"Tabel {number} har andre kolonner end tabel {main + 1} og er ikke læst.")
    for number in range(1, main + 1):
        notes.append(f"Tabel {number} står før tabellen med tiltag og er ikke læst.")

    headings = any(_heading(t.before) for t, _ in parts[1:])
    first_heading = None
    if headings and header_index == 0 and _heading(table.before):
        # "Tema 1" above the first table too: a heading, not preamble
        first_heading = preamble.pop(len(preamble) - 1)

    rows: list[RawRow] = []
    line = 0
    for position, (part, start) in enumerate(parts):
        heading = first_heading if position == 0 else _heading(part.before) if headings else None
        if heading:
            line += 1
            rows.append(RawRow(line, [heading] + [""] * (width - 1), heading=True))
        for index, row in enumerate(part.rows[start:]):
            line += 1
            if not any(row.cells) and not any(row.continued):
                continue
            if [clean_header(c) for c in row.cells[:width]] == header:
                continue  # the header again
            rows.append(
                RawRow(
                    line,
                    row.cells[:width],
                    after_break=position > 0 and index == 0,
                    continued=row.continued[:width],
                    heading=row.heading,
                )
            )
    if len(rows) > MAX_ROWS:
        raise Refused(DOCX_TOO_MANY_ROWS, 422)
    return RawTable(kind="docx", header=header, rows=rows, preamble=preamble, notes=notes + widened)


def _heading(paragraphs: list[str]) -> str | None:
    """The last paragraph, if short enough to be a heading."""
    if paragraphs and len(paragraphs[-1]) <= HEADING_MAX:
        return paragraphs[-1]
    return None
