"""SQLite: writers queue in the kernel, not in SQLite's busy handler.

SQLite has no queue for its write lock. A `BEGIN IMMEDIATE` that finds it
taken sleeps and tries again (the busy handler: 1, 2, 5, 10, ... up to 100 ms
between tries), so under contention a writer often sleeps long after the
lock came free, and a writer that arrives later may win. With ten movers on
one board that, not the work, made most of a move's latency.

So every `BEGIN IMMEDIATE` of the app (board/database.py) first takes an
exclusive `flock` on a file beside the database (`<database>-writers`), one
open file per pooled connection, and the lock is released when the
connection goes back to the pool, which is after its COMMIT or ROLLBACK.
`flock` blocks in the kernel and wakes the next waiter at once; across
threads and worker processes alike. SQLite's own lock is then free whenever
a queued writer gets its turn, so its busy handler (`busy_timeout`) is only
the fallback for writers that do not queue (the command line, the live
feed's presence rows, an outside tool).
"""

from __future__ import annotations

import fcntl
import os

from sqlalchemy import event
from sqlalchemy.engine import Engine

_FD = "tiltag_writers_fd"
_HELD = "tiltag_writers_held"


def queue_path(engine: Engine) -> str | None:
    """The queue file of a file database (None for an in-memory one)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}-writers"


def install(engine: Engine) -> bool:
    """Give the engine's connections a place in the queue; False when the
    database is in memory (one connection: nothing to queue)."""
    path = queue_path(engine)
    if path is None:
        return False

    @event.listens_for(engine, "connect")
    def open_queue_file(_dbapi_connection, record):
        record.info[_FD] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "checkin")
    def leave_queue(_dbapi_connection, record):
        _release(record.info)  # after the pool's rollback of the connection

    @event.listens_for(engine, "close")
    def close_queue_file(_dbapi_connection, record):
        _release(record.info)
        fd = record.info.pop(_FD, None)
        if fd is not None:
            os.close(fd)

    return True


def wait_for_turn(connection) -> None:
    """Block until this connection is the database's one queued writer (from
    the `begin` event, right before `BEGIN IMMEDIATE`)."""
    info = connection.connection.info
    fd = info.get(_FD)
    if fd is None or info.get(_HELD):
        return
    fcntl.flock(fd, fcntl.LOCK_EX)  # the GIL is released while it waits
    info[_HELD] = True


def _release(info: dict) -> None:
    if info.pop(_HELD, False):
        fcntl.flock(info[_FD], fcntl.LOCK_UN)
