"""The one clock: "now" in UTC for timestamps, and the Copenhagen calendar
for everything a person reads as a date (share link expiry, "status pr.",
"today").

Every module asks this one for the time, so tests can control it in one
place (time-machine patches `datetime.now` underneath it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_local() -> date:
    """Today's date in Copenhagen (what "i dag" means to the user)."""
    return datetime.now(LOCAL_TZ).date()


def local_date(moment: datetime) -> date:
    """The Copenhagen date of a timezone-aware moment."""
    return moment.astimezone(LOCAL_TZ).date()
