"""Takes the README's screenshot of the board with the demo data.

    .venv/bin/python docs/screenshot.py    # writes docs/board.png

Serves the app on a free port with a fresh SQLite database, logs in as the
demo leader and photographs the 2024 strategy board in headless Chromium.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from board import create_app  # noqa: E402


def main() -> None:
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    from board.demo.loader import load_demo

    db_path = Path(tempfile.mkdtemp()) / "screenshot.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})
    with app.app_context():
        upgrade()
        load_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{url}/login")
        page.fill("input[name=email]", "leder@tiltag.example")
        page.fill("input[name=password]", "demo-leder")
        page.click("button[type=submit]")
        page.goto(f"{url}/boards/1")
        page.screenshot(path=str(ROOT / "docs" / "board.png"))
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
