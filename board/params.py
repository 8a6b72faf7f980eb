"""Whole numbers from a request (ids, versions, positions), in the query
string, the form and the URL.

Only ASCII digits, at most nine of them: `str.isdigit()` also accepts "²"
(which `int()` refuses) and `int()` takes any length (which the database's
INTEGER refuses), and either would end in a 500. Nine digits is far beyond
any id or position here.
"""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def parse_id(raw) -> int | None:
    """The number in `raw`, or None when it is missing or not a plain number."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    return int(raw) if _WHOLE_NUMBER.fullmatch(raw) else None


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route, bounded by the databases' INTEGER
    (PostgreSQL's is 32-bit): /boards/2147483648 is a 404 like any unknown
    board, not an "integer out of range" from the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
