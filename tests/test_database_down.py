"""While the database is unreachable, every answer is the Danish "try again
shortly" (503 with Retry-After) -- a page, an htmx notice, the live stream --
and each failure is one line in the log, not a stack trace per request.

Two ways down: the app pointed at a database that is not there (nothing
listening on the PostgreSQL port; an SQLite file that cannot be opened), and
a real server (gunicorn, gunicorn.conf.py) whose PostgreSQL connections are
terminated under it (pg_terminate_backend on the test run's own database;
the shared cluster is never restarted)."""

from __future__ import annotations

import http.client
import logging

import pytest
import sqlalchemy as sa

from tests.conftest import BASE_CONFIG, TEST_DATABASE_URL
from tests.html import attr, one, text_of
from tests.live_helpers import open_http_stream, wait_until_connected
from tests.server_processes import ServerProcess, free_port, session_cookie

MESSAGE = "Databasen svarer ikke lige nu. Prøv igen om lidt."


def unreachable_urls(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path}/no-such-directory/tiltag.sqlite3"
    yield "postgresql", f"postgresql://postgres@127.0.0.1:{free_port()}/tiltag"


@pytest.fixture(params=["sqlite", "postgresql"])
def down_client(request, tmp_path):
    from board import create_app

    url = dict(unreachable_urls(tmp_path))[request.param]
    app = create_app(
        {
            **BASE_CONFIG,
            "SQLALCHEMY_DATABASE_URI": url,
            "PROPAGATE_EXCEPTIONS": False,  # as in production: the handler answers
        }
    )
    client = app.test_client()
    with client.session_transaction() as session:  # a signed-in member's cookie
        session["_user_id"] = "1:nonce:token"  # id:nonce:login token
        session["_fresh"] = True
    return client


def assert_one_line_per_failure(caplog, failures: int) -> None:
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == failures, [r.getMessage() for r in lines]
    assert all(r.exc_info is None for r in lines)
    assert all("\n" not in r.getMessage() for r in lines)


def test_a_page_is_the_danish_503_page(down_client, caplog):
    with caplog.at_level(logging.WARNING):
        response = down_client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert attr(response, "html", "lang") == "da"
    assert text_of(response, "main h1") == "Prøv igen om lidt"
    assert text_of(response, "main .error-message") == MESSAGE
    assert "Traceback" not in response.get_data(as_text=True)
    assert_one_line_per_failure(caplog, 1)


def test_an_htmx_request_gets_the_notice(down_client, caplog):
    with caplog.at_level(logging.WARNING):
        response = down_client.post(
            "/boards/1/initiatives/1/move",
            data={"stage": "igangsat", "position": "0", "version": "1"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["HX-Retarget"] == "#notice"
    assert one(response, "p.notice").attributes["data-status"] == "503"
    assert text_of(response, "p.notice") == MESSAGE
    assert_one_line_per_failure(caplog, 1)


def test_the_stream_is_refused_with_503(down_client, caplog):
    with caplog.at_level(logging.WARNING):
        response = down_client.get("/boards/1/events", buffered=False)
        response.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert_one_line_per_failure(caplog, 1)


# --- a real server, its connections cut ----------------------------------------


def cut_off(database_url: str, allow: bool) -> None:
    """Refuse (or allow again) new connections to this test run's own
    database and end the ones it has; the shared cluster keeps running."""
    from board.config import normalize_database_url

    url = sa.engine.make_url(normalize_database_url(database_url))
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(
                f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS {str(allow).lower()}'
            )
            if not allow:
                conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name"
                    ),
                    {"name": url.database},
                )
    finally:
        engine.dispose()


def get(server, path, cookie, headers=None):
    conn = http.client.HTTPConnection(server.url.split("//", 1)[1], timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL: TEST_DATABASE_URL")
def test_a_real_server_whose_connections_are_cut_answers_503_then_recovers(
    app, database_url, board, users
):
    from board.extensions import db

    cookie = session_cookie(users["leder"])
    board_id = board.id
    db.session.commit()
    db.session.close()  # the test holds no connection that the cut would end
    db.engine.dispose()
    server = ServerProcess(
        database_url,
        env={"LIVE_HEARTBEAT_SECONDS": "0.2", "LIVE_ACCESS_CHECK_SECONDS": "0.5"},
    ).start()
    try:
        status, _, _ = get(server, f"/boards/{board_id}", cookie)
        assert status == 200
        status, stream = open_http_stream(
            server.url, f"/boards/{board_id}/events", {"Cookie": cookie}
        )
        assert status == 200
        wait_until_connected(stream)
        cut_off(database_url, allow=False)
        try:
            # The open stream meets the cut at its next access check and ends
            # cleanly (the browser reconnects with Last-Event-ID).
            stream.read_until(lambda messages: False, timeout=20)
            assert stream.ended
            stream.close()
            for path, headers in [
                (f"/boards/{board_id}", {}),
                (f"/boards/{board_id}", {"HX-Request": "true"}),
                (f"/boards/{board_id}/events", {}),
            ]:
                status, answer_headers, body = get(server, path, cookie, headers)
                assert status == 503, body[:300]
                assert answer_headers.get("Retry-After", "").isdigit()
                assert MESSAGE in body
                assert "Internal Server Error" not in body
        finally:
            cut_off(database_url, allow=True)
        # The pool's pre-ping replaces the dead connections: served again.
        status, _, _ = get(server, f"/boards/{board_id}", cookie)
        assert status == 200
    finally:
        server.stop()
    log = server.output()
    assert "Traceback" not in log, log[-3000:]
    # One line per failure: each of the three requests, and the stream.
    assert log.count("database unavailable (GET ") == 3, log[-3000:]
    assert "database unavailable (live stream of board" in log
