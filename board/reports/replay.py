"""Replaying the Event log: the state of every card and of the board's
structure (themes, objectives) at a moment in the past.

Only the Event log contract in `board/events.py` is used for cards: a card's
state at time T is its `initiative.created` snapshot with every `updated`,
`moved`, `archived` and `restored` event before T applied in order. The
current rows of the initiatives table are never read, so editing a card today
cannot change what a past report says.

Themes and objectives are not snapshotted by the demo loader or the importer's
older boards, so their state at T is the current row with the `*.updated`
events after T undone; a `*.created` event after T hides it, a `*.deleted`
event before T removes it (deleted ones come back from their event payload).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..clock import LOCAL_TZ
from ..extensions import db
from ..models import Board, Event, Objective, Theme

CARD_KINDS = (
    "initiative.created",
    "initiative.updated",
    "initiative.moved",
    "initiative.archived",
    "initiative.restored",
)
STRUCTURE_KINDS = (
    "theme.created",
    "theme.updated",
    "theme.deleted",
    "objective.created",
    "objective.updated",
    "objective.deleted",
)

# Card fields a report shows or groups by (a subset of events.SNAPSHOT_FIELDS).
CARD_FIELDS = (
    "title",
    "description",
    "timeline",
    "status_note",
    "responsible",
    "theme_id",
    "objective_id",
    "stage",
    "position",
)


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in Copenhagen time, in UTC: a report
    "pr. 15. marts" includes everything done on the 15th."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


@dataclass
class CardState:
    id: int
    title: str = ""
    description: str = ""
    timeline: str = ""
    status_note: str = ""
    responsible: str = ""
    theme_id: int | None = None
    objective_id: int | None = None
    stage: str = "ikke_ivaerksat"
    position: int = 0
    archived: bool = False
    order: tuple = ()  # (created_at, event id): document order of the cards


def apply_card_event(cards: dict[int, CardState], event: Event) -> None:
    """Apply one card event to `cards` (id -> state), in place."""
    iid = event.initiative_id
    payload = event.payload or {}
    if iid is None:  # the card row was deleted: its events no longer say which
        return
    if event.kind == "initiative.created":
        snap = payload.get("snapshot") or {}
        card = CardState(id=iid, order=(event.created_at, event.id))
        for name in CARD_FIELDS:
            if name in snap and snap[name] is not None:
                setattr(card, name, snap[name])
        cards[iid] = card
        return
    card = cards.get(iid)
    if card is None:  # an event for a card created after the cutoff cannot happen
        return
    if event.kind == "initiative.updated":
        for name, change in (payload.get("changes") or {}).items():
            if name in CARD_FIELDS and isinstance(change, list | tuple) and len(change) == 2:
                setattr(card, name, change[1] if change[1] is not None else _empty(name))
    elif event.kind == "initiative.moved":
        card.stage = payload.get("to_stage") or card.stage
        card.position = payload.get("to_position", card.position)
    elif event.kind == "initiative.archived":
        card.archived = True
    elif event.kind == "initiative.restored":
        card.archived = False
        card.stage = payload.get("stage") or card.stage
        card.position = payload.get("position", card.position)


def _empty(name: str):
    return None if name in ("theme_id", "objective_id") else ""


def card_events_query(board_id: int, after: datetime | None = None, before: datetime | None = None):
    """Plain rows, not ORM objects: a report reads thousands of events."""
    query = sa.select(
        Event.id, Event.initiative_id, Event.kind, Event.payload, Event.created_at
    ).where(Event.board_id == board_id, Event.kind.in_(CARD_KINDS))
    if after is not None:
        query = query.where(Event.created_at >= after)
    if before is not None:
        query = query.where(Event.created_at < before)
    return query.order_by(Event.created_at, Event.id)


def cards_at(board_id: int, cutoff: datetime | None) -> dict[int, CardState]:
    """Every card that existed before `cutoff` (None: now), archived or not."""
    cards: dict[int, CardState] = {}
    for event in db.session.execute(card_events_query(board_id, before=cutoff)):
        apply_card_event(cards, event)
    return cards


def cards_at_and_now(board_id: int, cutoff: datetime) -> tuple[dict, dict, list]:
    """The cards at `cutoff` and now, from one pass over the log; also the card
    events after the cutoff."""
    cards: dict[int, CardState] = {}
    then: dict[int, CardState] | None = None
    later: list[Event] = []
    for event in db.session.execute(card_events_query(board_id)):
        if then is None and event.created_at >= cutoff:
            then = {iid: replace(card) for iid, card in cards.items()}
        if then is not None:
            later.append(event)
        apply_card_event(cards, event)
    if then is None:
        then = {iid: replace(card) for iid, card in cards.items()}
    return then, cards, later


# --------------------------------------------------------------- structure
@dataclass
class ObjectiveAt:
    id: int
    theme_id: int
    number: str
    title: str
    position: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass
class ThemeAt:
    id: int
    title: str
    position: int
    objectives: list[ObjectiveAt] = field(default_factory=list)


def structure_at(board: Board, cutoff: datetime | None) -> list[ThemeAt]:
    """The board's themes and their objectives as they were at `cutoff`
    (None: now), in board order. Three queries."""
    themes = {
        t.id: ThemeAt(t.id, t.title, t.position)
        for t in db.session.scalars(sa.select(Theme).where(Theme.board_id == board.id))
    }
    objectives = {
        o.id: ObjectiveAt(o.id, o.theme_id, o.number, o.title, o.position)
        for o in db.session.scalars(
            sa.select(Objective).join(Theme).where(Theme.board_id == board.id)
        )
    }
    events = list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.board_id == board.id, Event.kind.in_(STRUCTURE_KINDS))
            .order_by(Event.created_at, Event.id)
        )
    )
    # Items without a `created` event exist since the board does.
    born: dict[tuple[str, int], datetime] = {}
    gone: dict[tuple[str, int], datetime] = {}
    for event in events:
        p = event.payload or {}
        kind, _, action = event.kind.partition(".")
        key = (kind, p.get(f"{kind}_id"))
        if action == "created":
            born[key] = event.created_at
        elif action == "deleted":
            gone[key] = event.created_at
            if kind == "theme" and key[1] not in themes:
                themes[key[1]] = ThemeAt(key[1], p.get("title", ""), 10_000 + len(themes))
            if kind == "objective" and key[1] not in objectives:
                objectives[key[1]] = ObjectiveAt(
                    key[1],
                    p.get("theme_id"),
                    p.get("number", ""),
                    p.get("title", ""),
                    10_000 + len(objectives),
                )
    # Undo, newest first, the updates made after the cutoff.
    if cutoff is not None:
        for event in reversed(events):
            if event.created_at < cutoff or not event.kind.endswith(".updated"):
                continue
            p = event.payload or {}
            kind = event.kind.partition(".")[0]
            item = (themes if kind == "theme" else objectives).get(p.get(f"{kind}_id"))
            for name, change in (p.get("changes") or {}).items():
                if item is not None and hasattr(item, name) and len(change) == 2:
                    setattr(item, name, change[0])

    def alive(kind: str, item_id: int) -> bool:
        if cutoff is None:
            return (kind, item_id) not in gone
        start = born.get((kind, item_id), board.created_at)
        end = gone.get((kind, item_id))
        return start < cutoff and (end is None or end >= cutoff)

    result = {tid: t for tid, t in themes.items() if alive("theme", tid)}
    for objective in sorted(objectives.values(), key=lambda o: (o.position, o.id)):
        if alive("objective", objective.id) and objective.theme_id in result:
            result[objective.theme_id].objectives.append(objective)
    return sorted(result.values(), key=lambda t: (t.position, t.id))
