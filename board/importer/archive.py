"""Office files (.xlsx, .docx) are zip archives of XML; this checks the
archive before any library unpacks it."""

from __future__ import annotations

import io

from ..errors import Refused

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
