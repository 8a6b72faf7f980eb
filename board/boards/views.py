"""The board list, the board page (with its filter) and the card page, for
members and, read-only, through share links."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from ..access import roles_by_board, visible_boards
from ..models import Initiative
from . import bp
from .pages import render_board, render_initiative
from .queries import load_stage_counts


@bp.get("/")
@login_required
def index():
    boards = visible_boards(current_user)
    return render_template(
        "boards/index.html",
        boards=boards,
        counts=load_stage_counts(b.id for b in boards),
        roles=roles_by_board(current_user),
    )


@bp.board_get("", share=True)
def show(access):
    return render_board(access)


@bp.board_get("/initiatives/<int:initiative_id>", share=True)
def initiative(access, initiative_id: int):
    return render_initiative(access, access.owned_or_404(Initiative, initiative_id))
