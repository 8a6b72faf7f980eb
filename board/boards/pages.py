"""The board page and the card page as answers: shared by the members' views
and their share-link twins, and by every area whose answer is a card (after
an edit, a comment). One home for these, so views never import views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template, request

from ..access import BoardAccess
from ..events import latest_event_id
from ..htmx import is_htmx, targets
from ..meetings.queries import card_meeting_notes
from ..models import Initiative
from . import history
from .queries import load_board_view


def render_board(access: BoardAccess):
    """The board page, or only its columns for an htmx filter change (the
    filter form asks for `#columns`; a whole-page htmx request, such as a
    boosted link, gets the page)."""
    # Read before the board itself: the page's live stream replays from
    # here, so a change committed while the page renders is never missed.
    live_after = latest_event_id(access.board.id)
    view = load_board_view(
        access.board, request.args, access.viewer_id, comments=access.show_comments
    )
    if targets("columns"):
        response = render_template("boards/_filtered.html", view=view, access=access)
    else:
        response = render_template(
            "boards/show.html", view=view, access=access, live_after=live_after
        )
    return response, 200, {"Vary": "HX-Request, HX-Target"}


def card_heading_tag(access: BoardAccess, initiative: Initiative) -> str:
    """h1 on the card's own page (also for htmx swaps made there, e.g. after
    an edit), h2 in the dialog over the board, whose h1 is the board's."""
    if not is_htmx():
        return "h1"
    try:
        current = urlsplit(request.headers.get("HX-Current-URL", "")).path
    except ValueError:  # not a URL (no browser sends that): the dialog's level
        return "h2"
    return "h1" if current == access.card_url(initiative.id) else "h2"


def initiative_context(access: BoardAccess, initiative: Initiative) -> dict:
    """What the card templates (initiatives/_card_body.html) need."""
    comments = history.load_comments(access, initiative)
    return dict(
        access=access,
        initiative=initiative,
        card_heading=card_heading_tag(access, initiative),
        history=history.load_history(access, initiative),
        comments=comments,
        comment_roles=history.author_roles(access.board, comments),
        round_texts=history.load_round_texts(initiative),
        round_item=None if access.is_share else history.open_round_item(initiative),
        meeting_notes=card_meeting_notes(initiative.id),
    )


def render_initiative(access: BoardAccess, initiative: Initiative, status: int = 200, **extra):
    """The whole card: a page, or the dialog partial when htmx asks. `extra`
    goes to the template (e.g. an edit form with errors, shown in place)."""
    context = initiative_context(access, initiative) | extra
    template = "initiatives/_dialog.html" if is_htmx() else "initiatives/page.html"
    return render_template(template, **context), status, {"Vary": "HX-Request"}


def render_card_body(access: BoardAccess, initiative: Initiative, status: int = 200, **extra):
    """The card body alone (`#card-body-<id>`: the htmx answer after a change
    in the card dialog or on the card page)."""
    context = initiative_context(access, initiative) | extra
    return render_template("initiatives/_card_body.html", **context), status
