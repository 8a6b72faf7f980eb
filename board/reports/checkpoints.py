"""Checkpoints of the replayed card state, so a point-in-time report costs
the Events after the newest checkpoint, not the whole log.

A checkpoint is `replay.cards_at(board, cutoff)` stored as JSON with the id
of the newest card Event it includes (`last_event_id`). Replay applies the
Events dated before a cutoff in id order, so for a later cutoff C the state
is the checkpoint with the Events of id > last_event_id dated before C
applied in id order, provided no Event of id <= last_event_id is dated in
[checkpoint cutoff, C): one only a host with a clock far behind, or an
explicitly back-dated write, could make. That case is checked in the
query that reads the checkpoint and falls back to the full replay, so the
result is always the full replay's (tests/test_reports_checkpoints.py
compares the two).

Written when a report is published (`save`); deleted when personal data is
removed from the log (`forget`, called by board/privacy); ignored when the
replayed fields change (`FIELDS_KEY`)."""

from __future__ import annotations

import hashlib
from dataclasses import fields
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


# A card is stored as a list of its fields in this order, `order` as its two
# parts at the end: [id, title, ..., archived, created_at ISO, event id]. A
# list decodes faster than an object with named keys (no key strings, fewer
# containers for the garbage collector) and FIELDS_KEY changes with the order.
_NAMES = tuple(f.name for f in fields(CardState) if f.name != "order")


def _encode(cards: dict[int, CardState]) -> list[list]:
    out = []
    for card in cards.values():
        state = card.__dict__
        created, event_id = card.order
        out.append([state[name] for name in _NAMES] + [created.isoformat(), event_id])
    return out


def _decode(items: list) -> dict[int, CardState]:
    if items and isinstance(items[0], dict):
        return _decode_named(items)
    cards = {}
    new, names, parse = object.__new__, _NAMES, datetime.fromisoformat
    for item in items:
        # As replay.clone does: no __init__ per card.
        card = new(CardState)
        state = dict(zip(names, item, strict=False))  # the two parts of `order` follow
        state["order"] = (parse(item[-2]), item[-1])
        card.__dict__ = state
        cards[item[0]] = card
    return cards


def _decode_named(items: list[dict]) -> dict[int, CardState]:
    """Checkpoints written before the list form: one object per card."""
    cards = {}
    for item in items:
        created, event_id = item["order"]
        cards[item["id"]] = CardState(
            **{**item, "order": (datetime.fromisoformat(created), event_id)}
        )
    return cards


def _stale_events(board_id, last_event_id, point_cutoff, cutoff: datetime | None):
    """The card Events a checkpoint could have included (id at most its
    `last_event_id`) dated between its cutoff and `cutoff` (None: now). The
    arguments are values or, correlated, the checkpoint's columns."""
    query = sa.select(Event.id).where(
        Event.board_id == board_id,
        Event.kind.in_(replay.CARD_KINDS),
        Event.id <= last_event_id,
        Event.created_at >= point_cutoff,
    )
    if cutoff is not None:
        query = query.where(Event.created_at < cutoff)
    return query


def _newest(board_id: int, cutoff: datetime | None, valid_until: datetime | None):
    """The newest checkpoint at or before `cutoff` (None: any) as a row of
    (last_event_id, cards, stale), in one query: `stale` when an Event it
    could have included is dated between its cutoff and `valid_until`
    (None: now), when it is not usable (see the module docstring)."""
    point = ReplayCheckpoint
    stale = _stale_events(point.board_id, point.last_event_id, point.cutoff, valid_until)
    query = sa.select(point.last_event_id, point.cards, stale.exists().label("stale")).where(
        point.board_id == board_id, point.fields_key == FIELDS_KEY
    )
    if cutoff is not None:
        query = query.where(point.cutoff <= cutoff)
    return db.session.execute(query.order_by(point.cutoff.desc(), point.id.desc()).limit(1)).first()


def _still_valid(point: ReplayCheckpoint, cutoff: datetime | None) -> bool:
    """No Event the checkpoint could have included is dated between its
    cutoff and `cutoff` (None: now)."""
    if cutoff is not None and cutoff <= point.cutoff:
        return True
    query = _stale_events(point.board_id, point.last_event_id, point.cutoff, cutoff)
    return db.session.scalar(query.limit(1)) is None


def cards_at(board_id: int, cutoff: datetime | None) -> dict[int, CardState]:
    """`replay.cards_at`, from the newest usable checkpoint when there is one.
    Two queries: the checkpoint (with its validity check), the Events after it."""
    point = _newest(board_id, cutoff, cutoff)
    if point is None or point.stale:
        return replay.cards_at(board_id, cutoff)
    cards = _decode(point.cards)
    query = replay.card_events_query(board_id, before=cutoff).where(Event.id > point.last_event_id)
    for event in replay.event_rows(query):
        replay.apply_card_event(cards, event)
    return cards


def cards_at_and_now(board_id: int, cutoff: datetime) -> tuple[dict, dict]:
    """The cards at `cutoff` and now (`replay.cards_at_and_now`): from the
    checkpoint at or before `cutoff` when one is usable for both. Two
    queries; only the Events after the checkpoint are read, and a card none
    of them changes is one state object shared by `then` and `now`."""
    point = _newest(board_id, cutoff, None)
    if point is None or point.stale:
        then, now, _ = replay.cards_at_and_now(board_id, cutoff)
        return then, now
    then = _decode(point.cards)
    now = dict(then)
    query = replay.card_events_query(board_id).where(Event.id > point.last_event_id)
    for event in replay.event_rows(query):
        if event[replay.CREATED_AT] < cutoff:
            replay.apply_to_both(then, now, event)
        else:
            replay.apply_to_now(then, now, event)
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
