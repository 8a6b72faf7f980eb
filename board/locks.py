"""One lock per board: every change to a board's content runs under it.

Every domain function that changes a board (creates, edits, moves, archives
or restores a card; adds, edits or removes a comment; changes the board's
structure; imports a board; publishes a report) calls `lock_board(board_id)`
before it reads anything it will check or renumber. The lock is held until
the transaction ends, so on one board those transactions run one after the
other, and each one reads what the previous one committed. That is the one
rule; there are no row locks (`SELECT ... FOR UPDATE`) besides it.

What it guarantees
------------------
* Positions stay dense and versions are checked honestly: a move, a create
  (`next_position`), an archive or a restore cannot interleave with another
  on the same board, and a version check followed by a write cannot be
  overtaken.
* The live feed sees a board's Events in id order (PostgreSQL). Event ids
  come from a sequence when the row is inserted, but transactions may commit
  in another order: Event 11 could become visible before Event 10, and a
  stream that had already sent 11 would never send 10 (board/live/stream.py
  reads "Events after my cursor"). Under the lock, a board's Events are
  inserted and committed by one transaction at a time, so they become
  visible in id order. `record_event` takes the lock too (a no-op when the
  domain function already holds it), so no Event can be added without it.

Which lock
----------
PostgreSQL: a transaction-scoped advisory lock,
`pg_advisory_xact_lock(7417, board_id)`, not a lock on the board's row.

* It touches no row. A row lock (`SELECT ... FOR NO KEY UPDATE`) is written
  into the row itself: every move would dirty and WAL-log the board row's
  page just to say "mine", and the lock would also conflict with anything
  else that updates or locks that row. The advisory lock lives only in the
  server's lock table and conflicts only with other takers of the same key:
  exactly the board's writers.
* It needs no row to exist: a board being created or imported is locked
  right after its insert, with the same call.
* It is already the lock the live feed's ordering relies on; the board row
  lock (moves) and the row locks (editing, structure) that used to sit next
  to it only repeated it for their own callers.

One key per board, and never two boards in one transaction, so it cannot
deadlock: a transaction waits for at most one lock, and the writers that do
not take it (share links, memberships, presence, accounts) never wait for it.
The key's first half (7417) keeps it apart from any other advisory locks
that might share the database.

Because the lock is taken inside the domain function, objects the caller
loaded before it (the card a view looked up, the comment, the theme) may be
stale on PostgreSQL. `lock_board` re-reads the objects it is given once it
holds the lock; one that was deleted in the meantime ends the request with
404 (`Vanished`), as if it had been gone when the request came in.

SQLite: no statement at all. Every request that may write runs in `BEGIN
IMMEDIATE` (board/database.py), which takes the database's write lock before
the request's first read, so all writers, of every board, already queue
(board/sqlite_writers.py), and everything a writing request reads is current.
A request that takes the write lock late (the move) reads deferred until
`lock_board`, which ends that read transaction so the next statement begins
`BEGIN IMMEDIATE`, and re-reads `loaded` as on PostgreSQL. Work outside a
request (command line, demo loader, tests) begins deferred; there a
concurrent writer makes the transaction fail with "database is locked"
rather than interleave.

`board/lock_timing.py` measures how long each request waited for the lock
and held it.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import lock_timing
from .database import begin_write_lock, is_postgresql
from .errors import Refused
from .extensions import db

LOCK_CLASS = 7417
HELD_KEY = "tiltag_board_locks"  # session.info: ids of the boards locked in this transaction


class Vanished(Refused):
    """Something the change is about was deleted by another user just before
    the lock was granted: answered as 404, the same as had it been gone when
    the request came in."""

    status = 404

    def __init__(self):
        super().__init__(
            "Det, du ville ændre, er lige blevet fjernet af en anden. Genindlæs siden."
        )


def lock_board(board_id: int, *loaded) -> None:
    """Hold the board's write lock until the transaction ends (see the module
    docstring), and re-read `loaded`, the objects the caller had loaded
    before the lock and is about to check or change.

    Taking it again in the same transaction costs nothing (no statement), so
    a domain function that calls another (import → add_theme →
    create_initiative) just calls it too.
    """
    held = db.session.info.get(HELD_KEY)
    if held is not None and board_id in held:
        return
    if is_postgresql():
        asked = time.perf_counter()
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:lock_class, :board_id)"),
            {"lock_class": LOCK_CLASS, "board_id": board_id},
        )
        lock_timing.note_granted(time.perf_counter() - asked)
        read_before = True
    else:
        # Nothing to take: the request's BEGIN IMMEDIATE has it, or (a request
        # that takes it late) the next statement's (board/database.py).
        read_before = begin_write_lock()
    db.session.info.setdefault(HELD_KEY, set()).add(board_id)
    if read_before:
        # Every statement from here on sees what the previous holder
        # committed; objects loaded before the lock must be read again.
        refresh_or_vanish(*loaded)


def refresh_or_vanish(*loaded) -> None:
    """Re-read objects loaded before the lock; one that is gone is Vanished."""
    for obj in loaded:
        if obj is None or not sa.inspect(obj).persistent:
            continue  # nothing, or not in the database yet: nothing to re-read
        try:
            db.session.refresh(obj)
        except sa.exc.InvalidRequestError:  # the row is gone
            raise Vanished() from None


def holds_board_lock(board_id: int) -> bool:
    """Whether this transaction has taken the board's lock (for tests)."""
    return board_id in db.session.info.get(HELD_KEY, ())


@event.listens_for(Session, "after_transaction_end")
def _forget_locks(session: Session, transaction) -> None:
    # The advisory lock ends with the database transaction. Flushes run in
    # sub-transactions of the session's own: those keep it. A savepoint that
    # ends may have released it (ROLLBACK TO SAVEPOINT does): forget it then
    # too, so the next call takes it again (taking it twice is harmless).
    if transaction.parent is None or transaction.nested:
        session.info.pop(HELD_KEY, None)
