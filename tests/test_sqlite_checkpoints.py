"""SQLite: no COMMIT checkpoints the WAL (its writer would keep its place in
the writers' queue meanwhile); the writer whose transaction is due does it
after leaving the queue, so the WAL stays short (board/sqlite_writers.py)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from board import sqlite_writers
from board.extensions import db
from board.models import Board
from tests import factories


@pytest.fixture
def sqlite_only(database_template):
    if database_template["kind"] != "sqlite":
        pytest.skip("SQLite's write-ahead log")


def wal_frames(database_path: str) -> int:
    """Frames in the WAL now, as another connection finds it."""
    with sqlite3.connect(database_path) as other:
        _busy, frames, _copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames


def write(app, board_id: int, times: int) -> None:
    """`times` writing requests (each a queued BEGIN IMMEDIATE and a COMMIT)."""
    for i in range(times):
        with app.test_request_context(method="POST"):
            db.session.execute(
                sa.update(Board).where(Board.id == board_id).values(title=f"Tavle {i}")
            )
            db.session.commit()
            db.session.remove()


def test_writers_checkpoint_after_the_queue_and_keep_the_wal_short(
    sqlite_only, make_app, monkeypatch
):
    monkeypatch.setattr(sqlite_writers, "CHECKPOINT_FRAMES", 20)
    monkeypatch.setattr(sqlite_writers, "FIRST_CHECKPOINT_AFTER", 5)
    app = make_app()
    with app.app_context():
        # The app's connections leave checkpoints to the queue's writers.
        assert db.session.execute(sa.text("PRAGMA wal_autocheckpoint")).scalar() == 0
        board_id = factories.make_board().id
        path = db.engine.url.database
        db.session.remove()
    write(app, board_id, 200)
    # Without the writers' checkpoints the WAL would hold every one of the
    # 200 transactions' frames; with them it restarts every ~20 frames.
    assert wal_frames(path) < 60
    with app.app_context():
        assert db.session.get(Board, board_id).title == "Tavle 199"


def test_reads_and_writes_outside_requests_do_not_checkpoint(sqlite_only, make_app, monkeypatch):
    """Only queued writers count: the command line's transactions (which do
    not queue) leave the WAL to them (and to SQLite's last close)."""
    monkeypatch.setattr(sqlite_writers, "FIRST_CHECKPOINT_AFTER", 5)
    app = make_app()
    with app.app_context():
        board_id = factories.make_board().id
        path = db.engine.url.database
        wal_frames(path)  # another connection's checkpoint: the WAL starts afresh
        for i in range(20):
            db.session.execute(
                sa.update(Board).where(Board.id == board_id).values(title=f"Tavle {i}")
            )
            db.session.commit()
        assert wal_frames(path) >= 20
