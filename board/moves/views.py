"""POST /boards/<id>/initiatives/<iid>/move: the endpoint behind both drag
and drop and the keyboard "Flyt" control (static/js/moves.js).

Form fields: `stage`, `position` (the card's index among the cards the
client sees in the target column, see board/moves/services.py), `version`
(the card's version as the client knows it), and the board's filter (`tema`,
`maal`) when the client shows a filtered board. `from_stage` (optional) is
the column the client showed the card in: on a conflict it is re-rendered
too, so a card that moved elsewhere meanwhile is not left in the page twice.

Answers (always HTML fragments for htmx):
  200  the moved card, the column counts out of band, the announcement
  400  Danish message (bad stage/position/version, card of another board)
  403  not a leader (or admin) on the board
  404  unknown board or card, or not a member
  409  stale version: the affected columns re-rendered out of band and the
       notice "Kortet er lige blevet ændret af <navn> – tavlen er opdateret"
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..access import get_board_access_or_404
from ..boards.queries import load_themes, parse_filter
from ..extensions import db
from ..models import Initiative
from ..params import parse_id
from . import fragments
from .services import InvalidMove, StaleVersion, move_initiative, parse_stage

bp = Blueprint("moves", __name__)


def _number_or_400(name: str, missing: str, invalid: str) -> int:
    value = (request.form.get(name) or "").strip()
    if not value:
        abort(400, description=missing)
    number = parse_id(value)  # nine digits at most: far beyond any column
    if number is None:
        abort(400, description=invalid.format(value=value[:20]))
    return number


@bp.post("/boards/<int:board_id>/initiatives/<int:initiative_id>/move")
def move(board_id: int, initiative_id: int):
    access = get_board_access_or_404(board_id, "edit")
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None:
        abort(404)
    if initiative.board_id != access.board.id:
        abort(400, description="Tiltaget hører til en anden tavle og kan ikke flyttes her.")
    try:
        stage = parse_stage(request.form.get("stage"))
    except InvalidMove as error:
        abort(400, description=error.message)
    position = _number_or_400(
        "position",
        "Placeringen mangler.",
        "Placeringen «{value}» er ugyldig: den skal være et helt tal fra 0 og op.",
    )
    version = _number_or_400(
        "version",
        "Kortets version mangler. Genindlæs tavlen og prøv igen.",
        "Kortets version «{value}» er ugyldig. Genindlæs tavlen og prøv igen.",
    )
    themes = load_themes(board_id)
    board_filter = parse_filter(request.form, themes)

    try:
        result = move_initiative(
            initiative,
            stage=stage,
            position=position,
            version=version,
            actor=current_user._get_current_object(),
            board_filter=board_filter,
        )
    except InvalidMove as error:
        db.session.rollback()
        abort(400, description=error.message)
    except StaleVersion as conflict:
        context = fragments.conflict_context(
            access.board,
            themes,
            board_filter,
            conflict.initiative,
            shown_in={stage, request.form.get("from_stage")},
        )
        # Plain values only from here: end the transaction (and its lock) first.
        db.session.rollback()
        return (
            render_template("moves/_conflict.html", access=access, **context),
            409,
            {"HX-Reswap": "none"},
        )
    # Hold the board's lock (PostgreSQL) or the write lock (SQLite) no longer
    # than needed: take what the answer shows from this transaction as plain
    # values, commit, then read the counts and render.
    card = fragments.card_summary(access.board, themes, board_filter, result.initiative)
    announcement = fragments.announcement(result, position)
    db.session.commit()
    return render_template(
        "moves/_moved.html",
        access=access,
        announcement=announcement,
        **fragments.moved_context(board_id, board_filter, card),
    )
