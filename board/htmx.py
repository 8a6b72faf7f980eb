"""How the server talks to htmx: whether a request is an htmx one, which part
of the page it asked for, and the response headers that steer the swap.

The page's side of this contract is the `htmx-config` meta tag in
templates/base.html: 2xx and 4xx answers are swapped (a 422 form with its
errors, a 409 card as it is now), 5xx answers never are. Refusals that are
not a form go to the notice area because the error handler says so with
`HX-Retarget` (see board/errors.py), not because the page guesses.
"""

from __future__ import annotations

import json

from flask import request

# The board page re-reads its columns when it sees this event
# (templates/boards/show.html: hx-trigger "... from:body").
BOARD_CHANGED = "tiltag:board-changed"
# The announcer (#announcer, aria-live) reads the event's value out.
ANNOUNCE = "tiltag:announce"
# Where refusals are shown on every page (templates/base.html).
NOTICE_TARGET = "#notice"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def targets(element_id: str) -> bool:
    """Whether this htmx request swaps into the element with this id (the
    board's filter asks for `#columns` only, the rest of the page stays)."""
    return is_htmx() and request.headers.get("HX-Target") == element_id


def hx_trigger(announce: str | None = None, board_changed: bool = True) -> dict:
    events: dict = {}
    if board_changed:
        events[BOARD_CHANGED] = True
    if announce:
        events[ANNOUNCE] = announce
    # ASCII-only JSON: header values must be latin-1, and JSON escapes survive.
    return {"HX-Trigger": json.dumps(events, ensure_ascii=True)}


def retarget(selector: str, swap: str = "innerHTML") -> dict:
    """Send this answer somewhere other than where the request pointed."""
    return {"HX-Retarget": selector, "HX-Reswap": swap}
