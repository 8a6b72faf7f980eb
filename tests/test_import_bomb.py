"""Hostile .xlsx files posted to the importer: a zip bomb (small on disk,
hundreds of megabytes unpacked), an XXE and corrupt sheet XML. Each is a
Danish 4xx, nothing is written, and reading the bomb keeps the process's
memory bounded."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Board

BOMB_MB = 400  # unpacked; about 0.4 MB on disk
PEAK_RSS_LIMIT_MB = 300


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Pejlemærke", "Tiltag", "Status"])
    sheet.append(["Borgeren først", "Borgerpanel", "Er igangsat"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace(data: bytes, name: str, write) -> bytes:
    """`data` (an .xlsx) with entry `name` written by `write(file)` instead."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == name:
                original = source.read(name)
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                # Streamed: the test never holds the unpacked text.
                with target.open(info, "w", force_zip64=True) as entry:
                    write(entry, original)
            else:
                target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _bomb() -> bytes:
    """The workbook with a status text of BOMB_MB megabytes in its sheet."""

    def write(entry, _original: bytes):
        entry.write(f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'.encode())
        entry.write(_inline("A1", "Pejlemærke") + _inline("B1", "Tiltag") + _inline("C1", "Status"))
        entry.write(b'</row><row r="2">' + _inline("A2", "Borgeren") + _inline("B2", "Panel"))
        entry.write(b'<c r="C2" t="inlineStr"><is><t>')
        chunk = b"a" * (1 << 20)
        for _ in range(BOMB_MB):
            entry.write(chunk)
        entry.write(b"</t></is></c></row></sheetData></worksheet>")

    return _replace(_workbook(), "xl/worksheets/sheet1.xml", write)


def _compressed(name: str, text: bytes) -> bytes:
    return _replace(_workbook(), name, lambda entry, _original: entry.write(text))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "bombe.xlsx"
    path.write_bytes(_bomb())
    return path


def _post(client, data: bytes, name: str = "tabel.xlsx"):
    return client.post(
        "/import/preview",
        data={"fil": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_bomb_is_small_on_disk_and_huge_unpacked(bomb):
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(bomb) as archive:
        assert sum(i.file_size for i in archive.infolist()) > BOMB_MB * 1024 * 1024


def test_a_zip_bomb_is_a_danish_422_and_nothing_is_written(as_user, bomb):
    response = _post(as_user("leder"), bomb.read_bytes())
    assert response.status_code == 422
    assert "Excel-filen er for stor, når den pakkes ud" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == 1  # `board` only


def test_reading_the_bomb_keeps_the_peak_memory_under_300_mb(bomb):
    """The parse, in a process of its own so that its peak resident memory is
    only this parse's: VmHWM, the peak of the process's own memory map
    (getrusage's ru_maxrss is carried over exec from the forking parent, so
    it would report the size of a long pytest run)."""
    script = f"""
import json, sys
from board.errors import Refused
from board.importer.sources import read_upload
data = open({str(bomb)!r}, "rb").read()
try:
    read_upload("bombe.xlsx", data)
    outcome = "read"
except Refused as refused:
    outcome = refused.status
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status")
               if line.startswith("VmHWM:"))
print(json.dumps({{"outcome": outcome, "peak_mb": peak_kb / 1024}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] == 422
    assert result["peak_mb"] < PEAK_RSS_LIMIT_MB, result


XXE_SHEET = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>
</worksheet>"""

LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">
<c r="A1" t="inlineStr"><is><t>&d;</t></is></c></row></sheetData></worksheet>""".encode()


@pytest.mark.parametrize(
    "name, text",
    [
        ("xl/worksheets/sheet1.xml", XXE_SHEET),
        ("xl/worksheets/sheet1.xml", LAUGHS),
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c"),
        ("xl/styles.xml", b"<styleSheet><numFmts>ikke lukket"),
        ("xl/workbook.xml", b"<workbook><sheets>"),
        ("xl/worksheets/sheet1.xml", b"\xff\xfe ikke xml"),
    ],
    ids=["xxe", "billion-laughs", "corrupt-sheet", "corrupt-styles", "corrupt-workbook", "bytes"],
)
def test_hostile_or_corrupt_xml_in_an_xlsx_is_a_danish_422(as_user, name, text):
    response = _post(as_user("leder"), _compressed(name, text))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Filen kunne ikke læses som Excel-fil (.xlsx)." in html
    assert "root:" not in html


def test_openpyxl_parses_with_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_an_xlsx_with_too_many_entries_is_refused(as_user):
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_workbook())) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        for number in range(2000):
            target.writestr(f"xl/media/tom{number}.bin", b"")
    response = _post(as_user("leder"), out.getvalue())
    assert response.status_code == 422
    assert "for mange dele" in response.get_data(as_text=True)


def test_an_ordinary_xlsx_still_previews(as_user):
    response = _post(as_user("leder"), _workbook())
    assert response.status_code == 200
    assert "Borgerpanel" in response.get_data(as_text=True)
