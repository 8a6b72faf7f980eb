"""The per-process stream cap (LIVE_MAX_STREAMS) is exact under concurrency:
a slot is taken atomically when the stream is accepted, before its answer
is sent, and given back when the answer is closed, even by a client that
went away before the stream's first byte."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from board.live import runtime_for
from tests.conftest import login

LIMIT = 4
CLIENTS = 12


@pytest.fixture
def app(make_app):
    app = make_app(LIVE_MAX_STREAMS=LIMIT, LIVE_HEARTBEAT_SECONDS=0.1)
    with app.app_context():
        yield app


def test_concurrent_streams_never_exceed_the_cap(app, board, users):
    url = f"/boards/{board.id}/events"
    clients = []
    for _ in range(CLIENTS):
        client = app.test_client()
        login(client, users["med"])
        clients.append(client)
    start = threading.Barrier(CLIENTS)

    def open_stream(client):
        start.wait()
        # Not read: the answer is accepted, its body not yet started, the
        # moment the old count (streams whose body had begun) missed.
        return client.get(url, buffered=False)

    with ThreadPoolExecutor(CLIENTS) as pool:
        responses = list(pool.map(open_stream, clients))
    try:
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * LIMIT + [503] * (CLIENTS - LIMIT)
        refused = next(r for r in responses if r.status_code == 503)
        assert refused.headers.get("Retry-After")
        assert "Prøv igen om lidt" in refused.get_data(as_text=True)
    finally:
        for response in responses:
            response.close()

    # Every slot came back (closing the answer releases it, started or not).
    assert runtime_for(app).broker.reserved_streams() == 0
    again = clients[0].get(url, buffered=False)
    try:
        assert again.status_code == 200
    finally:
        again.close()
    assert runtime_for(app).broker.reserved_streams() == 0
