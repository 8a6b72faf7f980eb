"""How long a request waited for the board's lock and how long it held it.

The lock is `pg_advisory_xact_lock` on PostgreSQL and SQLite's write lock
(`BEGIN IMMEDIATE`) on SQLite (see board/locks.py); both are held until the
transaction ends. The times are kept per request in `g` and, with the
setting `SERVER_TIMING` on, sent as a `Server-Timing` header
(`lock-wait;dur=…, lock;dur=…, lock-cpu;dur=…` in milliseconds: the wait,
the time held, and the CPU time this thread used while holding it), which
bench/move_load.py reads. Held minus CPU is time the holder spent waiting
for the database or for a CPU. Off by default: the figures are for
measuring, not for visitors.
"""

from __future__ import annotations

import time

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

_GRANTED = "tiltag_lock_granted_at"
_WAITED = "tiltag_lock_wait_seconds"
_HELD = "tiltag_lock_held_seconds"
_CPU = "tiltag_lock_cpu_seconds"


def note_granted(waited_seconds: float) -> None:
    """The lock was granted now, after waiting `waited_seconds`."""
    if not has_request_context():
        return
    setattr(g, _WAITED, g.get(_WAITED, 0.0) + waited_seconds)
    setattr(g, _GRANTED, (time.perf_counter(), time.thread_time()))


def _released(_session: Session, transaction) -> None:
    if transaction.parent is not None or not has_request_context():
        return  # a flush's or a savepoint's sub-transaction: the lock stays
    granted = g.pop(_GRANTED, None)
    if granted is not None:
        wall, cpu = granted
        setattr(g, _HELD, g.get(_HELD, 0.0) + time.perf_counter() - wall)
        setattr(g, _CPU, g.get(_CPU, 0.0) + time.thread_time() - cpu)


_installed = False


def install() -> None:
    """The lock ends with the transaction: count the time held until then."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_transaction_end", _released)
    _installed = True


def add_server_timing(response):
    held = g.get(_HELD)
    if held is not None:
        waited, cpu = g.get(_WAITED, 0.0), g.get(_CPU, 0.0)
        response.headers["Server-Timing"] = (
            f"lock-wait;dur={waited * 1000:.2f}, lock;dur={held * 1000:.2f}, "
            f"lock-cpu;dur={cpu * 1000:.2f}"
        )
    return response
