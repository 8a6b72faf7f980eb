"""Replaying the Event log: the state of every card and of the board's
structure (themes, objectives) at a moment in the past.

What each kind does to that state is its `replay` entry in
`board/event_kinds.py`. For cards only the log is used: a card's state at
time T is its `initiative.created` snapshot with every later card event
dated before T applied in id order: a board's Events commit one at a time
in id order (under the board's lock), so the id is the true order, while
`created_at` may disagree with it when app hosts' clocks differ. The current rows of the
initiatives table are never read, so editing a card today cannot change what
a past report says.

Themes and objectives have no snapshot, so their state at T is the current
row with the `*.updated` events after T undone; a `*.created` event after T
hides it, a `*.deleted` event before T removes it (deleted ones come back from
their event payload). Their order at T is replayed forwards: the last
`*.reordered` event before T gives the order it names (it lists every item of
its level), and each `*.created` event adds its item at the end, as
`add_theme`/`add_objective` do. Rows without a `created` event (made before
the log recorded structure) stand first, in today's order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..clock import LOCAL_TZ
from ..event_kinds import EVENT_KINDS, Replay, kinds_where
from ..extensions import db
from ..models import Board, Event, Objective, Theme

CARD_KINDS = kinds_where(replay=Replay.NEW_CARD) + kinds_where(replay=Replay.CARD)
STRUCTURE_KINDS = (
    kinds_where(replay=Replay.CREATED)
    + kinds_where(replay=Replay.UPDATED)
    + kinds_where(replay=Replay.REORDERED)
    + kinds_where(replay=Replay.DELETED)
)

# Card fields a report shows or groups by (a subset of events.SNAPSHOT_FIELDS).
CARD_FIELDS = (
    "title",
    "description",
    "timeline",
    "status_note",
    "responsible",
    "owner_id",
    "health",
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
    owner_id: int | None = None
    health: str | None = None  # a models.Health value
    theme_id: int | None = None
    objective_id: int | None = None
    stage: str = "ikke_ivaerksat"
    position: int = 0
    archived: bool = False
    order: tuple = ()  # (created_at, event id): document order of the cards


# What a card event may set: the fields a report shows, and whether it is archived.
_SETTABLE = frozenset(CARD_FIELDS) | {"archived"}
# kind -> (starts a card?, its card_fields), looked up once per event.
_CARD_REPLAY = {
    kind: (EVENT_KINDS[kind].replay is Replay.NEW_CARD, EVENT_KINDS[kind].card_fields)
    for kind in CARD_KINDS
}


def apply_card_event(cards: dict[int, CardState], event) -> None:
    """Apply one card event, a row of `card_events_query`, to `cards` (id ->
    state), in place."""
    # By position: a Row's attribute access costs about a microsecond, five
    # per event of thousands.
    event_id, iid, kind, payload, created_at = event
    if iid is None:  # the card row was deleted: its events no longer say which
        return
    starts, card_fields = _CARD_REPLAY[kind]
    if starts:
        card = CardState(id=iid, order=(created_at, event_id))
        for name, value in card_fields(payload or {}).items():
            if value is not None and name in _SETTABLE:
                setattr(card, name, value)
        cards[iid] = card
        return
    card = cards.get(iid)
    if card is None:  # an event for a card created after the cutoff cannot happen
        return
    state = card.__dict__  # a plain dataclass: its fields are its __dict__
    for name, value in card_fields(payload or {}).items():
        if name in _SETTABLE:
            state[name] = value if value is not None else _empty(name)


def _empty(name: str):
    return None if name in ("theme_id", "objective_id", "owner_id", "health") else ""


# The columns of `card_events_query`, in order: id, initiative_id, kind,
# payload, created_at.
CREATED_AT = 4


def card_events_query(board_id: int, after: datetime | None = None, before: datetime | None = None):
    """Rows (id, initiative_id, kind, payload's JSON text, created_at), not
    ORM objects: a report reads thousands of events. Run it with
    `event_rows`, which decodes the payloads."""
    query = sa.select(
        Event.id,
        Event.initiative_id,
        Event.kind,
        sa.cast(Event.payload, sa.Text),
        Event.created_at,
    ).where(Event.board_id == board_id, Event.kind.in_(CARD_KINDS))
    if after is not None:
        query = query.where(Event.created_at >= after)
    if before is not None:
        query = query.where(Event.created_at < before)
    return query.order_by(Event.id)  # the true order; see the module docstring


def event_rows(query) -> Iterator[tuple]:
    """The rows of a `card_events_query` as tuples (id, initiative_id, kind,
    payload, created_at), the payloads decoded. Through the session's
    connection: Core rows without the ORM's per-row work (a report reads
    thousands). The payloads come as their JSON texts and are decoded in one
    `json.loads` of them all: one decode per payload (the driver's on
    PostgreSQL) was most of the query's time. Pending changes are flushed
    first, as the session's own execute would."""
    session = db.session
    if session.autoflush:
        session.flush()
    rows = session.connection().execute(query).all()
    payloads = json.loads("[" + ",".join(row[3] or "null" for row in rows) + "]")
    for row, payload in zip(rows, payloads, strict=True):
        yield row[0], row[1], row[2], payload, row[4]


