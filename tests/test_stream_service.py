"""The stream service (`GUNICORN_ROLE=streams`: gunicorn's gevent worker)
beside the app server (gthread), on the same database, as the README's
deployment runs them: a move made through the app reaches the streams held
by the stream service, which counts its viewers and ends its streams at once
on a graceful stop. Runs on SQLite (the stream service polls the Event table)
and on PostgreSQL (LISTEN/NOTIFY)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.live_helpers import open_http_stream
from tests.server_processes import ServerProcess, session_cookie
from tests.test_live_processes import change_through

SERVER_ENV = {"LIVE_HEARTBEAT_SECONDS": "0.5", "LIVE_POLL_SECONDS": "0.1"}


@pytest.fixture
def app_and_streams(app, database_url):
    started = []
    try:
        started.append(ServerProcess(database_url, env=SERVER_ENV).start())
        started.append(
            ServerProcess(database_url, env={**SERVER_ENV, "GUNICORN_ROLE": "streams"}).start()
        )
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def world(board, users):
    card = factories.make_initiative(board, "Ny takstmodel")
    return {
        "board_id": board.id,
        "card_id": card.id,
        "leader_cookie": session_cookie(users["leder"]),
        "med_cookie": session_cookie(users["med"]),
    }


def test_a_move_through_the_app_reaches_streams_on_the_stream_service(app_and_streams, world):
    app_server, streams = app_and_streams
    path = f"/boards/{world['board_id']}/events"
    readers = []
    try:
        for cookie in (world["med_cookie"], world["leader_cookie"]):
            status, reader = open_http_stream(streams.url, path, {"Cookie": cookie})
            assert status == 200
            readers.append(reader)
        # Both viewers are counted by the stream service ...
        readers[0].read_until(
            lambda ms: any(m.event == "presence" and m.json["viewers"] == 2 for m in ms),
            timeout=10,
        )
        # ... and the move, made through the app server, reaches both.
        event_id = change_through(app_server, world)
        for reader in readers:
            got = reader.wait_for_changes(1, timeout=10)
            assert [int(m.id) for m in got] == [event_id]
    finally:
        for reader in readers:
            reader.close()


def test_the_stream_service_refuses_a_stream_without_access(app_and_streams, world):
    _, streams = app_and_streams
    status, reader = open_http_stream(streams.url, f"/boards/{world['board_id']}/events")
    assert reader is None
    assert status in (302, 401, 403)


def test_a_graceful_stop_ends_the_stream_services_streams(app_and_streams, world):
    _, streams = app_and_streams
    status, reader = open_http_stream(
        streams.url, f"/boards/{world['board_id']}/events", {"Cookie": world["med_cookie"]}
    )
    assert status == 200
    reader.read_until(lambda ms: any(m.event == "presence" for m in ms), timeout=10)
    streams.stop()  # SIGTERM, as a deploy sends it
    # The worker ended its streams and exited by itself: not killed after
    # the graceful timeout.
    assert streams.process.returncode == 0, streams.output()[-2000:]
    reader.read_until(lambda ms: False, timeout=5)  # reads to the end of the stream
    assert reader.ended
