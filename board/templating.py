"""Everything templates can call besides what a view passes: one place, so a
template author can see where each helper comes from.

Filters: `dkdate`, `dkdatetime`, `isodt`, `multiline` (board/formatting.py),
`comment_html` (board/comments/text.py). Globals: `stages`, `healths`, `health_of`,
`edit_url`, `comment_permissions`, and `can_import()` (context processor).
"""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from . import formatting
from .access import BoardAccess
from .comments import services as comment_rules
from .comments.text import comment_html
from .importer.services import may_import
from .models import STAGES, Comment, Health


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


def _import_link() -> dict:
    """`can_import()` for the site header's "Importér tavle" link."""
    return {"can_import": lambda: may_import(current_user)}


def register(app) -> None:
    app.jinja_env.globals.update(
        stages=STAGES,
        healths=tuple(Health),
        health_of=health_of,
        edit_url=edit_url,
        comment_permissions=comment_permissions,
    )
    app.add_template_filter(formatting.danish_date, "dkdate")
    app.add_template_filter(formatting.danish_datetime, "dkdatetime")
    app.add_template_filter(formatting.iso_datetime, "isodt")
    app.add_template_filter(formatting.multiline, "multiline")
    app.add_template_filter(comment_html, "comment_html")
    app.context_processor(_import_link)
