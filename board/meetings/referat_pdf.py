"""The referat as PDF: the Word document converted by LibreOffice, so the
PDF is the .docx's layout page for page."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import Refused
from .referat import Referat
from .referat_docx import to_docx

CONVERT_TIMEOUT_SECONDS = 60


def to_pdf(referat: Referat) -> bytes:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise Refused("PDF kan ikke laves på denne server lige nu. Hent referatet som Word.", 503)
    with tempfile.TemporaryDirectory(prefix="referat-") as folder:
        source = Path(folder) / "referat.docx"
        source.write_bytes(to_docx(referat))
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{folder}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=CONVERT_TIMEOUT_SECONDS,
        )
        return (Path(folder) / "referat.pdf").read_bytes()
