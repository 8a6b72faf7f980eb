"""What a live stream sends: Event rows turned into Server-Sent Events.

Each Event becomes one SSE message

    id: <Event id>
    event: change
    data: {"id", "kind", "initiative_id", "actor_id", "actor", "text",
           "scope", "stages", "filter", "card"}

* `text` is the Danish sentence for the screen reader announcer
  ("Lone Leder flyttede «…» til Afsluttet").
* `scope` says what the page must re-read: "card" (the card itself, e.g. a
  new comment), "column" (the columns in `stages` and their counts, plus the
  filter's counts when `filter` is true) or "board" (everything: the board's
  structure changed).
* `card` is the card's state *now* (stage, position, version, archived), so a
  page that already shows it (the tab that made the change) applies nothing.

Payloads never carry comment text; a share link that hides comments never
gets comment events at all (see `stream.py`).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from ..events import FIELD_LABELS, describe_event, stage_label
from ..extensions import db
from ..models import Event, Initiative, User

# Card fields whose change can move the card in or out of a filtered board.
FILTER_FIELDS = {"theme_id", "objective_id"}


# The kinds a board page shows. Administrative events of a board (share
# links, memberships) are not the page's business and are never streamed.
BOARD_KINDS = ("initiative.", "theme.", "objective.", "board.")
COMMENT_KINDS = ("comment.",)


def load_events(board_id: int, after_id: int, *, show_comments: bool, limit: int) -> list[Event]:
    prefixes = BOARD_KINDS + (COMMENT_KINDS if show_comments else ())
    query = (
        sa.select(Event)
        .where(Event.board_id == board_id, Event.id > after_id)
        .where(sa.or_(*(Event.kind.startswith(prefix, autoescape=True) for prefix in prefixes)))
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


def message_data(event: Event, actor_name: str | None, card: dict | None) -> dict:
    scope, stages, with_filter = affected_parts(event, card)
    return {
        "id": event.id,
        "kind": event.kind,
        "initiative_id": event.initiative_id,
        "actor_id": event.actor_id,
        "actor": actor_name,
        "text": announcement(event, actor_name, card),
        "scope": scope,
        "stages": stages,
        "filter": with_filter,
        "card": card,
    }


def affected_parts(event: Event, card: dict | None) -> tuple[str, list[str], bool]:
    p = event.payload or {}
    kind = event.kind
    if kind == "initiative.moved":
        stages = [p.get("from_stage"), p.get("to_stage")]
        return "column", _unique(stages), False
    if kind == "initiative.created":
        return "column", _unique([(p.get("snapshot") or {}).get("stage")]), True
    if kind in ("initiative.archived", "initiative.restored"):
        return "column", _unique([p.get("stage")]), True
    if kind == "initiative.updated":
        if FILTER_FIELDS & set(p.get("changes") or {}):
            return "column", _unique([card and card["stage"]]), True
        return "card", [], False
    if kind.startswith("comment."):
        return "card", [], False
    return "board", [], True


def _unique(stages) -> list[str]:
    out = []
    for stage in stages:
        if stage and stage not in out:
            out.append(stage)
    return out


def announcement(event: Event, actor_name: str | None, card: dict | None) -> str:
    """A Danish sentence about what someone did, for the aria-live announcer."""
    who = actor_name or "Systemet"
    p = event.payload or {}
    title = p.get("title") or (p.get("snapshot") or {}).get("title") or (card or {}).get("title")
    quoted = f"«{title}»" if title else "et tiltag"
    kind = event.kind
    if kind == "initiative.moved":
        if p.get("from_stage") == p.get("to_stage"):
            return f"{who} flyttede {quoted} inden for {stage_label(p.get('to_stage'))}"
        return f"{who} flyttede {quoted} til {stage_label(p.get('to_stage'))}"
    if kind == "initiative.created":
        stage = (p.get("snapshot") or {}).get("stage")
        return f"{who} oprettede {quoted} i {stage_label(stage)}"
    if kind == "initiative.updated":
        fields = [FIELD_LABELS.get(f, f) for f in (p.get("changes") or {})]
        what = ", ".join(fields) if fields else "indholdet"
        return f"{who} ændrede {what} på {quoted}"
    if kind == "initiative.archived":
        return f"{who} arkiverede {quoted}"
    if kind == "initiative.restored":
        return f"{who} gendannede {quoted} til {stage_label(p.get('stage'))}"
    if kind == "comment.added":
        return f"{who} kommenterede {quoted}"
    if kind == "comment.edited":
        return f"{who} redigerede en kommentar til {quoted}"
    if kind == "comment.deleted":
        return f"{who} slettede en kommentar til {quoted}"
    if kind == "comment.redacted":
        return f"En kommentar til {quoted} blev fjernet af hensyn til persondata"
    text = describe_event(event)
    return f"{who}: {text[:1].lower()}{text[1:]}"


def format_sse(event_id: int | None, name: str, data: dict) -> str:
    """One SSE message. JSON has no raw newlines, so `data` is one line."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {name}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"
