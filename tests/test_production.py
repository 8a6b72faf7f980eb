"""Production switches: HSTS, and gunicorn.conf.py's control socket."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.server_processes import ServerProcess

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def production_client(make_app, monkeypatch):
    monkeypatch.setenv("TILTAG_ENV", "production")
    monkeypatch.delenv("HSTS_MAX_AGE", raising=False)
    return make_app(SECRET_KEY="p" * 48).test_client()


def test_production_sends_hsts_on_every_response(production_client):
    # Over https, and over plain http too: browsers ignore the header there
    # (RFC 6797, 8.1), and sending it always does not depend on the proxy
    # passing X-Forwarded-Proto.
    for response in (
        production_client.get("/login", base_url="https://tavle.test"),
        production_client.get("/login"),
        production_client.get("/findes-ikke", base_url="https://tavle.test"),
        production_client.get("/static/js/app.js", base_url="https://tavle.test"),
    ):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_max_age_is_configurable_and_zero_turns_it_off(make_app, monkeypatch):
    monkeypatch.setenv("TILTAG_ENV", "production")
    monkeypatch.setenv("HSTS_MAX_AGE", "300")
    short = make_app(SECRET_KEY="p" * 48).test_client().get("/login")
    assert short.headers["Strict-Transport-Security"] == "max-age=300"
    monkeypatch.setenv("HSTS_MAX_AGE", "0")
    off = make_app(SECRET_KEY="p" * 48).test_client().get("/login")
    assert "Strict-Transport-Security" not in off.headers


def test_development_sends_no_hsts(client):
    # `make run` serves plain http on 127.0.0.1: HSTS there would stick to
    # the browser for a year.
    assert "Strict-Transport-Security" not in client.get("/login").headers


def gunicorn_settings(env: dict[str, str]):
    """gunicorn.conf.py as gunicorn itself reads it, under `env`."""
    from gunicorn.app.base import Application

    class ConfigOnly(Application):
        def init(self, parser, opts, args):
            return None

        def load_config(self):
            self.load_config_from_file(str(ROOT / "gunicorn.conf.py"))

        def load(self):
            raise AssertionError("not served")

    saved = dict(os.environ)
    try:
        os.environ.update(env)
        return ConfigOnly().cfg
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_gunicorn_control_socket_is_off_unless_given_a_path_of_its_own(monkeypatch):
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    default = gunicorn_settings({})
    assert default.control_socket_disable is True
    own = gunicorn_settings({"GUNICORN_CONTROL_SOCKET": "/run/tiltag/blue.ctl"})
    assert own.control_socket_disable is False
    assert own.control_socket == "/run/tiltag/blue.ctl"


def test_a_gunicorn_instance_opens_only_its_own_control_socket(tmp_path, database_url):
    # The default path ($XDG_RUNTIME_DIR/gunicorn.ctl) would be shared by every
    # instance of the host's user; this instance must use the path it is given.
    own = tmp_path / "blue.ctl"
    server = ServerProcess(
        database_url,
        threads=4,
        env={
            "XDG_RUNTIME_DIR": str(tmp_path),
            "HOME": str(tmp_path),
            "GUNICORN_CONTROL_SOCKET": str(own),
        },
    ).start()
    try:
        deadline = time.monotonic() + 30
        while "Control socket listening at" not in server.output():
            assert time.monotonic() < deadline, server.output()[-2000:]
            time.sleep(0.1)  # polls the log for the line (a positive signal)
        line = next(
            line for line in server.output().splitlines() if "Control socket listening at" in line
        )
        assert line.endswith(f"listening at {own}")
        assert own.is_socket()
        # One arbiter opens one control socket: the shared default never.
        assert not (tmp_path / "gunicorn.ctl").exists()
    finally:
        server.stop()
