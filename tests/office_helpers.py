"""LibreOffice for the document tests: renders a .docx or .xlsx to PDF the
way a committee secretary's office suite would. Skips without `soffice`,
unless REQUIRE_OFFICE=1 (CI installs LibreOffice and sets it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REQUIRE_OFFICE = os.environ.get("REQUIRE_OFFICE") == "1"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if REQUIRE_OFFICE:
            pytest.fail("REQUIRE_OFFICE=1 but LibreOffice (soffice) is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def render_pdf(document: Path, workdir: Path) -> Path:
    """`document` converted to PDF by LibreOffice, headless, with a profile
    of its own in `workdir` (parallel runs must not share one)."""
    profile = workdir / "lo-profile"
    out = workdir / "rendered"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / (document.stem + ".pdf")


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page (pypdf)."""
    import io

    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
