"""What a live stream sends: Event rows turned into Server-Sent Events.

Each Event becomes one SSE message

    id: <Event id>
    event: change
    data: {"id", "kind", "initiative_id", "actor_id", "actor", "text",
           "change", "scope", "stages", "filter", "card"}

* `text` is the Danish sentence for the screen reader announcer
  ("Lone Leder flyttede «…» til Afsluttet").
* `change` is the short note shown on the card itself while it is
  highlighted ("Flyttet af Lone Leder"), or null for events that leave no
  card to mark (an archived card, the board's structure).
* `scope` says what the page must re-read: "card" (the card itself, e.g. a
  new comment), "column" (the columns in `stages` and their counts, plus the
  filter's counts when `filter` is true) or "board" (everything: the board's
  structure changed).
* `card` is the card's state *now* (stage, position, version, archived), so a
  page that already shows it (the tab that made the change) applies nothing.

What each kind announces and re-reads, and which pages get it at all, is
its entry in `board/event_kinds.py`. Payloads never carry comment text; a
share link that hides comments never gets comment events at all (see
`stream.py`).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from ..event_kinds import Audience, kind_of, kinds_where
from ..extensions import db
from ..models import Event, Initiative, User

# The kinds a board page is sent (e.g. not `report.published`: publishing a
# report changes nothing on the board).
BOARD_KINDS = kinds_where(audience=Audience.BOARD)
COMMENT_KINDS = kinds_where(audience=Audience.COMMENTS)
# Sent only to meeting pages (their stream asks with `moede=1`).
MEETING_KINDS = kinds_where(audience=Audience.MEETING)


def load_events(
    board_id: int, after_id: int, *, show_comments: bool, limit: int, meetings: bool = False
) -> list[Event]:
    kinds = BOARD_KINDS + (COMMENT_KINDS if show_comments else ())
    kinds += MEETING_KINDS if meetings else ()
    query = (
        sa.select(Event)
        .where(Event.board_id == board_id, Event.id > after_id, Event.kind.in_(kinds))
        .order_by(Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def build_messages(events: list[Event]) -> list[tuple[int, dict]]:
    """(event id, message data) for each event: two queries for any number."""
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    card_ids = {e.initiative_id for e in events if e.initiative_id is not None}
    names = {}
    if actor_ids:
        rows = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(actor_ids)))
        names = dict(rows.all())
    cards = {}
    if card_ids:
        for row in db.session.execute(
            sa.select(
                Initiative.id,
                Initiative.title,
                Initiative.stage,
                Initiative.position,
                Initiative.version,
                Initiative.archived_at,
            ).where(Initiative.id.in_(card_ids))
        ):
            cards[row.id] = {
                "id": row.id,
                "title": row.title,
                "stage": row.stage,
                "position": row.position,
                "version": row.version,
                "archived": row.archived_at is not None,
            }
    return [
        (e.id, message_data(e, names.get(e.actor_id), cards.get(e.initiative_id))) for e in events
    ]


# The note on a card that someone else changed (live.js highlights the card
# for a few seconds with it): what happened, then "af <name>".
CHANGE_NOTES = {
    "initiative.created": "Oprettet af",
    "initiative.updated": "Ændret af",
    "initiative.moved": "Flyttet af",
    "initiative.restored": "Gendannet af",
    "initiative.redacted": "Ændret af",
    "comment.added": "Ny kommentar fra",
    "comment.edited": "Kommentar rettet af",
    "comment.deleted": "Kommentar slettet af",
    "comment.redacted": "Kommentar fjernet af",
}


def change_note(event: Event, actor_name: str | None) -> str | None:
    prefix = CHANGE_NOTES.get(event.kind)
    if prefix is None or event.initiative_id is None:
        return None
    return f"{prefix} {actor_name or 'systemet'}"


def message_data(event: Event, actor_name: str | None, card: dict | None) -> dict:
    scope, stages, with_filter = affected_parts(event, card)
    return {
        "id": event.id,
        "kind": event.kind,
        "initiative_id": event.initiative_id,
        "actor_id": event.actor_id,
        "actor": actor_name,
        "text": announcement(event, actor_name, card),
        "change": change_note(event, actor_name),
        "scope": scope,
        "stages": stages,
        "filter": with_filter,
        "card": card,
        "meeting_id": (event.payload or {}).get("meeting_id"),
        # The item a meeting's screen moved to (static/js/meeting.js: a page
        # that shows it already, the stepping leader's, need not re-read it
        # over a decision being typed).
        "meeting_position": (event.payload or {}).get("position")
        if event.kind == "meeting.current"
        else None,
    }


def affected_parts(event: Event, card: dict | None) -> tuple[str, list[str], bool]:
    """(scope, stages, filter): what a page re-reads after the event."""
    return kind_of(event.kind).refresh(event.payload or {}, card)


def announcement(event: Event, actor_name: str | None, card: dict | None) -> str:
    """A Danish sentence about what someone did, for the aria-live announcer."""
    who = actor_name or "Systemet"
    p = event.payload or {}
    title = p.get("title") or (p.get("snapshot") or {}).get("title") or (card or {}).get("title")
    quoted = f"«{title}»" if title else "et tiltag"
    return kind_of(event.kind).announce(who, quoted, p)


def format_sse(event_id: int | None, name: str, data: dict) -> str:
    """One SSE message. JSON has no raw newlines, so `data` is one line."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {name}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"
