"""The one clock: "now" in UTC for timestamps, and the Copenhagen calendar
for everything a person reads as a date (share link expiry, "status pr.",
"today").

Every module asks this one for the time, so tests can control it in one
place (time-machine patches `datetime.now` underneath it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_local() -> date:
    """Today's date in Copenhagen (what "i dag" means to the user)."""
    return datetime.now(LOCAL_TZ).date()


def local_date(moment: datetime) -> date:
    """The Copenhagen date of a timezone-aware moment."""
    return moment.astimezone(LOCAL_TZ).date()


# Events recorded inside `events_dated(moment)` carry that time instead of
# the database's clock (see `event_time`).
_events_dated: ContextVar[datetime | None] = ContextVar("tiltag_events_dated", default=None)


@contextmanager
def events_dated(moment: datetime) -> Iterator[None]:
    """Date every Event recorded in the block at `moment`: loading history
    (and tests that make history at chosen times with a controlled clock)."""
    token = _events_dated.set(moment)
    try:
        yield
    finally:
        _events_dated.reset(token)


def event_time(at: datetime | None = None, *, database_clock: bool):
    """The time an Event is recorded with: `at` if given, else the time set
    by `events_dated`, else the database's clock (`clock_timestamp()`, the
    moment of the insert, as an SQL expression), which every app host shares,
    so hosts whose clocks differ still date a board's Events in the order
    they commit. `database_clock` is False on SQLite, which lives on the
    app's host: its clock is `utcnow()`."""
    if at is not None:
        return at
    pinned = _events_dated.get()
    if pinned is not None:
        return pinned
    if database_clock:
        return sa.func.clock_timestamp()
    return utcnow()
