"""The in-app notifications: the unread count in the header, the list at
/notifications, and marking them read.

Only notifications of boards the user can still see count or show (a user
removed from a board sees nothing more of it), and what a notification says
is made when it is shown, from the Event and the rows as they are now: a
deleted or redacted comment's text is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..clock import utcnow
from ..errors import Refused
from ..event_kinds import EVENT_KINDS
from ..extensions import db
from ..models import Board, Comment, Event, Initiative, Membership, User
from .mentions import display_text
from .models import Notification

LIST_LIMIT = 100
EXCERPT_MAX = 200


def _visible(user_id: int):
    """Notifications of `user_id` on boards where they still have a role."""
    return sa.and_(
        Notification.user_id == user_id,
        sa.exists().where(
            Membership.user_id == user_id, Membership.board_id == Notification.board_id
        ),
    )


def unread_count(user) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                _visible(user.id), Notification.read_at.is_(None)
            )
        )
        or 0
    )


def unread_label(count: int) -> str:
    """The header entry's text alternative: "3 ulæste notifikationer"."""
    if count == 0:
        return "Notifikationer, ingen ulæste"
    return f"{count} ulæst notifikation" if count == 1 else f"{count} ulæste notifikationer"


@dataclass
class Shown:
    id: int
    board_id: int
    board_title: str
    initiative_id: int | None
    comment_id: int | None
    text: str
    excerpt: str  # the comment's text, when it is still there
    created_at: datetime
    unread: bool


def excerpt(body: str | None) -> str:
    text = " ".join(display_text(body).split())
    return text if len(text) <= EXCERPT_MAX else text[:EXCERPT_MAX].rsplit(" ", 1)[0] + " …"


def describe(category: str, kind: str, payload: dict, who: str, title: str) -> str:
    """What a notification says ("Lone Leder nævnte dig i en kommentar på «X»")."""
    quoted = f"«{title}»"
    if category == "mention":
        return f"{who} nævnte dig i en kommentar på {quoted}"
    if kind == "comment.added":
        return f"{who} kommenterede {quoted}"
    entry = EVENT_KINDS.get(kind)
    return entry.announce(who, quoted, payload) if entry else f"{who} ændrede {quoted}"


def comment_is_removed(comment) -> bool:
    return comment is None or comment.deleted_at is not None or comment.redacted_at is not None


def list_for(user, limit: int = LIST_LIMIT) -> list[Shown]:
    """The newest notifications, newest first: one query."""
    actor = aliased(User)
    rows = db.session.execute(
        sa.select(Notification, Event, Initiative.title, Board.title, actor.name, Comment)
        .join(Event, Event.id == Notification.event_id)
        .join(Board, Board.id == Notification.board_id)
        .outerjoin(Initiative, Initiative.id == Notification.initiative_id)
        .outerjoin(actor, actor.id == Event.actor_id)
        .outerjoin(Comment, Comment.id == Notification.comment_id)
        .where(_visible(user.id))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    shown = []
    for note, event, title, board_title, who, comment in rows:
        removed = comment_is_removed(comment)
        shown.append(
            Shown(
                id=note.id,
                board_id=note.board_id,
                board_title=board_title,
                initiative_id=note.initiative_id,
                comment_id=note.comment_id,
                text=describe(
                    note.category, event.kind, event.payload or {}, who or "Nogen", title or "?"
                ),
                excerpt="" if note.comment_id is None or removed else excerpt(comment.body),
                created_at=note.created_at,
                unread=note.read_at is None,
            )
        )
    return shown


def own_notification(user, notification_id: int) -> Notification:
    """The user's own notification on a board they can see, else 404."""
    note = db.session.execute(
        sa.select(Notification).where(Notification.id == notification_id, _visible(user.id))
    ).scalar_one_or_none()
    if note is None:
        raise Refused("Notifikationen findes ikke.", 404)
    return note


def mark_read(user, notification_id: int) -> Notification:
    note = own_notification(user, notification_id)
    if note.read_at is None:
        note.read_at = utcnow()
    return note


def mark_all_read(user) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
