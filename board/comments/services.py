"""The comment log of a card: add, edit (author, 15 minutes), delete (author)
and redact (administrator, GDPR). Each takes the board's lock first
(board/locks.py) and records its Event in the caller's transaction; Event
payloads never hold the comment text, so a redaction removes the text
everywhere.

A comment is never removed from the table: deletion and redaction blank the
text and record who did it, when (and, for a redaction, why), so the log
stays complete for aktindsigt while the text itself can be taken out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..clock import utcnow
from ..errors import Refused
from ..events import record_event
from ..extensions import db
from ..locks import lock_board
from ..models import Comment, Initiative
from ..notifications.mentions import encode_mentions

EDIT_WINDOW = timedelta(minutes=15)
REASON_MAX = 500


def clean_body(body: str) -> str:
    """Normalise line endings and trim; refuse empty and too long text."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise Refused("Skriv en kommentar.", 422)
    if len(body) > Comment.BODY_MAX:
        raise Refused(
            f"En kommentar må højst være {Comment.BODY_MAX:,} tegn.".replace(",", "."),
            422,
        )
    return body


def is_removed(comment: Comment) -> bool:
    return comment.deleted_at is not None or comment.redacted_at is not None


def can_edit(comment: Comment, user, now: datetime | None = None) -> bool:
    """The author may edit a visible comment within 15 minutes of writing it."""
    now = now or utcnow()
    return (
        user is not None
        and comment.author_id == getattr(user, "id", None)
        and not is_removed(comment)
        and now - comment.created_at <= EDIT_WINDOW
    )


def can_delete(comment: Comment, user) -> bool:
    return (
        user is not None
        and comment.author_id == getattr(user, "id", None)
        and not is_removed(comment)
    )


def can_redact(comment: Comment, user) -> bool:
    return bool(user is not None and user.is_admin and comment.redacted_at is None)


def _record(comment: Comment, kind: str, actor, **extra) -> None:
    record_event(
        board_id=comment_board_id(comment),
        initiative_id=comment.initiative_id,
        kind=kind,
        payload={"comment_id": comment.id, **extra},
        actor=actor,
    )


def comment_board_id(comment: Comment) -> int:
    return db.session.get(Initiative, comment.initiative_id).board_id


def add_comment(initiative: Initiative, *, actor, body: str, mentions=()) -> Comment:
    """`mentions`: the ids the autocomplete chose (board/notifications/mentions.py);
    someone without access to the board is refused (422)."""
    body = clean_body(body)
    lock_board(initiative.board_id)
    body = encode_mentions(initiative.board_id, body, mentions)
    comment = Comment(
        initiative_id=initiative.id,
        author_id=actor.id,
        body=body,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()  # the Event refers to the id
    _record(comment, "comment.added", actor)
    return comment


def check_can_edit(comment: Comment, actor, now: datetime | None = None) -> None:
    """Raise CommentRefused (403 not yours, 409 removed or too old) unless
    `actor` may edit `comment` now."""
    if comment.author_id != actor.id:
        raise Refused("Du kan kun redigere dine egne kommentarer.", 403)
    if is_removed(comment):
        raise Refused("Kommentaren er slettet og kan ikke redigeres.", 409)
    if not can_edit(comment, actor, now):
        raise Refused("En kommentar kan kun redigeres i 15 minutter, efter den er skrevet.", 409)


def edit_comment(
    comment: Comment, *, actor, body: str, now: datetime | None = None, mentions=()
) -> Comment:
    board_id = comment_board_id(comment)
    lock_board(board_id, comment)
    check_can_edit(comment, actor, now)
    body = encode_mentions(board_id, clean_body(body), mentions)
    if body == comment.body:
        return comment
    comment.body = body
    comment.edited_at = now or utcnow()
    _record(comment, "comment.edited", actor)
    return comment


def delete_comment(comment: Comment, *, actor) -> Comment:
    """The author deletes their comment: the entry stays, as "Kommentar
    slettet" with who and when; the text is removed."""
    lock_board(comment_board_id(comment), comment)
    if comment.author_id != actor.id:
        raise Refused("Du kan kun slette dine egne kommentarer.", 403)
    if is_removed(comment):
        raise Refused("Kommentaren er allerede slettet.", 409)
    comment.body = ""
    comment.deleted_at = utcnow()
    comment.deleted_by_id = actor.id
    _record(comment, "comment.deleted", actor)
    return comment


def redact_comment(comment: Comment, *, actor, reason: str) -> Comment:
    """An administrator removes a comment's text for GDPR reasons. The fact,
    the time, who did it and the reason stay visible."""
    lock_board(comment_board_id(comment), comment)
    if not actor.is_admin:
        raise Refused(
            "Kun administratorer kan fjerne en kommentar af hensyn til persondata.",
            403,
        )
    if comment.redacted_at is not None:
        raise Refused("Kommentaren er allerede fjernet.", 409)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Skriv en begrundelse.", 422)
    if len(reason) > REASON_MAX:
        raise Refused(f"Begrundelsen må højst være {REASON_MAX} tegn.", 422)
    comment.body = ""
    comment.redacted_at = utcnow()
    comment.redacted_by_id = actor.id
    comment.redaction_reason = reason
    _record(comment, "comment.redacted", actor, reason=reason)
    return comment
