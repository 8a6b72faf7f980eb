"""Notification e-mails "at once": queued in the outbox (board/mail) in the
transaction of the change, never sent inside the request; `flask
deliver-mail` sends them.

The text is rendered once per Event and kind; each recipient's mail adds
their own unsubscribe link (RFC 8058 headers and a link in the body) and a
link to their settings. A mail holds no more than the board shows the
recipient: the card's title, what happened, and for a comment its text
(mentions with current names). When a comment is deleted or redacted, the
mails about it still waiting in the outbox are cancelled, and the stored
text of every mail about it (sent ones too) is blanked.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from ..event_kinds import stage_label
from ..extensions import db
from ..mail.models import MailState, OutboxMessage
from ..mail.outbox import queue_mails
from ..models import Board, Comment, Event, Initiative, User
from .inbox import describe
from .kinds import CATEGORIES, INSTANT
from .links import absolute_url, card_url, unsubscribe_headers
from .mentions import display_text
from .models import Notification
from .settings import unsubscribe_key

# Each recipient's own lines (a format string, not a template: it is made
# once per recipient, up to hundreds per comment).
FOOTER = """--
Du får denne e-mail fra Tiltagstavlen om: {why}.
Afmeld disse e-mails med ét klik: {unsubscribe_url}
Alle dine valg for notifikationer: {settings_url}
"""

REMOVED_TEXT = (
    "(Teksten er fjernet, fordi kommentaren er slettet eller fjernet af hensyn til persondata.)"
)


def dedupe_key(note: Notification) -> str:
    if note.comment_id is not None:
        return f"notify:comment:{note.comment_id}:{note.id}"
    return f"notify:{note.id}"


def subject_of(category: str, who: str, title: str, payload: dict) -> str:
    quoted = f"«{title}»"
    if category == "mention":
        return f"{who} nævnte dig på {quoted}"
    if category == "comment":
        return f"Ny kommentar på {quoted}"
    if category == "move":
        return f"{quoted} er flyttet til {stage_label(payload.get('to_stage'))}"
    if category == "archive":
        return f"{quoted} er arkiveret"
    return f"Status ændret på {quoted}"


def queue_instant(event: Event, comment_id: int | None) -> None:
    """Queue the mails of an Event's "at once" notifications (one query for
    the recipients, one INSERT into the outbox)."""
    rows = db.session.execute(
        sa.select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.event_id == event.id, Notification.delivery == INSTANT)
        .order_by(Notification.id)
    ).all()
    if not rows:
        return
    card = db.session.get(Initiative, event.initiative_id)
    board = db.session.get(Board, event.board_id)
    actor = db.session.get(User, event.actor_id)
    comment = db.session.get(Comment, comment_id) if comment_id else None
    who = actor.name if actor else "Nogen"
    payload = event.payload or {}
    settings_url = absolute_url("notifications.account")
    link = card_url(board.id, card.id, comment_id)
    rendered: dict[str, tuple[str, str]] = {}
    mails = []
    for note, user in rows:
        if note.category not in rendered:
            rendered[note.category] = (
                subject_of(note.category, who, card.title, payload),
                render_template(
                    "notifications/mail/instant.txt",
                    text=describe(note.category, event.kind, payload, who, card.title),
                    board=board,
                    comment_text=display_text(comment.body) if comment is not None else "",
                    status_text=_status_after(payload),
                    link=link,
                ).strip(),
            )
        subject, body = rendered[note.category]
        unsubscribe_url = absolute_url(
            "notifications.unsubscribe", key=unsubscribe_key(user.id, note.category)
        )
        footer = FOOTER.format(
            why=CATEGORIES[note.category].lower(),
            unsubscribe_url=unsubscribe_url,
            settings_url=settings_url,
        )
        mails.append(
            dict(
                to_user=user,
                subject=subject,
                text=f"{body}\n\n{footer}",
                headers=unsubscribe_headers(unsubscribe_url),
                kind=f"notify.{note.category}",
                dedupe_key=dedupe_key(note),
            )
        )
    queue_mails(mails)  # one INSERT for all of them


def _status_after(payload: dict) -> str:
    change = (payload.get("changes") or {}).get("status_note")
    if isinstance(change, list | tuple) and len(change) == 2:
        return change[1] or ""
    return ""


def drop_unsent_about_comment(comment_id: int | None) -> None:
    """A comment was deleted or redacted: cancel the mails about it not yet
    sent, and blank the stored text of all of them."""
    if comment_id is None:
        return
    about = OutboxMessage.dedupe_key.like(f"notify:comment:{int(comment_id)}:%")
    db.session.execute(
        sa.update(OutboxMessage)
        .where(about, OutboxMessage.state == MailState.PENDING.value)
        .values(state=MailState.CANCELLED.value)
    )
    db.session.execute(
        sa.update(OutboxMessage).where(about).values(text_body=REMOVED_TEXT, html_body=None)
    )
