"""Bad Word files and oversized tables posted to the importer: a corrupt
.docx, a .docx zip bomb, XML with a DOCTYPE, a .docx without a table, and
tables of 50,000 rows in every format. Each is a Danish 422, creates
nothing, and (measured in a process of its own) keeps memory bounded.
bench/import_bad_files.py prints the peak memory of each."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from board.errors import Refused
from board.extensions import db
from board.importer.sources import read_text, read_upload
from board.models import Board, Event
from tests import bad_import_files as bad

PEAK_RSS_LIMIT_MB = 300
ROOT = Path(__file__).resolve().parents[1]


def _counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Board, Event)
    )


CASES = {
    "corrupt": (bad.corrupt_docx, "tabel.docx", "kunne ikke læses som Word-fil"),
    "not-a-zip": (lambda: b"PK\x03\x04 ikke en zip", "tabel.docx", "kunne ikke læses som Word-fil"),
    "xlsx-named-docx": (bad.xlsx_as_docx, "tabel.docx", "kunne ikke læses som Word-fil"),
    "broken-xml": (
        lambda: bad.docx_with_document(b"<w:document><w:body><w:tbl>"),
        "tabel.docx",
        "kunne ikke læses som Word-fil",
    ),
    "doctype": (
        lambda: bad.docx_with_document(
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
        ),
        "tabel.docx",
        "kunne ikke læses som Word-fil",
    ),
    "no-table": (bad.docx_without_table, "status.docx", "Word-filen indeholder ingen tabel"),
    "bomb": (bad.docx_bomb, "bombe.docx", "Word-filen er for stor, når den pakkes ud"),
    "50000-rows-docx": (bad.docx_rows, "lang.docx", "for mange rækker (højst 2000)"),
    "50000-rows-xlsx": (bad.xlsx_rows, "lang.xlsx", "for mange rækker (højst 2000)"),
    "50000-rows-csv": (bad.csv_rows, "lang.csv", "for mange rækker (højst 2000)"),
    "50000-rows-txt": (
        lambda: bad.text_rows().encode(),
        "lang.txt",
        "for mange rækker (højst 2000)",
    ),
}


@pytest.fixture(scope="module")
def files():
    return {name: make() for name, (make, _, _) in CASES.items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_file_is_a_danish_422_and_creates_nothing(as_user, files, case):
    _, filename, message = CASES[case]
    client = as_user("leder")
    before = _counts()
    for url in ("/import/preview", "/import"):
        response = client.post(
            url,
            data={"fil": (io.BytesIO(files[case]), filename), "titel": "Import"},
            content_type="multipart/form-data",
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 422, html[-500:]
        assert message in html
        assert "root:" not in html
    assert _counts() == before


def test_the_bomb_and_the_long_table_are_small_on_disk(files):
    assert len(files["bomb"]) < 2 * 1024 * 1024
    assert len(files["50000-rows-docx"]) < 5 * 1024 * 1024  # under the upload limit


def test_a_pasted_table_of_50000_rows_is_refused():
    with pytest.raises(Refused, match="for mange rækker"):
        read_text(bad.text_rows())


def test_a_long_but_allowed_table_still_reads():
    table = read_upload("ok.docx", bad.docx_rows(1500))
    assert len(table.rows) == 1500


@pytest.mark.parametrize("case", ["bomb", "50000-rows-docx", "corrupt"])
def test_reading_keeps_the_peak_memory_bounded(case, tmp_path):
    """Each read in a process of its own, so that its peak resident memory
    (VmHWM, bench/import_bad_files.py `_peak_mb`) is only this read's."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_bad_files.py"), "--json", case],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 422, result
    assert result["peak_mb"] < PEAK_RSS_LIMIT_MB, result
