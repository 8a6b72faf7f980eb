"""The Event log: how changes are recorded, and the queries on the log.

Rules every domain function follows:

* Every change to a card, a comment or the board's structure calls
  `record_event` *before* the transaction commits, so the change and its
  Event commit (or roll back) together.
* Events are never updated or deleted by the application, except that an
  administrator's removal of personal data blanks a value in a card's
  payloads (board/privacy/services.py).
* Payloads never contain comment text (a GDPR redaction must be able to remove
  the text everywhere); they hold ids and the card fields that changed.

The kinds, their payloads, their texts and how each is refreshed and
replayed are one table: `EVENT_KINDS` in `board/event_kinds.py`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from .clock import event_time
from .database import is_postgresql
from .event_kinds import EVENT_KINDS
from .extensions import db
from .locks import lock_board
from .models import Event

# A card's own values (text and its deadline), as the edit form has them.
CARD_VALUE_FIELDS = ("title", "description", "timeline", "status_note", "responsible", "due_date")

# Who owns the card (a user id) and its vurdering (a models.Health value):
# set by the edit form like the values above, held as ids and codes.
CARD_RATING_FIELDS = ("owner_id", "health")

# The card fields an `initiative.created` snapshot holds, and that
# `initiative.updated` may name in its changes.
SNAPSHOT_FIELDS = (
    *CARD_VALUE_FIELDS,
    *CARD_RATING_FIELDS,
    "theme_id",
    "objective_id",
    "related_objective_ids",
    "stage",
    "position",
)

# Sessions keep the events they added so that code running after commit (the
# live feed) can publish them.
PENDING_KEY = "tiltag_pending_events"


def to_json_value(value):
    """Make a model value JSON-safe (dates become ISO strings)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(initiative) -> dict:
    """The fields of a card as stored in an `initiative.created` event."""
    data = {
        field: to_json_value(getattr(initiative, field))
        for field in SNAPSHOT_FIELDS
        if field != "related_objective_ids"
    }
    data["related_objective_ids"] = sorted(o.id for o in initiative.related_objectives)
    return data


def record_event(
    *,
    board_id: int,
    kind: str,
    payload: dict | None = None,
    actor=None,
    initiative_id: int | None = None,
    at: datetime | None = None,
) -> Event:
    """Add an Event to the current transaction (the caller commits).

    `actor` is a User or None (command line, import). The time is the
    database's clock on PostgreSQL (`clock.event_time`); `at` overrides it
    only for loading historical data (demo boards dated to their documents).
    A kind without an entry in `EVENT_KINDS` is a programming error: refused
    here, so it cannot reach the log without its texts and replay.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown Event kind {kind!r}: add it to board/event_kinds.py")
    lock_board(board_id)  # a no-op when the domain function took it first
    event = Event(
        board_id=board_id,
        initiative_id=initiative_id,
        actor_id=getattr(actor, "id", None),
        kind=kind,
        payload=payload or {},
        created_at=event_time(at, database_clock=is_postgresql()),
    )
    db.session.add(event)
    db.session.info.setdefault(PENDING_KEY, []).append(event)
    return event


def latest_event_id(board_id: int) -> int:
    """The id of the board's newest Event (0 for none): where a live page
    starts following the log."""
    return (
        db.session.execute(
            sa.select(sa.func.max(Event.id)).where(Event.board_id == board_id)
        ).scalar()
        or 0
    )
