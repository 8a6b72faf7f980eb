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

**Checkpoints outside the queue.** SQLite's automatic checkpoint runs inside
the COMMIT that fills the WAL past its limit, so its writer would still hold
its place in the queue while it copied pages and synced the files, and every
writer behind it would wait: that was the SQLite moves' tail at 2,000 cards
(commit p99 54 ms, max 109 ms, against 11 and 15 ms without it). So the
app's connections turn the automatic checkpoint off (board/database.py),
and once about CHECKPOINT_FRAMES frames' worth of queued write transactions
of a process have committed, the connection that completes one runs a
PASSIVE checkpoint after leaving the queue (it waits for no reader or
writer, and they need not wait for it).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

_FD = "tiltag_writers_fd"
_HELD = "tiltag_writers_held"

# The WAL's size at which a checkpoint is due, in frames (pages), as SQLite's
# own limit was (board/database.py: a checkpoint copies each page once
# however often the WAL holds it). The queue counts transactions, not frames:
# a move writes a handful of pages on a small board and about 290 at 2,000
# cards (a shift touches most of the table), so the number of writes between
# two checkpoints is learnt from the frames the last checkpoint found.
CHECKPOINT_FRAMES = 10000
FIRST_CHECKPOINT_AFTER = 30  # write transactions, before anything is learnt


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

    writes = _WriteCounter()

    @event.listens_for(engine, "checkin")
    def leave_queue(dbapi_connection, record):
        # After the pool's rollback of the connection: its transaction is over.
        if not _release(record.info) or dbapi_connection is None:
            return  # not a queued writer's transaction (or a dead connection)
        if writes.checkpoint_due():
            frames = 0
            try:
                _busy, frames, _copied = dbapi_connection.execute(
                    "PRAGMA wal_checkpoint(PASSIVE)"
                ).fetchone()
            except sqlite3.Error:
                pass  # the next due write tries again; this request is answered
            finally:
                writes.checkpointed(frames)

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


def _release(info: dict) -> bool:
    """Leave the queue; whether this connection was in it (a writer)."""
    if info.pop(_HELD, False):
        fcntl.flock(info[_FD], fcntl.LOCK_UN)
        return True
    return False


class _WriteCounter:
    """Counts a process's queued write transactions and says when one is due
    to checkpoint: after about CHECKPOINT_FRAMES frames' worth of them."""

    def __init__(self):
        self.every = FIRST_CHECKPOINT_AFTER
        self.count = 0
        self.since_checkpoint = 0
        self.lock = threading.Lock()

    def checkpoint_due(self) -> bool:
        with self.lock:
            self.count += 1
            if self.count < self.every:
                return False
            self.since_checkpoint, self.count = self.count, 0
            self.every = 10**9  # no second checkpoint while this one runs
            return True

    def checkpointed(self, frames: int) -> None:
        """The checkpoint found `frames` frames in the WAL (other processes'
        included): aim the next one at CHECKPOINT_FRAMES."""
        if frames <= 0:  # it failed, or the WAL was empty: learn nothing
            every = FIRST_CHECKPOINT_AFTER
        else:
            per_write = frames / max(self.since_checkpoint, 1)
            every = int(min(max(CHECKPOINT_FRAMES / per_write, 10), 5000))
        with self.lock:
            self.every = every
