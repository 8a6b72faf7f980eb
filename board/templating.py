"""Everything templates can call besides what a view passes: one place, so a
template author can see where each helper comes from.

Filters: `dkdate`, `dkdatetime`, `isodt`, `multiline` (board/formatting.py),
`comment_html` (board/comments/text.py). Globals: `stages`, `healths`, `health_of`,
`edit_url`, `comment_permissions`, `view_query` (a board URL's query string),
`round_may_complete`, `render_cards` (a list of cards, through
board/boards/card_cache.py), and `can_import()` (context processor).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for
from flask_login import current_user

from . import formatting
from .access import BoardAccess
from .boards.card_cache import render_cards
from .comments import services as comment_rules
from .comments.text import comment_html
from .importer.services import may_import
from .models import STAGES, Comment, Health
from .rounds.services import may_complete


def edit_url(access: BoardAccess, endpoint: str, **values) -> str:
    """Member-only editing URLs (templates offer them to members only, never
    to share visitors, so no share twin is looked for)."""
    return url_for(endpoint, board_id=access.board.id, **values)


def comment_permissions(comment: Comment) -> dict:
    """What the signed-in user may do with a comment (buttons in the log)."""
    user = current_user if current_user.is_authenticated else None
    return {
        "edit": comment_rules.can_edit(comment, user),
        "delete": comment_rules.can_delete(comment, user),
        "redact": comment_rules.can_redact(comment, user),
    }


def health_of(value: str | None) -> Health | None:
    """The Health of a stored vurdering, None for none or an unknown value."""
    try:
        return Health(value) if value else None
    except ValueError:
        return None


def round_may_complete(item) -> bool:
    """May the signed-in user give this round item's status (the card's link)?"""
    return may_complete(item, current_user if current_user.is_authenticated else None)


def _import_link() -> dict:
    """`can_import()` for the site header's "Importér tavle" link."""
    return {"can_import": lambda: may_import(current_user)}


def view_query(view, **changes) -> str:
    """The query string of the board page `view` shows (its filter, search
    and view), with `changes` (None drops a value): "?tema=3&visning=spor",
    or "" for the plain board. So a link to another view keeps the filter."""
    values = (
        {"tema": view.filter.theme_id, "maal": view.filter.objective_id}
        | view.filter.query_args()  # ejer, vurdering
        | {"q": view.filter.search_text, "visning": view.mode}
        | changes
    )
    query = urlencode([(k, v) for k, v in values.items() if v not in (None, "")])
    return "?" + query if query else ""


def register(app) -> None:
    app.jinja_env.globals.update(
        stages=STAGES,
        healths=tuple(Health),
        health_of=health_of,
        edit_url=edit_url,
        comment_permissions=comment_permissions,
        view_query=view_query,
        render_cards=render_cards,
        round_may_complete=round_may_complete,
    )
    app.add_template_filter(formatting.danish_date, "dkdate")
    app.add_template_filter(formatting.danish_datetime, "dkdatetime")
    app.add_template_filter(formatting.iso_datetime, "isodt")
    app.add_template_filter(formatting.multiline, "multiline")
    app.add_template_filter(comment_html, "comment_html")
    app.context_processor(_import_link)
