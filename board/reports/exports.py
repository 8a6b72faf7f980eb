"""The status report as files: .docx and .pdf for a committee agenda
(docx_report.py, pdf.py; what they show: document.py), .xlsx and .csv
(data; the importer reads them back into the same board; xlsx_report.py).
This module names the formats and builds the data table they share."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from .document import PHASE
from .report import StatusReport

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def filename(report: StatusReport, fmt: str) -> str:
    """status-<board>-<date>.<fmt>, ASCII only (Content-Disposition)."""
    slug = unicodedata.normalize("NFKD", report.board_title.replace("æ", "ae").replace("ø", "oe"))
    slug = re.sub(r"[^a-z0-9]+", "-", slug.encode("ascii", "ignore").decode().lower()).strip("-")
    if len(slug) > 80:  # cut between words, never inside one ("2024-2028")
        slug = slug[:81].rsplit("-", 1)[0]
    slug = slug or "tavle"
    return f"status-{slug}-{report.as_of.isoformat()}.{fmt}"


def render(report: StatusReport, fmt: str) -> bytes:
    return {"docx": to_docx, "xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf}[fmt](report)


# --------------------------------------------------------------- tabular
def table_header(report: StatusReport) -> list[str]:
    header = [report.theme_label]
    if report.has_objectives:
        header.append(report.objective_label)
    return header + [
        "Tiltag",
        "Beskrivelse",
        "Iværksættelse",
        PHASE,
        "Vurdering",
        "Status",
        "Ansvarlig",
    ]


def table_rows(report: StatusReport):
    """One row per tiltag (theme and objective repeated, so a spreadsheet can
    be filtered), and one per målsætning without tiltag."""
    for theme, objective, row in report.flat_rows():
        cells = [theme.title]
        if report.has_objectives:
            cells.append(objective.document_label if objective else "")
        if row is None:
            cells += ["", "", "", "", "", "", ""]
        else:
            cells += [
                row.title,
                row.description,
                row.timeline,
                row.stage_label,
                row.health_label,
                row.status_note,
                row.responsible_label,
            ]
        yield cells


# A cell starting with one of these is a formula to a spreadsheet (CSV
# injection): "=HYPERLINK(...)" typed as a status text must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Prefix a would-be formula with an apostrophe (Excel shows the text;
    the importer removes the apostrophe again)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(report: StatusReport) -> bytes:
    """Semicolon-separated with a byte order mark: what Danish Excel opens."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    # The header too: its first cells are the board's own level labels.
    writer.writerow([csv_safe(c) for c in table_header(report)])
    writer.writerows([csv_safe(c) for c in cells] for cells in table_rows(report))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: StatusReport) -> bytes:
    from .xlsx_report import to_xlsx as render_xlsx

    return render_xlsx(report, table_header(report), table_rows(report))


# --------------------------------------------------------------- Word, PDF
def to_docx(report: StatusReport) -> bytes:
    from .docx_report import to_docx as render_docx

    return render_docx(report)


def to_pdf(report: StatusReport) -> bytes:
    from .pdf import to_pdf as render_pdf

    return render_pdf(report)
