"""Publish committed Events to the live streams.

`record_event` keeps each new Event in `session.info[PENDING_KEY]`. When that
session commits:

* before the commit (the ids are known after a flush), on PostgreSQL one
  `pg_notify` per board carrying the board's newest event id. PostgreSQL
  delivers a notification only if and when its transaction commits, so
  listeners never hear of an Event they cannot read yet;
* after the commit, this process's own streams of those boards are woken
  directly (no round trip through the database).

Other processes hear of the change through their LISTEN connection
(PostgreSQL) or their watcher's poll of the Event table (SQLite).
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from ..database import is_postgresql
from ..events import PENDING_KEY

CHANNEL = "tiltag_live"
PUBLISH_KEY = "tiltag_live_publish"

_installed = False


def install() -> None:
    """Register the session hooks (once per process; they serve every app)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_transaction_end", _after_transaction_end)
    _installed = True


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: publish when the real transaction commits
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    session.flush()  # assigns the ids
    newest: dict[int, int] = {}
    for ev in pending:
        if ev.id is not None and ev.board_id is not None:
            newest[ev.board_id] = max(newest.get(ev.board_id, 0), ev.id)
    if not newest:
        return
    if is_postgresql(session):
        for board_id, event_id in sorted(newest.items()):
            session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": f"e:{board_id}:{event_id}"},
            )
    session.info[PUBLISH_KEY] = newest


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    newest = session.info.pop(PUBLISH_KEY, None)
    if not newest or not has_app_context():
        return
    runtime = current_app.extensions.get("tiltag_live")
    if runtime is None:
        return
    for board_id, event_id in newest.items():
        runtime.broker.wake(board_id, event_id)


def _after_transaction_end(session: Session, transaction) -> None:
    # Events of a transaction that rolled back (or was closed without a
    # commit) were never written: forget them.
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
        session.info.pop(PUBLISH_KEY, None)


def notify_presence(session: Session, board_id: int) -> None:
    """Tell other processes that the viewers of a board changed (PostgreSQL;
    delivered when `session` commits). SQLite processes poll instead."""
    if is_postgresql(session):
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"p:{board_id}"},
        )
