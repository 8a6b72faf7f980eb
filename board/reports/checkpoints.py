"""Checkpoints of the replayed card state, so a point-in-time report costs
the Events after the newest checkpoint, not the whole log.

A checkpoint is `replay.cards_at(board, cutoff)` stored as JSON with the id
of the newest card Event it includes (`last_event_id`). Replay applies the
Events dated before a cutoff in id order, so for a later cutoff C the state
is the checkpoint with the Events of id > last_event_id dated before C
applied in id order, provided no Event of id <= last_event_id is dated in
[checkpoint cutoff, C): one only a host with a clock far behind, or an
explicitly back-dated write, could make. That case is checked with one
query and falls back to the full replay, so the result is always the full
replay's (tests/test_reports_checkpoints.py compares the two).

Written when a report is published (`save`); deleted when personal data is
removed from the log (`forget`, called by board/privacy); ignored when the
replayed fields change (`FIELDS_KEY`)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, fields
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Event, ReplayCheckpoint
from . import replay
from .replay import CardState

FIELDS_KEY = hashlib.sha256(
    ",".join(f.name for f in fields(CardState)).encode()
    + b"|"
    + ",".join(replay.CARD_KINDS).encode()
).hexdigest()[:32]


def _encode(cards: dict[int, CardState]) -> list[dict]:
    out = []
    for card in cards.values():
        item = asdict(card)
        created, event_id = card.order
        item["order"] = [created.isoformat(), event_id]
        out.append(item)
    return out


def _decode(items: list[dict]) -> dict[int, CardState]:
    cards = {}
    for item in items:
        created, event_id = item["order"]
        cards[item["id"]] = CardState(
            **{**item, "order": (datetime.fromisoformat(created), event_id)}
        )
    return cards


def _newest(board_id: int, cutoff: datetime | None) -> ReplayCheckpoint | None:
    query = sa.select(ReplayCheckpoint).where(
        ReplayCheckpoint.board_id == board_id, ReplayCheckpoint.fields_key == FIELDS_KEY
    )
    if cutoff is not None:
        query = query.where(ReplayCheckpoint.cutoff <= cutoff)
    return db.session.scalar(
        query.order_by(ReplayCheckpoint.cutoff.desc(), ReplayCheckpoint.id.desc()).limit(1)
    )


def _still_valid(point: ReplayCheckpoint, cutoff: datetime | None) -> bool:
    """No Event the checkpoint could have included is dated between its
    cutoff and `cutoff` (None: now)."""
    if cutoff is not None and cutoff <= point.cutoff:
        return True
    query = sa.select(Event.id).where(
        Event.board_id == point.board_id,
        Event.kind.in_(replay.CARD_KINDS),
        Event.id <= point.last_event_id,
        Event.created_at >= point.cutoff,
    )
    if cutoff is not None:
        query = query.where(Event.created_at < cutoff)
    return db.session.scalar(query.limit(1)) is None


def cards_at(board_id: int, cutoff: datetime | None) -> dict[int, CardState]:
    """`replay.cards_at`, from the newest usable checkpoint when there is one."""
    point = _newest(board_id, cutoff)
    if point is None or not _still_valid(point, cutoff):
        return replay.cards_at(board_id, cutoff)
    cards = _decode(point.cards)
    query = replay.card_events_query(board_id, before=cutoff).where(Event.id > point.last_event_id)
    for event in db.session.execute(query):
        replay.apply_card_event(cards, event)
    return cards


def cards_at_and_now(board_id: int, cutoff: datetime) -> tuple[dict, dict]:
    """The cards at `cutoff` and now (`replay.cards_at_and_now`): from the
    checkpoint at or before `cutoff` when one is usable for both."""
    point = _newest(board_id, cutoff)
    if point is None or not _still_valid(point, None):
        then, now, _ = replay.cards_at_and_now(board_id, cutoff)
        return then, now
    then = _decode(point.cards)
    now = None
    query = replay.card_events_query(board_id).where(Event.id > point.last_event_id)
    for event in db.session.execute(query):
        if event.created_at < cutoff:
            replay.apply_card_event(then, event)
            if now is not None:
                replay.apply_card_event(now, event)
            continue
        if now is None:
            now = {iid: replay.clone(card) for iid, card in then.items()}
        replay.apply_card_event(now, event)
    if now is None:
        now = {iid: replay.clone(card) for iid, card in then.items()}
    return then, now


def save(board_id: int, cutoff: datetime) -> ReplayCheckpoint | None:
    """Store the cards at `cutoff` (in the caller's transaction). Nothing is
    stored when no card Event is dated before it."""
    last = db.session.scalar(
        sa.select(sa.func.max(Event.id)).where(
            Event.board_id == board_id,
            Event.kind.in_(replay.CARD_KINDS),
            Event.created_at < cutoff,
        )
    )
    if last is None:
        return None
    cards = cards_at(board_id, cutoff)
    point = ReplayCheckpoint(
        board_id=board_id,
        cutoff=cutoff,
        last_event_id=last,
        fields_key=FIELDS_KEY,
        cards=_encode(cards),
    )
    db.session.add(point)
    return point


def forget(board_id: int) -> None:
    """Delete the board's checkpoints (their texts may be what was removed)."""
    db.session.execute(sa.delete(ReplayCheckpoint).where(ReplayCheckpoint.board_id == board_id))
