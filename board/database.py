"""Database engine settings that make concurrent writers safe.

SQLite: WAL mode (readers don't block the writer), a busy timeout, and
`BEGIN IMMEDIATE` for every request that may write (every request that is not
GET/HEAD), so two concurrent moves wait
their turn instead of failing with "database is locked" half-way: a deferred
BEGIN upgrades a read lock to a write lock late, and SQLite gives up at once
when the snapshot it read is already stale. GET requests (board pages, event
streams) begin deferred, so readers never queue behind writers. Work outside
a request (command line, tests) begins deferred too: a test that merely reads
a lazy attribute must not hold the write lock while a live server in another
thread serves the browser.

PostgreSQL needs nothing here: its default READ COMMITTED is what the
domain functions expect, and they serialise the changes of one board with
the board's lock (board/locks.py), which on SQLite is the BEGIN IMMEDIATE
above.

**Taking the write lock late** (`take_write_lock_late()`, the move's route).
Writers queue for `BEGIN IMMEDIATE` in the kernel (board/sqlite_writers.py),
so the next one starts as soon as the lock is free.

A writing request that reads and checks first and writes only a few
statements (a move) would otherwise hold SQLite's write lock from its first
query (loading the user, the access check) until it has rendered its answer,
and every other writer of the database would wait that long. Such a request
begins deferred instead; `lock_board` then ends the read transaction
(nothing was written in it) and the next statement begins `BEGIN IMMEDIATE`;
what follows the commit (the answer's reads) begins deferred again. The
objects read before are re-read under the lock where they matter (the move
reads its card's state with its first locked statement).
"""

from __future__ import annotations

import time

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import lock_timing, sqlite_writers
from .extensions import db

# A checkpoint copies each page once however often the WAL holds it, and a
# move rewrites the same pages of the initiatives table (a shift touches
# most of a big board's rows): checkpointing every 10,000 frames instead of
# SQLite's 1,000 copies those pages once per many moves, not every few. A
# database whose writers queue (a file) turns the automatic checkpoint off
# and checkpoints outside the queue instead (board/sqlite_writers.py).
WAL_AUTOCHECKPOINT_PAGES = 10000

# g: this request takes SQLite's write lock late ("reads" until `lock_board`
# asks for it, "next" for the one transaction that takes it).
_LATE_LOCK = "tiltag_sqlite_write_lock"


def _configure_sqlite(engine: Engine) -> None:
    queued = sqlite_writers.install(engine)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN (see `on_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={0 if queued else WAL_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if not _begins_immediate():
            connection.exec_driver_sql("BEGIN")
            return
        asked = time.perf_counter()
        if queued:
            sqlite_writers.wait_for_turn(connection)  # the writers' queue
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to busy_timeout
        lock_timing.note_granted(time.perf_counter() - asked)


def _begins_immediate() -> bool:
    if not has_request_context() or request.method in ("GET", "HEAD"):
        return False
    late = g.get(_LATE_LOCK)
    if late is None:
        return True  # a writing request: the write lock from its first query
    if late == "next":
        setattr(g, _LATE_LOCK, "reads")  # this transaction only
        return True
    return False


def take_write_lock_late() -> None:
    """For a writing request that reads before it takes the board's lock: on
    SQLite its transactions begin deferred, and `lock_board` begins the one
    that writes with the write lock (see the module docstring). Call before
    the request's first query (a blueprint's before_request)."""
    setattr(g, _LATE_LOCK, "reads")


def begin_write_lock() -> bool:
    """SQLite, in a request that takes the write lock late: end the current
    read-only transaction so the next statement begins `BEGIN IMMEDIATE`.
    Returns whether it did (the caller's loaded objects are then from before
    the lock). Elsewhere (no such request) nothing is done."""
    if not has_request_context() or g.get(_LATE_LOCK) is None:
        return False
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("changes made before the board's lock was taken")
    commit_keeping_loaded(session)  # nothing written: only ends the read
    setattr(g, _LATE_LOCK, "next")
    return True


def commit_keeping_loaded(session=None) -> None:
    """Commit without expiring the loaded objects: what the request shows
    after the commit is what it has just written and read, so reloading it
    would only cost queries."""
    session = session if session is not None else db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def init_app(app) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
    lock_timing.install()
    if app.config.get("SERVER_TIMING"):
        app.after_request(lock_timing.add_server_timing)


def is_postgresql(session=None) -> bool:
    """Whether the database (`session`'s, else the app's) is PostgreSQL:
    the one place that asks, for the few things only PostgreSQL needs."""
    bind = session.get_bind() if session is not None else db.engine
    return bind.dialect.name == "postgresql"
