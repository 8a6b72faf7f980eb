"""Real server processes for tests and benchmarks: gunicorn (the production
way, gunicorn.conf.py) on a free port, on a given database, stopped for sure
at the end. Signed-in requests use a session cookie signed with the servers'
shared SECRET_KEY (what logging in would have produced)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "live-process-test-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    def __init__(self, database_url: str, *, threads: int = 16, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESSLOG": "",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        # A file, not a pipe: a pipe nobody reads would stall a chatty server.
        self.log = tempfile.TemporaryFile()

    def start(self, timeout: float = 30.0) -> ServerProcess:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited: " + self.output()[-2000:])
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server on {self.url} did not start in {timeout} s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # its own process group
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def session_cookie(user) -> str:
    """The Cookie header of a signed-in `user` for servers using SECRET_KEY
    (a new login of the user: call it in the app context of the database)."""
    from board.auth.sessions import start_login_session
    from board.extensions import db

    session_id = start_login_session(user)
    db.session.commit()
    app = Flask("cookie-signer")
    app.secret_key = SECRET_KEY
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": session_id, "_fresh": True})
    return f"session={value}"


class SignedInClient:
    """A signed-in person talking to a server process as the board page does:
    the session cookie, and the CSRF token from the page's meta tag."""

    def __init__(self, base_url: str, cookie: str, board_id: int):
        import http.client
        import re

        self.host = base_url.split("//", 1)[1]
        self.cookie = cookie
        self.board_id = board_id
        conn = http.client.HTTPConnection(self.host, timeout=30)
        conn.request("GET", f"/boards/{board_id}", headers={"Cookie": cookie})
        response = conn.getresponse()
        html = response.read().decode()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"board page: HTTP {response.status}")
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("session="):
                self.cookie = header.split(";", 1)[0]
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        self.conn = http.client.HTTPConnection(self.host, timeout=30)

    def move(self, card_id: int, stage: str, version: int, from_stage: str, position: int = 0):
        """POST the move as moves.js does. Returns (status, time sent, time
        the response had arrived) in time.monotonic()."""
        import urllib.parse

        body = urllib.parse.urlencode(
            {"stage": stage, "position": position, "version": version, "from_stage": from_stage}
        )
        sent = time.monotonic()
        self.conn.request(
            "POST",
            f"/boards/{self.board_id}/initiatives/{card_id}/move",
            body=body,
            headers={
                "Cookie": self.cookie,
                "X-CSRFToken": self.csrf,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = self.conn.getresponse()
        response.read()
        return response.status, sent, time.monotonic()

    def close(self) -> None:
        self.conn.close()
