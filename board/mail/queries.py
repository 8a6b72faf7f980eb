"""What the outbox page reads: the newest messages and the count per state,
two queries whatever the size of the outbox."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from .models import MailState, OutboxMessage

LISTING_LIMIT = 200


@dataclass(frozen=True)
class OutboxListing:
    messages: list[OutboxMessage]
    counts: dict[MailState, int]  # every state, 0 included

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def outbox_listing(limit: int = LISTING_LIMIT) -> OutboxListing:
    rows = db.session.execute(
        sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
    ).all()
    found = {MailState(state): count for state, count in rows}
    messages = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    ).all()
    return OutboxListing(list(messages), {state: found.get(state, 0) for state in MailState})
