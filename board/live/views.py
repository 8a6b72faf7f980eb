"""The live endpoints.

* `GET /boards/<id>/events` (members) and `GET /s/<token>/events` (share
  links): the board's Events as Server-Sent Events (`stream.py`). Where to
  start: the `Last-Event-ID` header (the browser's own reconnect), else the
  `last_event_id` query parameter (the page's first connect, and the htmx SSE
  extension's reconnect, which sends no header: htmx-extensions issue 184),
  else "from now".
* `GET /boards/<id>/live/parts` and `GET /s/<token>/live/parts`: the parts of
  the board page an event touched (columns with their counts, single cards,
  the filter), rendered with the page's own templates under the page's
  filter, for static/js/live.js to put in place.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from ..access import BoardAccess, get_board_access_or_404, get_share_access_or_404
from ..boards.queries import load_board_view
from ..events import latest_event_id
from ..extensions import db
from ..models import STAGES
from ..params import parse_id
from . import runtime_for
from .stream import StreamSpec, event_stream

bp = Blueprint("live", __name__)

MAX_PART_CARDS = 50


@bp.get("/boards/<int:board_id>/events")
def stream(board_id: int):
    return start_stream(get_board_access_or_404(board_id, "view"))


@bp.get("/s/<token>/events")
def share_stream(token: str):
    return start_stream(get_share_access_or_404(token, touch=False))


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
    limit = current_app.config.get("LIVE_MAX_STREAMS")
    if limit is not None and runtime.broker.open_streams() >= limit:
        abort(503, description="Serveren har for mange åbne forbindelser lige nu. Prøver igen.")
    start = requested_start()
    newest = latest_event_id(access.board.id)
    # No start given: from now. A start beyond the newest event (a database
    # restored from backup) would skip events that are yet to come.
    after_id = newest if start is None else min(start, newest)
    spec = StreamSpec(
        board_id=access.board.id,
        after_id=after_id,
        user_id=access.user.id if access.user else None,
        session_nonce=access.user.session_nonce if access.user else None,
        share_link_id=access.share_link.id if access.share_link else None,
        show_comments=access.show_comments,
    )
    # Give the connection back before streaming: a stream may stay open for
    # hours and must not hold one of the pool's connections. Ending the
    # (read-only) transaction returns it to the pool; the stream reads with
    # sessions of its own.
    db.session.rollback()
    return Response(
        event_stream(runtime, spec),
        mimetype="text/event-stream",
        headers={
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",  # nginx: pass each message on at once
        },
    )


@bp.get("/boards/<int:board_id>/live/parts")
def parts(board_id: int):
    return render_parts(get_board_access_or_404(board_id, "view"))


@bp.get("/s/<token>/live/parts")
def share_parts(token: str):
    return render_parts(get_share_access_or_404(token, touch=False))


def render_parts(access: BoardAccess):
    """Columns (`stage=`), cards (`card=`) and the filter (`filter=1`) of the
    board page, under the page's filter (`tema`, `maal`)."""
    valid_stages = {s.value for s in STAGES}
    part_stages = [s for s in request.args.getlist("stage") if s in valid_stages]
    if request.args.get("all") == "1":
        part_stages = sorted(valid_stages)
    part_cards = set()
    for raw in request.args.getlist("card")[:MAX_PART_CARDS]:
        card_id = parse_id(raw)
        if card_id is None:
            abort(400, description="Ugyldigt tiltag-id.")
        part_cards.add(card_id)
    view = load_board_view(access.board, request.args)
    shown = {card.id for cards in view.columns.values() for card in cards}
    return (
        render_template(
            "live/_parts.html",
            view=view,
            access=access,
            part_stages=part_stages,
            part_cards=part_cards,
            hidden_cards=sorted(part_cards - shown),
            with_filter=request.args.get("filter") == "1",
        ),
        200,
        {"Cache-Control": "no-store"},
    )
