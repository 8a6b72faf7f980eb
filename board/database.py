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
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN (see `on_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        writes = has_request_context() and request.method not in ("GET", "HEAD")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def init_app(app) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)


def is_postgresql(session=None) -> bool:
    """Whether the database (`session`'s, else the app's) is PostgreSQL:
    the one place that asks, for the few things only PostgreSQL needs."""
    bind = session.get_bind() if session is not None else db.engine
    return bind.dialect.name == "postgresql"
