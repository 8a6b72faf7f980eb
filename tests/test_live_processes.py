"""Two server processes (gunicorn) on the same PostgreSQL database: a change
committed through one reaches the streams opened on the other, through
LISTEN/NOTIFY; and each counts the other's viewers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Event
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.live_helpers import open_http_stream
from tests.server_processes import ServerProcess, SignedInClient, session_cookie

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgres"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): LISTEN/NOTIFY between processes",
)

# Fast heartbeats and access checks (the servers read these from the
# environment through gunicorn.conf.py), and no safety poll worth speaking of:
# within the test's deadline only NOTIFY can deliver.
SERVER_ENV = {
    "LIVE_HEARTBEAT_SECONDS": "0.5",
    "LIVE_PG_POLL_SECONDS": "60",
}


@pytest.fixture
def servers(app, database_url):
    started = []
    try:
        for _ in range(2):
            started.append(ServerProcess(database_url, env=SERVER_ENV).start())
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
        "leader_id": users["leder"].id,
        "leader_cookie": session_cookie(users["leder"]),
        "med_cookie": session_cookie(users["med"]),
    }


def test_a_change_through_one_process_reaches_a_stream_on_the_other(servers, world):
    first, second = servers
    path = f"/boards/{world['board_id']}/events"
    status, on_second = open_http_stream(second.url, path, {"Cookie": world["med_cookie"]})
    assert status == 200
    status, on_first = open_http_stream(first.url, path, {"Cookie": world["leader_cookie"]})
    assert status == 200
    try:
        on_second.read_until(lambda ms: any(m.event == "presence" for m in ms), timeout=5)
        # The change goes through the first server's process ...
        event_id = change_through(first, world)
        # ... and reaches the stream on the second, and the first's own.
        for reader in (on_second, on_first):
            got = reader.wait_for_changes(1, timeout=5)
            assert [int(m.id) for m in got] == [event_id]
        # Viewers are counted across processes: one on each server.
        on_second.read_until(
            lambda ms: any(m.event == "presence" and m.json["viewers"] == 2 for m in ms),
            timeout=5,
        )
        assert any(m.event == "presence" and m.json["viewers"] == 2 for m in on_second.messages)
    finally:
        on_first.close()
        on_second.close()


def change_through(server, world) -> int:
    """A card move through `server`'s move route, as a leader's browser sends
    it (session cookie, CSRF token from the page): returns the new Event's id."""
    client = SignedInClient(server.url, world["leader_cookie"], world["board_id"])
    try:
        status, _, _ = client.move(world["card_id"], "afsluttet", 1, "ikke_ivaerksat")
    finally:
        client.close()
    assert status == 200
    db.session.rollback()
    return db.session.scalar(
        sa.select(sa.func.max(Event.id)).where(Event.kind == "initiative.moved")
    )