def cards_at(board_id: int, cutoff: datetime | None) -> dict[int, CardState]:
    """Every card that existed before `cutoff` (None: now), archived or not."""
    cards: dict[int, CardState] = {}
    for event in event_rows(card_events_query(board_id, before=cutoff)):
        apply_card_event(cards, event)
    return cards


def clone(card: CardState) -> CardState:
    """A copy of a card state (its fields are immutable values); faster than
    dataclasses.replace, which re-runs __init__ for each of 2,000 cards."""
    copy = object.__new__(CardState)
    copy.__dict__.update(card.__dict__)
    return copy


def cards_after_event_and_now(
    board_id: int, after_event_id: int, initiative_ids=None
) -> tuple[dict, dict]:
    """The cards as they were after Event `after_event_id` and now, from one
    pass over the log (a digest: "since the previous one", by the log's own
    order rather than a clock). `initiative_ids` limits it to those cards."""
    cards: dict[int, CardState] = {}
    then: dict[int, CardState] = {}
    query = card_events_query(board_id)
    if initiative_ids is not None:
        query = query.where(Event.initiative_id.in_(sorted(initiative_ids)))
    for event in event_rows(query):
        if event[0] <= after_event_id:  # the id
            apply_card_event(then, event)
        apply_card_event(cards, event)
    return then, cards


def apply_to_both(then: dict, now: dict, event) -> None:
    """Apply a card event dated before the cutoff to `then` and to `now`.
    `now` shares a card's state object with `then` until an event after the
    cutoff changes it (`apply_to_now`), so a shared card is changed once and
    stays shared."""
    iid = event[1]  # initiative_id (see card_events_query)
    shared = now.get(iid) is then.get(iid)
    apply_card_event(then, event)
    if not shared:
        apply_card_event(now, event)
    elif iid in then:
        now[iid] = then[iid]


def apply_to_now(then: dict, now: dict, event) -> None:
    """Apply a card event dated after the cutoff to `now` only: a card it
    changes is copied first if `now` still shares it with `then`."""
    iid = event[1]  # initiative_id (see card_events_query)
    card = now.get(iid)
    if card is not None and card is then.get(iid):
        now[iid] = clone(card)
    apply_card_event(now, event)


def cards_at_and_now(board_id: int, cutoff: datetime) -> tuple[dict, dict, list]:
    """The cards at `cutoff` and now, from one pass over the log; also the card
    events after the cutoff. `now` starts as `then` and shares each card's
    state with it until an Event after the cutoff changes that card (a card
    untouched since is the same object in both: `changes_between` skips it
    without comparing)."""
    then: dict[int, CardState] = {}
    now: dict[int, CardState] = {}
    later: list = []
    for event in event_rows(card_events_query(board_id)):
        # Dated before the cutoff: part of `then`, as in `cards_at`, even when
        # a host with a slow clock dated it before an event with a lower id.
        if event[CREATED_AT] < cutoff:
            apply_to_both(then, now, event)
        else:
            later.append(event)
            apply_to_now(then, now, event)
    return then, now, later


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
            .order_by(Event.id)
        )
    )
    born, gone = _born_and_gone(events, themes, objectives)
    if cutoff is not None:
        _undo_updates_after(cutoff, events, themes, objectives)
        _order_at(cutoff, events, born, themes, objectives)

    def alive(level: str, item_id: int) -> bool:
        if cutoff is None:
            return (level, item_id) not in gone
        start = born.get((level, item_id), board.created_at)
        end = gone.get((level, item_id))
        return start < cutoff and (end is None or end >= cutoff)

    result = {tid: t for tid, t in themes.items() if alive("theme", tid)}
    for objective in sorted(objectives.values(), key=lambda o: (o.position, o.id)):
        if alive("objective", objective.id) and objective.theme_id in result:
            result[objective.theme_id].objectives.append(objective)
    return sorted(result.values(), key=lambda t: (t.position, t.id))


