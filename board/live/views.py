"""The live endpoints.

* `GET /boards/<id>/events` (members) and `GET /s/<token>/events` (share
  links): the board's Events as Server-Sent Events (`stream.py`). Where to
  start: the `Last-Event-ID` header (the browser's own reconnect), else the
  `last_event_id` query parameter (the page's first connect, and the htmx SSE
  extension's reconnect, which sends no header: htmx-extensions issue 184),
  else "from now".
* `GET /boards/<id>/live/parts` and `GET /s/<token>/live/parts`: the parts of
  the board page an event touched (whole columns with their counts, single
  cards in place or at their new place, counts, the filter), rendered with
  the page's own templates under the page's filter as htmx out-of-band
  swaps, which static/js/live.js asks for. Only those parts are read.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from werkzeug.exceptions import ServiceUnavailable

from ..access import BoardAccess
from ..auth.sessions import login_token_hash
from ..boards.queries import load_board_parts
from ..events import latest_event_id
from ..extensions import db
from ..models import STAGES
from ..params import parse_id
from . import bp, runtime_for
from .stream import StreamSpec, event_stream

MAX_PART_CARDS = 50
# A stream refused for the cap: the browser's EventSource retries on its own.
STREAM_RETRY_AFTER_SECONDS = 5


# A stream and its refreshes are not visits: the page that opened them was.
@bp.board_get("/events", share=True, note_visit=False)
def stream(access):
    return start_stream(access)


def requested_start() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        abort(400, description="Ugyldigt Last-Event-ID: det skal være et helt tal fra 0 og op.")
    return value


def start_stream(access: BoardAccess) -> Response:
    runtime = runtime_for(current_app)
    # The slot is taken now, atomically, and given back when the server
    # closes the answer (after the last byte, or when the client went away
    # before the first: a generator never started runs no `finally`).
    slot = runtime.broker.reserve_stream(current_app.config.get("LIVE_MAX_STREAMS"))
    if slot is None:
        raise ServiceUnavailable(
            description="Serveren har for mange åbne forbindelser lige nu. Prøver igen.",
            retry_after=STREAM_RETRY_AFTER_SECONDS,
        )
    try:
        start = requested_start()
        newest = latest_event_id(access.board.id)
    except BaseException:
        slot.release()
        raise
    # No start given: from now. A start beyond the newest event (a database
    # restored from backup) would skip events that are yet to come.
    after_id = newest if start is None else min(start, newest)
    spec = StreamSpec(
        board_id=access.board.id,
        after_id=after_id,
        user_id=access.user.id if access.user else None,
        session_nonce=access.user.session_nonce if access.user else None,
        login_token_hash=login_token_hash(access.user) if access.user else None,
        share_link_id=access.share_link.id if access.share_link else None,
        show_comments=access.show_comments,
        meetings=request.args.get("moede") == "1",
    )
    # Give the connection back before streaming: a stream may stay open for
    # hours and must not hold one of the pool's connections. Ending the
    # (read-only) transaction returns it to the pool; the stream reads with
    # sessions of its own.
    db.session.rollback()
    response = Response(
        event_stream(runtime, spec),
        mimetype="text/event-stream",
        headers={
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",  # nginx: pass each message on at once
        },
    )
    response.call_on_close(slot.release)
    return response


@bp.board_get("/live/parts", share=True, note_visit=False)
def parts(access):
    return render_parts(access)


def _card_ids(name: str) -> list[int]:
    ids = []
    for raw in request.args.getlist(name)[:MAX_PART_CARDS]:
        card_id = parse_id(raw)
        if card_id is None:
            abort(400, description="Ugyldigt tiltag-id.")
        ids.append(card_id)
    return ids


def render_parts(access: BoardAccess):
    """Columns (`stage=`, or `all=1`), cards re-rendered in place (`card=`),
    cards put at their new place (`place=`), column counts (`count=`) and the
    filter (`filter=1`) of the board page, under the page's filter (`tema`,
    `maal`, `ejer`, `vurdering`, `q`) and in the page's view (`visning`).
    Reads only those parts (boards/queries.py `load_board_parts`)."""
    valid_stages = {s.value for s in STAGES}
    stages = [s for s in request.args.getlist("stage") if s in valid_stages]
    if request.args.get("all") == "1":
        stages = sorted(valid_stages)
    parts = load_board_parts(
        access.board,
        request.args,
        stages=stages,
        card_ids=_card_ids("card"),
        place_ids=_card_ids("place"),
        count_stages=[s for s in request.args.getlist("count") if s in valid_stages],
        with_filter=request.args.get("filter") == "1",
        viewer_id=access.viewer_id,
        comments=access.show_comments,
    )
    return (
        render_template("live/_parts.html", parts=parts, view=parts.view, access=access),
        200,
        {"Cache-Control": "no-store"},
    )
