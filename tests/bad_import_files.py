"""Hostile and broken files for the importer, made on the fly (never stored):
used by tests/test_import_bad_files.py and bench/import_bad_files.py.
Each writes its big parts streamed, so making them costs little memory."""

from __future__ import annotations

import csv
import io
import zipfile

ROWS = 50_000
BOMB_MB = 400  # unpacked; about 0.4 MB packed

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _base_docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("Status")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(
        table.rows[0].cells + table.rows[1].cells,
        ["Pejlemærke", "Tiltag", "Status", "Tema", "Et tiltag", "Er igangsat"],
        strict=True,
    ):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_entry(data: bytes, name: str, write) -> bytes:
    """`data` (an Office zip) with entry `name` written by `write(file)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == name:
                entry_info = zipfile.ZipInfo(name)
                entry_info.compress_type = zipfile.ZIP_DEFLATED
                with target.open(entry_info, "w", force_zip64=True) as entry:
                    write(entry)
            else:
                target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _cell(text: str) -> bytes:
    return f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>".encode()


def _document(entry, rows) -> None:
    entry.write(f'<w:document xmlns:w="{W_NS}"><w:body><w:tbl>'.encode())
    entry.write(b"<w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>")
    entry.write(b"<w:tr>" + _cell("Pejlemærke") + _cell("Tiltag") + _cell("Status") + b"</w:tr>")
    rows(entry)
    entry.write(b"</w:tbl></w:body></w:document>")


def docx_rows(count: int = ROWS) -> bytes:
    """A .docx whose table has `count` rows (about 100 bytes packed each)."""

    def rows(entry):
        for number in range(count):
            entry.write(
                b"<w:tr>"
                + _cell(f"Tema {number // 100}")
                + _cell(f"Tiltag nummer {number}")
                + _cell("Er igangsat")
                + b"</w:tr>"
            )

    return replace_entry(_base_docx(), "word/document.xml", lambda e: _document(e, rows))


def docx_large_cells(megabytes: int = 28, count: int = 1900) -> bytes:
    """A .docx just under the unpacked limit: `count` rows whose status
    cells hold `megabytes` MB of words in all (packing like real text)."""
    import random

    words = [f"ord{n}" for n in range(5000)]
    randomness = random.Random(15)
    size = megabytes * 1024 * 1024 // count

    def rows(entry):
        for number in range(count):
            text = []
            length = 0
            while length < size:
                word = randomness.choice(words)
                text.append(word)
                length += len(word) + 1
            entry.write(
                b"<w:tr>"
                + _cell(f"Tema {number // 100}")
                + _cell(f"Tiltag nummer {number}")
                + _cell(" ".join(text))
                + b"</w:tr>"
            )

    return replace_entry(_base_docx(), "word/document.xml", lambda e: _document(e, rows))


def docx_bomb(megabytes: int = BOMB_MB) -> bytes:
    """A .docx whose one status cell unpacks to `megabytes` MB."""

    def rows(entry):
        entry.write(b"<w:tr>" + _cell("Tema") + _cell("Panel") + b"<w:tc><w:p><w:r><w:t>")
        chunk = b"a" * (1 << 20)
        for _ in range(megabytes):
            entry.write(chunk)
        entry.write(b"</w:t></w:r></w:p></w:tc></w:tr>")

    return replace_entry(_base_docx(), "word/document.xml", lambda e: _document(e, rows))


def docx_with_document(xml: bytes) -> bytes:
    return replace_entry(_base_docx(), "word/document.xml", lambda e: e.write(xml))


def docx_without_table() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("Status på handleplanen", level=1)
    document.add_paragraph("Alle tiltag er beskrevet i teksten herunder, men ikke i en tabel.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def corrupt_docx() -> bytes:
    """A .docx cut off halfway (an upload broken off, a damaged file)."""
    data = _base_docx()
    return data[: len(data) // 2]


def xlsx_as_docx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Pejlemærke", "Tiltag"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_rows(count: int = ROWS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Pejlemærke", "Tiltag", "Status"])
    for number in range(count):
        writer.writerow([f"Tema {number // 100}", f"Tiltag {number}", "Er igangsat"])
    return out.getvalue().encode("utf-8")


def text_rows(count: int = ROWS) -> str:
    lines = ["Pejlemærke\tTiltag\tStatus"]
    lines += [f"Tema {n // 100}\tTiltag {n}\tEr igangsat" for n in range(count)]
    return "\n".join(lines)


def xlsx_rows(count: int = ROWS) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Pejlemærke", "Tiltag", "Status"])
    for number in range(count):
        sheet.append([f"Tema {number // 100}", f"Tiltag {number}", "Er igangsat"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
