"""Whole numbers from a request (ids, versions, positions).

Only ASCII digits, at most nine of them: `str.isdigit()` also accepts "²"
(which `int()` refuses) and `int()` takes any length (which the database's
INTEGER refuses), and either would end in a 500. Nine digits is far beyond
any id or position here.
"""

from __future__ import annotations

import re

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def parse_id(raw) -> int | None:
    """The number in `raw`, or None when it is missing or not a plain number."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    return int(raw) if _WHOLE_NUMBER.fullmatch(raw) else None
