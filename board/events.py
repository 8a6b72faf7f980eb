"""The Event log: how changes are recorded and described.

Rules every domain function follows:

* Every change to a card, a comment or the board's structure calls
  `record_event` *before* the transaction commits, so the change and its
  Event commit (or roll back) together.
* Events are never updated or deleted by the application.
* Payloads never contain comment text (a GDPR redaction must be able to remove
  the text everywhere); they hold ids and the card fields that changed.

Event kinds and their payloads (all JSON):

=====================  ==========================================================
kind                   payload
=====================  ==========================================================
board.created          {"title"} (+ "source": "import" for an imported board)
board.updated          {"changes": {field: [before, after]}}
theme.created          {"theme_id", "title", "position"}
theme.updated          {"theme_id", "changes": {field: [before, after]}}
theme.reordered        {"order": [theme_id, ...]}
theme.deleted          {"theme_id", "title"}
objective.created      {"objective_id", "theme_id", "number", "title", "position"}
objective.updated      {"objective_id", "changes": {field: [before, after]}}
objective.reordered    {"theme_id", "order": [objective_id, ...]}
objective.deleted      {"objective_id", "theme_id", "number", "title"}
initiative.created     {"snapshot": {field: value for SNAPSHOT_FIELDS}}
initiative.updated     {"changes": {field: [before, after]}}  (never "stage")
initiative.moved       {"title", "from_stage", "from_position", "to_stage", "to_position"}
initiative.archived    {"title", "stage", "position"}
initiative.restored    {"title", "stage", "position"}
comment.added          {"comment_id"}
comment.edited         {"comment_id"}
comment.deleted        {"comment_id"}
comment.redacted       {"comment_id", "reason"}
report.published       {"report_id", "title", "as_of"}  (a frozen status report)
=====================  ==========================================================

A stage change is always an `initiative.moved` event, so "where was this card
on date D" needs only `created`, `moved`, `updated`, `archived`, `restored`.
Dates in payloads are ISO strings; ids are integers.
"""

from __future__ import annotations

from datetime import date, datetime

from .extensions import db
from .locks import lock_board
from .models import STAGE_LABELS, Event, Stage, utcnow

# The card fields an `initiative.created` snapshot holds, and that
# `initiative.updated` may name in its changes.
SNAPSHOT_FIELDS = (
    "title",
    "description",
    "timeline",
    "status_note",
    "responsible",
    "due_date",
    "theme_id",
    "objective_id",
    "related_objective_ids",
    "stage",
    "position",
)

FIELD_LABELS = {
    "title": "titel",
    "description": "beskrivelse",
    "timeline": "iværksættelse",
    "status_note": "status",
    "responsible": "ansvarlig",
    "due_date": "frist",
    "theme_id": "pejlemærke",
    "objective_id": "målsætning",
    "related_objective_ids": "relaterede målsætninger",
    "stage": "kolonne",
    "position": "placering",
}

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

    `actor` is a User or None (command line, import). `at` overrides the time
    only for loading historical data (demo boards dated to their documents).
    """
    lock_board(board_id)  # a no-op when the domain function took it first
    event = Event(
        board_id=board_id,
        initiative_id=initiative_id,
        actor_id=getattr(actor, "id", None),
        kind=kind,
        payload=payload or {},
        created_at=at or utcnow(),
    )
    db.session.add(event)
    db.session.info.setdefault(PENDING_KEY, []).append(event)
    return event


def stage_label(value: str | None) -> str:
    if not value:
        return "?"
    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return value


def describe_event(event: Event, names: dict | None = None) -> str:
    """A short Danish sentence for the card history and the live announcer.

    `names` maps ("theme", id) / ("objective", id) to display names, so that a
    history can show "pejlemærke: A → B" without a query per event.
    """
    names = names or {}
    p = event.payload or {}
    kind = event.kind
    if kind == "initiative.created":
        return f"Oprettet i {stage_label(p.get('snapshot', {}).get('stage'))}"
    if kind == "initiative.moved":
        if p.get("from_stage") == p.get("to_stage"):
            return (
                f"Flyttet inden for {stage_label(p.get('to_stage'))} "
                f"(plads {p.get('from_position', 0) + 1} → {p.get('to_position', 0) + 1})"
            )
        return (
            f"Flyttet fra {stage_label(p.get('from_stage'))} til {stage_label(p.get('to_stage'))}"
        )
    if kind == "initiative.updated":
        fields = [FIELD_LABELS.get(f, f) for f in (p.get("changes") or {})]
        return "Ændrede " + ", ".join(fields) if fields else "Ændret"
    if kind == "initiative.archived":
        return "Arkiveret"
    if kind == "initiative.restored":
        return f"Gendannet til {stage_label(p.get('stage'))}"
    if kind == "comment.added":
        return "Skrev en kommentar"
    if kind == "comment.edited":
        return "Redigerede en kommentar"
    if kind == "comment.deleted":
        return "Slettede en kommentar"
    if kind == "comment.redacted":
        reason = p.get("reason") or ""
        return "Kommentar fjernet af hensyn til persondata" + (f" ({reason})" if reason else "")
    if kind.startswith("theme."):
        return {
            "theme.created": "Oprettede tema «{title}»",
            "theme.updated": "Ændrede tema",
            "theme.reordered": "Ændrede rækkefølgen af temaer",
            "theme.deleted": "Slettede tema «{title}»",
        }.get(kind, kind).format(title=p.get("title", ""))
    if kind.startswith("objective."):
        return {
            "objective.created": "Oprettede målsætning {number} {title}",
            "objective.updated": "Ændrede målsætning",
            "objective.reordered": "Ændrede rækkefølgen af målsætninger",
            "objective.deleted": "Slettede målsætning {number} {title}",
        }.get(kind, kind).format(number=p.get("number", ""), title=p.get("title", ""))
    if kind == "report.published":
        return f"Publicerede rapporten «{p.get('title', '')}»"
    if kind == "board.created":
        return "Tavlen blev oprettet"
    if kind == "board.updated":
        return "Tavlens indstillinger blev ændret"
    return kind


def field_change_rows(event: Event, names: dict | None = None) -> list[tuple[str, str, str]]:
    """(field label, before, after) rows of an `initiative.updated` event, for
    the card history. Theme and objective ids are shown by name."""
    names = names or {}
    rows = []
    for field, (before, after) in (event.payload.get("changes") or {}).items():
        rows.append(
            (
                FIELD_LABELS.get(field, field),
                _display_value(field, before, names),
                _display_value(field, after, names),
            )
        )
    return rows


def _display_value(field: str, value, names: dict) -> str:
    if value in (None, "", []):
        return "–"
    if field == "theme_id":
        return names.get(("theme", value), f"#{value}")
    if field == "objective_id":
        return names.get(("objective", value), f"#{value}")
    if field == "related_objective_ids":
        return ", ".join(names.get(("objective", v), f"#{v}") for v in value)
    if field == "stage":
        return stage_label(value)
    return str(value)
