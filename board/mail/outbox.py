"""Queueing mail: `queue_mail` writes a message to the outbox in the caller's
transaction and never commits. So the mail is part of the change that causes
it: a rolled-back change sends nothing, and a committed one is delivered by
`flask deliver-mail` even if the mail server is down right now.

    queue_mail(to_user=owner, subject="...", text="...", html="...",
               kind="round.reminder", dedupe_key=f"round:{r.id}:remind:{owner.id}:{day}")

With a `dedupe_key`, a second call with the same key (in this run or any
later one, in any process) queues nothing: "running twice sends nothing
twice" is that one argument.
"""

from __future__ import annotations

from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..clock import utcnow
from ..database import is_postgresql
from ..extensions import db
from ..models import User
from .models import MailState, OutboxMessage

# Headers the outbox sets itself; a caller's `headers` may not name them.
OWN_HEADERS = frozenset(
    name.lower()
    for name in (
        "From",
        "To",
        "Cc",
        "Bcc",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Language",
        "Auto-Submitted",
    )
)


def _check_header_text(name: str, value: str) -> None:
    # A line break in a header value would let text add headers of its own.
    if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
        raise ValueError(f"mail header {name!r} holds a line break or colon")


def _message_id() -> str:
    """A Message-ID under the sender's domain (RFC 5322 3.6.4)."""
    sender = current_app.config.get("MAIL_FROM") or ""
    domain = sender.rpartition("@")[2].strip(" >") or "tiltagstavlen.invalid"
    return make_msgid(domain=domain)


def queue_mail(
    *,
    to_user: User | None = None,
    to_address: str | None = None,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    kind: str,
    dedupe_key: str | None = None,
) -> int | None:
    """Add one message to the outbox in the current transaction; returns its
    id, or None when nothing was queued: the user is deactivated, has no
    address, or a message with `dedupe_key` exists (or is being queued by a
    concurrent transaction that then commits)."""
    if (to_user is None) == (to_address is None):
        raise ValueError("queue_mail needs exactly one of to_user and to_address")
    if to_user is not None:
        if not to_user.active or not to_user.email:
            return None
        address = to_user.email
    else:
        address = to_address.strip()
    extra = dict(headers or {})
    for name, value in [("To", address), ("Subject", subject), *extra.items()]:
        _check_header_text(name, value)
    clash = OWN_HEADERS.intersection(name.lower() for name in extra)
    if clash:
        raise ValueError(f"queue_mail sets these headers itself: {sorted(clash)}")

    now = utcnow()
    values = {
        "recipient_user_id": to_user.id if to_user is not None else None,
        "recipient_address": address,
        "subject": subject,
        "text_body": text,
        "html_body": html,
        "headers": extra,
        "kind": kind,
        "dedupe_key": dedupe_key,
        "message_id": _message_id(),
        "created_at": now,
        "next_attempt_at": now,
        "state": MailState.PENDING.value,
        "attempts": 0,
    }
    # One INSERT ... ON CONFLICT (dedupe_key) DO NOTHING, on both databases:
    # no exception to catch and no savepoint, and a concurrent transaction
    # with the same key makes this one wait for its outcome (PostgreSQL's
    # unique index; SQLite has one writer at a time) instead of doubling.
    insert = postgresql.insert if is_postgresql(db.session) else sqlite.insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return db.session.execute(statement).scalar_one_or_none()


def is_queued(dedupe_key: str) -> bool:
    """Whether a message with this key is in the outbox (any state)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dedupe_key == dedupe_key)
        )
        > 0
    )
