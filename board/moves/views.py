"""POST /boards/<id>/initiatives/<iid>/move: the endpoint behind both drag
and drop and the keyboard "Flyt" control (static/js/moves.js).

Form fields: `stage`, `position` (the card's index among the cards the
client sees in the target column, see board/moves/services.py), `version`
(the card's version as the client knows it), and the board's filter (`tema`,
`maal`, `q`) when the client shows a filtered board, and its view
(`visning`: how the card is drawn). In the swimlane view the filter is the
card's row (`tema` its pejlemærke), so `position` counts the cards above it
in that row. `from_stage` (optional) is
the column the client showed the card in: on a conflict it is re-rendered
too, so a card that moved elsewhere meanwhile is not left in the page twice.

Answers (always HTML fragments for htmx):
  200  the moved card, the counts of the columns it left and entered out
       of band, the announcement
  400  Danish message (bad stage/position/version), into #notice
  403  not a leader (or admin) on the board
  404  unknown board or card, a card of another board, or not a member
  409  stale version: the affected columns re-rendered out of band and the
       notice "Kortet er lige blevet ændret af <navn> – tavlen er opdateret"; an archived card: the
       Danish message into #notice
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from ..boards.queries import load_themes, parse_filter, parse_mode
from ..database import commit_keeping_loaded
from ..errors import Refused, StaleVersion
from ..extensions import db
from ..params import parse_id
from . import bp, fragments
from .services import move_initiative, parse_stage


def _number(name: str, missing: str, invalid: str) -> int:
    value = (request.form.get(name) or "").strip()
    if not value:
        raise Refused(missing, 400)
    number = parse_id(value)  # nine digits at most: far beyond any column
    if number is None:
        raise Refused(invalid.format(value=value[:20]), 400)
    return number


@bp.board_post("/initiatives/<int:initiative_id>/move", need="edit")
def move(access, initiative_id: int):
    loaded = fragments.load_card(access.board.id, initiative_id)
    initiative = loaded.initiative
    stage = parse_stage(request.form.get("stage"))
    position = _number(
        "position",
        "Placeringen mangler.",
        "Placeringen «{value}» er ugyldig: den skal være et helt tal fra 0 og op.",
    )
    version = _number(
        "version",
        "Kortets version mangler. Genindlæs tavlen og prøv igen.",
        "Kortets version «{value}» er ugyldig. Genindlæs tavlen og prøv igen.",
    )
    themes = load_themes(access.board.id)
    board_filter = parse_filter(request.form, themes, access.viewer_id)
    mode = parse_mode(request.form)
    try:
        result = move_initiative(
            initiative,
            stage=stage,
            position=position,
            version=version,
            actor=current_user._get_current_object(),
            board_filter=board_filter,
        )
    except StaleVersion as conflict:
        context = fragments.conflict_context(
            access.board,
            themes,
            board_filter,
            conflict.initiative,
            shown_in={stage, request.form.get("from_stage")},
        )
        context["view"].mode = mode  # the columns are drawn as the page draws them
        # Plain values only from here: end the transaction (and its lock) first.
        db.session.rollback()
        # Nothing in place of the card: the columns and the notice come out
        # of band (moves.js has put the card back already).
        return (
            render_template("moves/_conflict.html", access=access, mode=mode, **context),
            409,
            {"HX-Reswap": "none"},
        )
    # Hold the board's lock (PostgreSQL) or the write lock (SQLite) no longer
    # than needed: commit first (keeping the loaded objects, which hold what
    # was just written), then build the answer, read the counts and render.
    commit_keeping_loaded()
    card = fragments.card_summary(access.board, themes, board_filter, loaded)
    announcement = fragments.announcement(result, position)
    return render_template(
        "moves/_moved.html",
        access=access,
        announcement=announcement,
        mode=mode,
        **fragments.moved_context(access.board.id, board_filter, card, result.counts),
    )