def _key(event: Event) -> tuple[str, int | None]:
    """("theme", id) or ("objective", id): the item a structure event is about."""
    level = event.kind.partition(".")[0]
    return level, (event.payload or {}).get(f"{level}_id")


def _born_and_gone(events, themes: dict, objectives: dict) -> tuple[dict, dict]:
    """When each item was created and deleted (items without a `created`
    event exist since the board does). Deleted items are added to `themes`
    and `objectives` from their event payload."""
    born: dict[tuple[str, int], datetime] = {}
    gone: dict[tuple[str, int], datetime] = {}
    for event in events:
        replay = EVENT_KINDS[event.kind].replay
        key = _key(event)
        if replay is Replay.CREATED:
            born[key] = event.created_at
        elif replay is Replay.DELETED:
            gone[key] = event.created_at
            p = event.payload or {}
            level, item_id = key
            if level == "theme" and item_id not in themes:
                themes[item_id] = ThemeAt(item_id, p.get("title", ""), 10_000 + len(themes))
            if level == "objective" and item_id not in objectives:
                objectives[item_id] = ObjectiveAt(
                    item_id,
                    p.get("theme_id"),
                    p.get("number", ""),
                    p.get("title", ""),
                    10_000 + len(objectives),
                )
    return born, gone


def _undo_updates_after(cutoff: datetime, events, themes: dict, objectives: dict) -> None:
    """Undo, newest first, the field changes made at or after `cutoff`."""
    for event in reversed(events):
        if event.created_at < cutoff:
            continue  # in id order, so dated before the cutoff may come later
        if EVENT_KINDS[event.kind].replay is not Replay.UPDATED:
            continue
        level, item_id = _key(event)
        item = (themes if level == "theme" else objectives).get(item_id)
        for name, change in ((event.payload or {}).get("changes") or {}).items():
            if item is not None and hasattr(item, name) and len(change) == 2:
                setattr(item, name, change[0])


def _order_at(cutoff: datetime, events, born: dict, themes: dict, objectives: dict) -> None:
    """Set each item's `position` to its place at `cutoff`, replaying the
    `created` and `reordered` events before it (see the module docstring)."""
    # One list per level: ("theme", None) for the board's themes,
    # ("objective", theme id) for the objectives of a theme.
    orders: dict[tuple[str, int | None], list[int]] = {}
    for t in sorted(themes.values(), key=lambda t: (t.position, t.id)):
        if ("theme", t.id) not in born:
            orders.setdefault(("theme", None), []).append(t.id)
    for o in sorted(objectives.values(), key=lambda o: (o.position, o.id)):
        if ("objective", o.id) not in born:
            orders.setdefault(("objective", o.theme_id), []).append(o.id)
    for event in events:
        if event.created_at >= cutoff:
            continue
        replay = EVENT_KINDS[event.kind].replay
        p = event.payload or {}
        level, item_id = _key(event)
        scope = (level, p.get("theme_id") if level == "objective" else None)
        order = orders.setdefault(scope, [])
        if replay is Replay.CREATED and item_id not in order:
            order.append(item_id)
        elif replay is Replay.REORDERED:
            named = [i for i in p.get("order") or [] if isinstance(i, int)]
            orders[scope] = named + [i for i in order if i not in named]
    for (level, _), order in orders.items():
        items = themes if level == "theme" else objectives
        for position, item_id in enumerate(order):
            if item_id in items:
                items[item_id].position = position
