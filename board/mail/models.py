"""The outbox: every e-mail the app sends is first a row here, written in the
transaction of the change that causes it (see `outbox.queue_mail`), then
sent by `flask deliver-mail` (see `delivery.py`)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db
from ..models import UTCDateTime


class MailState(enum.StrEnum):
    """Where a message is. `pending` waits for its `next_attempt_at`;
    `sending` is claimed by one deliverer (see `delivery.py`); `sent` was
    accepted by the SMTP server; `failed` was refused for good (a 5xx);
    `cancelled` was not sent because its recipient was deactivated meanwhile."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return MAIL_STATE_LABELS[self]


MAIL_STATE_LABELS = {
    MailState.PENDING: "Venter",
    MailState.SENDING: "Sendes",
    MailState.SENT: "Sendt",
    MailState.FAILED: "Afvist",
    MailState.CANCELLED: "Annulleret",
}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The user it is for (None: an address without an account). Delivery
    # skips it if the user has been deactivated since it was queued.
    recipient_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recipient_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    # Extra headers ({"Name": "value"}), e.g. List-Id; never From/To/Subject.
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # What made it ("round.opened", "round.reminder", ...): for the outbox page.
    kind: Mapped[str] = mapped_column(sa.String(60))
    # Set by callers that must not send the same thing twice (a reminder
    # per round, user and day): a second message with the key is not queued.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    # Made once when queued, so a message sent again after a deliverer
    # crashed mid-send (see delivery.py) carries the same id.
    message_id: Mapped[str] = mapped_column(sa.String(250))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    state: Mapped[str] = mapped_column(sa.String(20), default=MailState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The deliverer holding a `sending` claim, and since when.
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_outbox_messages_state_next_attempt_at", "state", "next_attempt_at"),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name="state_valid"
        ),
    )

    @property
    def state_label(self) -> str:
        return MailState(self.state).label
