"""The committee documents (.docx, .pdf) and the .xlsx's print set-up, as a
committee secretary would check them: opened with the libraries, and the
.docx and .xlsx rendered by LibreOffice to count pages and to see that no
text is cut off and no word broken."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from board.demo.loader import load_demo
from board.documents.fonts import docx_measure, pdf_measure
from board.documents.text_fit import words
from board.extensions import db
from board.models import Board
from board.reports import document as doc
from board.reports.docx_report import BODY_PT as DOCX_PT
from board.reports.docx_report import CELL_PADDING_PT
from board.reports.exports import to_docx, to_pdf, to_xlsx
from board.reports.pdf import BODY_PT as PDF_PT
from board.reports.pdf import PAD
from board.reports.report import ReportObjective, ReportRow, ReportTheme, StatusReport
from board.reports.services import status_as_of
from tests.office_helpers import pdf_pages, render_pdf

MAX_PAGES = 4  # the demo 2024 board (29 tiltag), issue 11


@pytest.fixture
def demo_report(app):
    load_demo()
    board = db.session.scalar(sa.select(Board).where(Board.title.like("%2024-2028")))
    report = status_as_of(board, date(2024, 3, 1))
    assert report.row_count == 29
    return report


def _titles(report):
    return [row.title for _, _, row in report.flat_rows() if row is not None]


def _tokens(text: str) -> set[str]:
    return set(re.split(r"\s+", text))


def _assert_every_title_whole(report, pages: list[str]):
    """Every word of every tiltag title is on some page as a whole word:
    nothing cut off, no word broken in the middle."""
    tokens = set().union(*(_tokens(p) for p in pages))
    for title in _titles(report):
        missing = [w for w in words(title) if w not in tokens]
        assert not missing, (title, missing)


def _assert_footers(pages: list[str]):
    for number, text in enumerate(pages, start=1):
        assert f"Side {number} af {len(pages)}" in text, number
        assert "Status pr. 1. marts 2024" in text


def test_the_demo_docx_renders_in_at_most_four_pages_with_nothing_cut(demo_report, tmp_path):
    path = tmp_path / "status.docx"
    path.write_bytes(to_docx(demo_report))
    pages = pdf_pages(render_pdf(path, tmp_path).read_bytes())
    assert len(pages) <= MAX_PAGES
    _assert_every_title_whole(demo_report, pages)
    _assert_footers(pages)
    # The header row on every page with tiltag (pages after the summary).
    for text in pages[1:]:
        assert "Tiltag" in text and "Fase" in text and "Status" in text


def test_the_demo_pdf_has_at_most_four_pages_with_nothing_cut(demo_report):
    data = to_pdf(demo_report)
    pages = pdf_pages(data)
    assert len(pages) <= MAX_PAGES
    _assert_every_title_whole(demo_report, pages)
    _assert_footers(pages)
    for text in pages[1:]:
        assert "Tiltag" in text and "Fase" in text and "Status" in text
    whole = "\n".join(pages)
    assert "Pejlemærke: Borgeren Først" in whole and "Kolonne" not in whole
    assert "Figur: Søjlediagram over tiltag pr. fase" in whole  # the chart's text alternative


def test_docx_structure_headings_columns_and_chart_alt_text(demo_report):
    document = Document(io.BytesIO(to_docx(demo_report)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["Status pr. 1. marts 2024", "Overblik", "Pejlemærke: Borgeren Først"]
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    tables = document.tables
    # No tiltag on the demo board has an Iværksættelse, a vurdering or an
    # ansvarlig: no empty columns for them.
    for table in tables[1:]:
        assert [c.text for c in table.rows[0].cells] == ["Tiltag", "Fase", "Status"]
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # Status is the widest column, and no column is narrower than its longest word.
    grid = [int(c.get(qn("w:w"))) / 20 for c in tables[1]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[2] == max(grid)
    regular, bold = docx_measure(DOCX_PT), docx_measure(DOCX_PT, bold=True)
    chosen = doc.columns(demo_report)
    for column, width in zip(chosen, grid, strict=True):
        longest = max(
            (bold if style == "bold" else regular)(word)
            for row in (r for _, _, r in demo_report.flat_rows() if r)
            for style, text in doc.cell_texts(row, column)
            for word in words(text)
        )
        assert width >= longest + CELL_PADDING_PT - 0.5, column
    # The summary: per pejlemærke per fase, and the chart with alt text.
    summary = [[c.text for c in row.cells] for row in tables[0].rows]
    assert summary[0] == [
        "Pejlemærke",
        "Ikke iværksat",
        "Planlagt",
        "Igangsat",
        "Afsluttet",
        "I alt",
    ]
    assert summary[-1][0] == "I alt" and summary[-1][-1] == "29"
    pictures = document.inline_shapes
    assert len(pictures) == 1
    alt = pictures[0]._inline.docPr.get("descr")
    assert alt.startswith("Søjlediagram over tiltag pr. fase") and "Borgeren Først: 0 tiltag" in alt
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_pdf_widths_hold_the_longest_word_and_status_is_widest(demo_report):
    from board.documents.pdf_layout import cell_measures, frame_width

    chosen = doc.columns(demo_report)
    widths = doc.column_widths(demo_report, chosen, frame_width(), cell_measures(PDF_PT), 2 * PAD)
    assert abs(sum(widths) - frame_width()) < 1
    assert widths[[c.key for c in chosen].index("status")] == max(widths)
    bold = pdf_measure(PDF_PT, bold=True)
    longest_title_word = max(bold(w) for t in _titles(demo_report) for w in words(t))
    assert widths[0] >= longest_title_word + 2 * PAD


def _report(rows, **kw) -> StatusReport:
    return StatusReport(
        board_id=1,
        board_title="Tavle",
        as_of=date(2024, 3, 1),
        theme_label="Pejlemærke",
        objective_label="Målsætning",
        themes=[
            ReportTheme(
                id=1, title="Tema", objectives=[ReportObjective(1, "1.1", "Mål", rows=rows)]
            )
        ],
        **kw,
    )


def test_optional_columns_appear_only_when_some_row_has_them():
    plain = _report([ReportRow(id=1, title="A"), ReportRow(id=2, title="B")])
    assert [c.header for c in doc.columns(plain)] == ["Tiltag", "Fase", "Status"]
    full = _report(
        [
            ReportRow(id=1, title="A", timeline="Forår"),
            ReportRow(id=2, title="B", responsible="Lis"),
        ]
    )
    assert [c.header for c in doc.columns(full)] == [
        "Tiltag",
        "Iværksættelse",
        "Fase",
        "Status",
        "Ansvarlig",
    ]


def test_a_row_taller_than_a_page_splits_between_lines_and_keeps_every_line():
    lines = [f"Linje {n} af en meget lang statustekst" for n in range(160)]
    report = _report([ReportRow(id=1, title="Langt tiltag", status_note="\n".join(lines))])
    pages = pdf_pages(to_pdf(report))
    assert len(pages) >= 2
    text = "\n".join(pages)
    assert all(line in text for line in lines)


def test_xlsx_prints_landscape_fitted_with_header_frozen_repeated_and_filtered(
    demo_report, tmp_path
):
    data = to_xlsx(demo_report)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == f"A4:I{4 + len(list(demo_report.flat_rows()))}"
    assert [c.value for c in sheet[4]][5] == "Fase"
    # Wrapped text, and rows at least as tall as their longest cell's lines.
    for row in sheet.iter_rows(min_row=5):
        assert all(c.alignment.wrap_text for c in row if c.value)
    long_row = next(r for r in sheet.iter_rows(min_row=5) if len(r[7].value or "") > 300)
    assert sheet.row_dimensions[long_row[0].row].height >= 5 * 14.5  # its status text
    path = tmp_path / "status.xlsx"
    path.write_bytes(data)
    pages = pdf_pages(render_pdf(path, tmp_path).read_bytes())
    _assert_every_title_whole(demo_report, pages)


def test_the_vurdering_is_a_word_in_the_documents_and_counted_in_the_summary():
    report = _report(
        [
            ReportRow(id=1, title="Grønt", health="groen", stage="igangsat"),
            ReportRow(id=2, title="Rødt", health="roed", status_note="Forsinket"),
            ReportRow(id=3, title="Uden", owner="Lone Leder"),
        ]
    )
    assert [c.header for c in doc.columns(report)] == [
        "Tiltag",
        "Fase",
        "Vurdering",
        "Status",
        "Ansvarlig",
    ]
    document = Document(io.BytesIO(to_docx(report)))
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert rows[2] == ["Grønt", "Igangsat", "På rette spor", "", ""]
    assert rows[3] == ["Rødt", "Ikke iværksat", "Kritisk / forsinket", "Forsinket", ""]
    assert rows[4][-1] == "Lone Leder"
    summary = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert summary[0][-5:] == [
        "På rette spor",
        "Udfordret",
        "Kritisk / forsinket",
        "Ingen vurdering",
        "I alt",
    ]
    assert summary[1][-5:] == ["1", "0", "1", "1", "3"]
    text = "\n".join(pdf_pages(to_pdf(report)))
    assert "På rette spor" in text and "Kritisk / forsinket" in text and "Lone Leder" in text
