"""Makes the README's picture of the committee document: page 1 and 2 of
the 2024 demo board's status report (.docx), as LibreOffice renders them.

    .venv/bin/python docs/document_picture.py    # writes docs/status-page-1.png, -2.png

Loads the demo data into a fresh SQLite database, writes the .docx as the
download does, converts it with LibreOffice (`soffice --headless`, its own
profile directory) to PDF and the pages to PNG with pdftoppm (poppler-utils).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from board import create_app  # noqa: E402

AS_OF = date(2024, 3, 1)  # the date of the demo board's source document
PAGES = (1, 2)


def main() -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from board.demo.loader import load_demo
    from board.extensions import db
    from board.models import Board
    from board.reports.exports import to_docx
    from board.reports.services import status_as_of

    work = Path(tempfile.mkdtemp(prefix="tiltag-picture-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'demo.sqlite3'}"})
    with app.app_context():
        upgrade()
        load_demo()
        board = db.session.scalar(sa.select(Board).where(Board.title.like("%2024-2028")))
        (work / "status.docx").write_bytes(to_docx(status_as_of(board, AS_OF)))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(work / "status.docx"),
        ],
        check=True,
        capture_output=True,
    )
    for page in PAGES:
        target = ROOT / "docs" / f"status-page-{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "90",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(work / "status.pdf"),
                str(target),
            ],
            check=True,
        )
        print(f"wrote {target.relative_to(ROOT)}.png")


if __name__ == "__main__":
    main()
