"""The board list, the board page (with its filter) and the card page."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..access import BoardAccess, get_board_access_or_404, get_initiative_or_404
from ..events import latest_event_id
from ..extensions import db
from ..models import Board, Membership, Role
from ..security import is_htmx
from . import history
from .queries import load_board_view, load_stage_counts

bp = Blueprint("boards", __name__)


@bp.get("/")
@login_required
def index():
    query = sa.select(Board).order_by(Board.created_at, Board.id)
    if not current_user.is_admin:
        query = query.join(Membership, Membership.board_id == Board.id).where(
            Membership.user_id == current_user.id
        )
    boards = list(db.session.scalars(query))
    roles = {
        m.board_id: Role(m.role)
        for m in db.session.scalars(
            sa.select(Membership).where(Membership.user_id == current_user.id)
        )
    }
    counts = load_stage_counts(b.id for b in boards)
    return render_template("boards/index.html", boards=boards, counts=counts, roles=roles)


def render_board(access: BoardAccess):
    """The board page, or only its columns for an htmx filter change."""
    # Read before the board itself: the page's live stream replays from
    # here, so a change committed while the page renders is never missed.
    live_after = latest_event_id(access.board.id)
    view = load_board_view(access.board, request.args)
    if is_htmx() and request.headers.get("HX-Target") == "columns":
        response = render_template("boards/_filtered.html", view=view, access=access)
    else:
        response = render_template(
            "boards/show.html", view=view, access=access, live_after=live_after
        )
    return response, 200, {"Vary": "HX-Request, HX-Target"}


@bp.get("/boards/<int:board_id>")
def show(board_id: int):
    return render_board(get_board_access_or_404(board_id, "view"))


def card_heading_tag(access: BoardAccess, initiative) -> str:
    """h1 on the card's own page (also for htmx swaps made there, e.g. after
    an edit), h2 in the dialog over the board, whose h1 is the board's."""
    if not is_htmx():
        return "h1"
    try:
        current = urlsplit(request.headers.get("HX-Current-URL", "")).path
    except ValueError:  # not a URL (no browser sends that): the dialog's level
        return "h2"
    return "h1" if current == access.card_url(initiative.id) else "h2"


def initiative_context(access: BoardAccess, initiative) -> dict:
    """What the card templates (initiatives/_card_body.html) need."""
    comments = history.load_comments(access, initiative)
    return dict(
        access=access,
        initiative=initiative,
        card_heading=card_heading_tag(access, initiative),
        history=history.load_history(access, initiative),
        comments=comments,
        comment_roles=history.author_roles(access.board, comments),
    )


def render_initiative(access: BoardAccess, initiative_id: int, status: int = 200, **extra):
    """The whole card: a page, or the dialog partial when htmx asks. `extra`
    goes to the template (e.g. an edit form with errors, shown in place)."""
    initiative = get_initiative_or_404(access, initiative_id)
    context = initiative_context(access, initiative) | extra
    template = "initiatives/_dialog.html" if is_htmx() else "initiatives/page.html"
    return render_template(template, **context), status, {"Vary": "HX-Request"}


@bp.get("/boards/<int:board_id>/initiatives/<int:initiative_id>")
def initiative(board_id: int, initiative_id: int):
    return render_initiative(get_board_access_or_404(board_id, "view"), initiative_id)
