"""The Event kinds: one entry per kind, holding everything the application
does with an Event of that kind.

`EVENT_KINDS` maps each kind that domain code records to its `EventKind`:

* `payload`: what its JSON payload holds (the contract replay relies on);
* `history`: the Danish sentence of the card history (`describe_event`);
* `live`: the sentence a live board page announces when someone did it
  (`announce`), or None for "<who>: <the history sentence>";
* `refresh`: what an open board page re-reads (`refresh_scope`);
* `audience`: which live pages are sent it at all;
* `replay`: how a report for a past date applies it (`board/reports/replay.py`),
  with `card_fields` for the kinds that change a card;
* `own`: the sentence the actor's own page announces, for the one change
  whose result the actor cannot see at once (a move in a column).

Adding a kind is adding its entry here; `record_event` refuses a kind
without one, and `tests/test_event_kinds.py` checks that every kind recorded
in `board/` has one and that each entry answers for a real Event.

Payload rules: ids are integers, dates ISO strings, and comment text is never
in a payload (a GDPR redaction must be able to remove the text everywhere).
A stage change is always an `initiative.moved` event, so "where was this card
on date D" needs only the card kinds whose `replay` is CARD or NEW_CARD.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from .formatting import danish_date
from .models import STAGE_LABELS, Stage, health_label

FIELD_LABELS = {
    "title": "titel",
    "description": "beskrivelse",
    "timeline": "iværksættelse",
    "status_note": "status",
    "responsible": "ansvarlig",
    "due_date": "frist",
    "owner_id": "ansvarlig person",
    "health": "vurdering",
    "theme_id": "pejlemærke",
    "objective_id": "målsætning",
    "related_objective_ids": "relaterede målsætninger",
    "stage": "kolonne",
    "position": "placering",
}

# Card fields whose change can move the card in or out of a filtered board.
FILTER_FIELDS = {"theme_id", "objective_id"}


def stage_label(value: str | None) -> str:
    if not value:
        return "?"
    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return value


class Audience(Enum):
    """Which live board pages are sent an Event of the kind."""

    BOARD = "board"  # every page that shows the board
    COMMENTS = "comments"  # only pages that show comments (not every share link)
    NONE = "none"  # no page: not the board page's business
    MEETING = "meeting"  # only meeting pages (board/meetings): who is on the screen


class Replay(Enum):
    """How replaying the log to a past moment applies an Event of the kind."""

    NONE = "none"  # not part of a past state
    NEW_CARD = "new_card"  # starts a card with `card_fields(payload)`
    CARD = "card"  # sets a card's `card_fields(payload)`
    CREATED = "created"  # a theme/objective exists from then on
    UPDATED = "updated"  # a theme/objective's fields: {"changes": {field: [before, after]}}
    REORDERED = "reordered"  # the order of the board's themes / a theme's objectives
    DELETED = "deleted"  # a theme/objective is gone from then on


# What a live page re-reads: "card" (the card itself), "column" (the columns
# in `stages` and their counts, plus the filter's counts when the flag is
# true) or "board" (everything: the board's structure changed).
Refresh = tuple[str, list[str], bool]


@dataclass(frozen=True)
class EventKind:
    kind: str
    payload: str
    history: Callable[[dict], str]
    live: Callable[[str, str, dict], str] | None  # (who, «title», payload)
    refresh: Callable[[dict, dict | None], Refresh]  # (payload, card now)
    audience: Audience
    replay: Replay
    card_fields: Callable[[dict], dict] | None = None
    own: Callable[[dict, int], str] | None = None  # (payload, visible position)

    def announce(self, who: str, quoted: str, payload: dict) -> str:
        if self.live is not None:
            return self.live(who, quoted, payload)
        text = self.history(payload)
        return f"{who}: {text[:1].lower()}{text[1:]}"


# --------------------------------------------------------------- the parts
def _columns(*stages, with_filter: bool) -> Refresh:
    out = []
    for stage in stages:
        if stage and stage not in out:
            out.append(stage)
    return "column", out, with_filter


def _the_card(p: dict, card: dict | None) -> Refresh:
    return "card", [], False


def _the_board(p: dict, card: dict | None) -> Refresh:
    return "board", [], True


def _changed_labels(p: dict) -> list[str]:
    return [FIELD_LABELS.get(f, f) for f in (p.get("changes") or {})]


def _text(sentence: str) -> Callable[[dict], str]:
    return lambda p: sentence


# --------------------------------------------------------------- initiatives
def _created_stage(p: dict) -> str | None:
    return (p.get("snapshot") or {}).get("stage")


def _moved_history(p: dict) -> str:
    if p.get("from_stage") == p.get("to_stage"):
        return (
            f"Flyttet inden for {stage_label(p.get('to_stage'))} "
            f"(plads {p.get('from_position', 0) + 1} → {p.get('to_position', 0) + 1})"
        )
    return f"Flyttet fra {stage_label(p.get('from_stage'))} til {stage_label(p.get('to_stage'))}"


def _moved_live(who: str, quoted: str, p: dict) -> str:
    if p.get("from_stage") == p.get("to_stage"):
        return f"{who} flyttede {quoted} inden for {stage_label(p.get('to_stage'))}"
    return f"{who} flyttede {quoted} til {stage_label(p.get('to_stage'))}"


def _moved_own(p: dict, visible_position: int) -> str:
    label = stage_label(p.get("to_stage"))
    if p.get("from_stage") == p.get("to_stage"):
        return f"«{p.get('title')}» flyttet til plads {visible_position + 1} i {label}"
    return f"«{p.get('title')}» flyttet til {label}"


def _placed(p: dict, stage_key: str, position_key: str, **fields) -> dict:
    """The column and place a payload puts a card at (what replay applies)."""
    if p.get(stage_key):
        fields["stage"] = p[stage_key]
    if position_key in p:
        fields["position"] = p[position_key]
    return fields


def _moved_fields(p: dict) -> dict:
    return _placed(p, "to_stage", "to_position")


def _updated_history(p: dict) -> str:
    fields = _changed_labels(p)
    return "Ændrede " + ", ".join(fields) if fields else "Ændret"


def _updated_live(who: str, quoted: str, p: dict) -> str:
    what = ", ".join(_changed_labels(p)) or "indholdet"
    return f"{who} ændrede {what} på {quoted}"


def _updated_refresh(p: dict, card: dict | None) -> Refresh:
    if FILTER_FIELDS & set(p.get("changes") or {}):
        return _columns(card and card["stage"], with_filter=True)
    return _the_card(p, card)


def _updated_fields(p: dict) -> dict:
    return {
        name: change[1]
        for name, change in (p.get("changes") or {}).items()
        if isinstance(change, list | tuple) and len(change) == 2
    }


def _restored_fields(p: dict) -> dict:
    return _placed(p, "stage", "position", archived=False)


def _redacted_history(p: dict) -> str:
    reason = p.get("reason") or ""
    return "Kommentar fjernet af hensyn til persondata" + (f" ({reason})" if reason else "")


def _initiative_redacted_history(p: dict) -> str:
    label = FIELD_LABELS.get(p.get("field", ""), p.get("field", ""))
    reason = p.get("reason") or ""
    return f"Persondata fjernet fra {label}" + (f" ({reason})" if reason else "")


def _board_level(kind: str, payload: str, history, replay: Replay) -> EventKind:
    """A kind of the board itself or its structure: no live sentence of its
    own (the announcer says the history text), the whole board re-read,
    sent to every viewer. `history` is a text or a function of the payload."""
    history = _text(history) if isinstance(history, str) else history
    return EventKind(kind, payload, history, None, _the_board, Audience.BOARD, replay)


def _comment_kind(kind: str, payload: str, history, live) -> EventKind:
    """A comment kind: the card re-read, sent only to those shown comments,
    nothing for replay (payloads never hold the text)."""
    history = _text(history) if isinstance(history, str) else history
    return EventKind(kind, payload, history, live, _the_card, Audience.COMMENTS, Replay.NONE)


def _card_kind(kind: str, **fields) -> EventKind:
    """A kind about one card: sent to every viewer of the board."""
    return EventKind(kind, audience=Audience.BOARD, **fields)


def _meeting_kind(kind: str, payload: str, history) -> EventKind:
    """A kind of a meeting itself (its agenda, the item on the screen): sent
    only to meeting pages, which re-read what they show."""
    return EventKind(kind, payload, history, None, _the_board, Audience.MEETING, Replay.NONE)


def _meeting_day(p: dict) -> str:
    try:
        return danish_date(date.fromisoformat(p.get("held_on") or ""))
    except ValueError:
        return ""


def _decided_history(p: dict) -> str:
    return (
        f"Besluttet på mødet «{p.get('meeting_title', '')}» {_meeting_day(p)}: "
        f"{p.get('decision', '')}"
    )


def _action_history(p: dict) -> str:
    text = f"Handlingspunkt: {p.get('text', '')}"
    try:
        deadline = date.fromisoformat(p.get("deadline") or "")
    except ValueError:
        return text
    return f"{text} (frist {danish_date(deadline)})"


CHANGES = "{field: [before, after]}"

_KINDS = (
    # ----------------------------------------------------------- the board
    _board_level(
        "board.created",
        '{"title"} (+ "source": "import" for an imported board)',
        "Tavlen blev oprettet",
        Replay.NONE,
    ),
    _board_level(
        "board.updated",
        f'{{"changes": {CHANGES}}}',
        "Tavlens indstillinger blev ændret",
        Replay.NONE,
    ),
    # ----------------------------------------------------------- structure
    _board_level(
        "theme.created",
        '{"theme_id", "title", "position"}',
        lambda p: f"Oprettede tema «{p.get('title', '')}»",
        Replay.CREATED,
    ),
    _board_level(
        "theme.updated", f'{{"theme_id", "changes": {CHANGES}}}', "Ændrede tema", Replay.UPDATED
    ),
    _board_level(
        "theme.reordered",
        '{"order": [theme_id, ...]} (the order after the change)',
        "Ændrede rækkefølgen af temaer",
        Replay.REORDERED,
    ),
    _board_level(
        "theme.deleted",
        '{"theme_id", "title"}',
        lambda p: f"Slettede tema «{p.get('title', '')}»",
        Replay.DELETED,
    ),
    _board_level(
        "objective.created",
        '{"objective_id", "theme_id", "number", "title", "position"}',
        lambda p: f"Oprettede målsætning {p.get('number', '')} {p.get('title', '')}",
        Replay.CREATED,
    ),
    _board_level(
        "objective.updated",
        f'{{"objective_id", "changes": {CHANGES}}}',
        "Ændrede målsætning",
        Replay.UPDATED,
    ),
    _board_level(
        "objective.reordered",
        '{"theme_id", "order": [objective_id, ...]} (the order after the change)',
        "Ændrede rækkefølgen af målsætninger",
        Replay.REORDERED,
    ),
    _board_level(
        "objective.deleted",
        '{"objective_id", "theme_id", "number", "title"}',
        lambda p: f"Slettede målsætning {p.get('number', '')} {p.get('title', '')}",
        Replay.DELETED,
    ),
    # ----------------------------------------------------------- cards
    _card_kind(
        "initiative.created",
        payload='{"snapshot": {field: value for events.SNAPSHOT_FIELDS}}',
        history=lambda p: f"Oprettet i {stage_label(_created_stage(p))}",
        live=lambda who, quoted, p: f"{who} oprettede {quoted} i {stage_label(_created_stage(p))}",
        refresh=lambda p, card: _columns(_created_stage(p), with_filter=True),
        replay=Replay.NEW_CARD,
        card_fields=lambda p: p.get("snapshot") or {},
    ),
    _card_kind(
        "initiative.updated",
        payload='{"changes": {field: [before, after]}} (never "stage")',
        history=_updated_history,
        live=_updated_live,
        refresh=_updated_refresh,
        replay=Replay.CARD,
        card_fields=_updated_fields,
    ),
    _card_kind(
        "initiative.moved",
        payload='{"title", "from_stage", "from_position", "to_stage", "to_position"}',
        history=_moved_history,
        live=_moved_live,
        refresh=lambda p, card: _columns(p.get("from_stage"), p.get("to_stage"), with_filter=False),
        replay=Replay.CARD,
        card_fields=_moved_fields,
        own=_moved_own,
    ),
    _card_kind(
        "initiative.archived",
        payload='{"title", "stage", "position"}',
        history=_text("Arkiveret"),
        live=lambda who, quoted, p: f"{who} arkiverede {quoted}",
        refresh=lambda p, card: _columns(p.get("stage"), with_filter=True),
        replay=Replay.CARD,
        card_fields=lambda p: {"archived": True},
    ),
    _card_kind(
        "initiative.restored",
        payload='{"title", "stage", "position"}',
        history=lambda p: f"Gendannet til {stage_label(p.get('stage'))}",
        live=lambda who, quoted, p: f"{who} gendannede {quoted} til {stage_label(p.get('stage'))}",
        refresh=lambda p, card: _columns(p.get("stage"), with_filter=True),
        replay=Replay.CARD,
        card_fields=_restored_fields,
    ),
    _card_kind(
        # The one kind recorded by rewriting others: board/privacy/services.py
        # blanks the value in this card's earlier payloads, and this Event says
        # who did it, when and why. It never holds the removed text.
        "initiative.redacted",
        payload='{"field", "reason", "events": n, "reports": n} (never the text)',
        history=_initiative_redacted_history,
        live=lambda who, quoted, p: f"{who} fjernede persondata fra {quoted}",
        refresh=_the_card,
        replay=Replay.NONE,
    ),
    # ----------------------------------------------------------- comments
    _comment_kind(
        "comment.added",
        '{"comment_id"}',
        "Skrev en kommentar",
        lambda who, quoted, p: f"{who} kommenterede {quoted}",
    ),
    _comment_kind(
        "comment.edited",
        '{"comment_id"}',
        "Redigerede en kommentar",
        lambda who, quoted, p: f"{who} redigerede en kommentar til {quoted}",
    ),
    _comment_kind(
        "comment.deleted",
        '{"comment_id"}',
        "Slettede en kommentar",
        lambda who, quoted, p: f"{who} slettede en kommentar til {quoted}",
    ),
    _comment_kind(
        "comment.redacted",
        '{"comment_id", "reason"}',
        _redacted_history,
        lambda who, quoted, p: f"En kommentar til {quoted} blev fjernet af hensyn til persondata",
    ),
    # ----------------------------------------------------------- status rounds
    # (board/rounds). Opening and closing change every card's "Mangler
    # status til …" (the board is re-read); a completed part re-reads its card
    # (its text and vurdering arrive as the card's own initiative.updated) and
    # the round page's progress. Payloads hold no round text (the card's own
    # Events do, where a removal of personal data finds it).
    _board_level(
        "round.opened",
        '{"round_id", "title", "status_date", "deadline", "items": n}',
        lambda p: f"Åbnede statusrunden «{p.get('title', '')}»",
        Replay.NONE,
    ),
    _card_kind(
        "round.item_completed",
        payload='{"round_id", "round_title", "item_id", "health", "stage"}',
        history=lambda p: f"Gav status til runden «{p.get('round_title', '')}»",
        live=lambda who, quoted, p: (
            f"{who} gav status til runden «{p.get('round_title', '')}» for {quoted}"
        ),
        refresh=_the_card,
        replay=Replay.NONE,
    ),
    EventKind(
        "round.reminded",
        payload='{"round_id", "title", "recipients": n}',
        history=lambda p: f"Sendte påmindelse om statusrunden «{p.get('title', '')}»",
        live=None,
        refresh=_the_board,
        audience=Audience.NONE,
        replay=Replay.NONE,
    ),
    _board_level(
        "round.closed",
        '{"round_id", "title", "report_id", "done": n, "total": n}',
        lambda p: f"Lukkede statusrunden «{p.get('title', '')}»",
        Replay.NONE,
    ),
    # ----------------------------------------------------------- reports
    EventKind(
        "report.published",
        payload='{"report_id", "title", "as_of"} (+ "round_id" for a round\'s report)',
        history=lambda p: f"Publicerede rapporten «{p.get('title', '')}»",
        live=None,
        refresh=_the_board,
        audience=Audience.NONE,
        replay=Replay.NONE,
    ),
)

MEETING_KINDS = (
    # ----------------------------------------------------------- meetings (board/meetings)
    _card_kind(
        "initiative.flagged",
        payload='{"title"} (flagged "Til drøftelse")',
        history=_text("Sat til drøftelse"),
        live=lambda who, quoted, p: f"{who} satte {quoted} til drøftelse",
        refresh=_the_card,
        replay=Replay.NONE,
    ),
    _card_kind(
        "initiative.unflagged",
        payload='{"title"}',
        history=_text("Ikke længere til drøftelse"),
        live=lambda who, quoted, p: f"{who} fjernede {quoted} fra drøftelse",
        refresh=_the_card,
        replay=Replay.NONE,
    ),
    _meeting_kind(
        "meeting.created",
        '{"meeting_id", "title", "held_on", "items": [initiative_id, ...]}',
        lambda p: f"Oprettede mødet «{p.get('title', '')}»",
    ),
    _meeting_kind(
        "meeting.agenda_changed",
        '{"meeting_id", "items": [initiative_id, ...]} (the agenda after the change)',
        _text("Ændrede dagsordenen"),
    ),
    _meeting_kind(
        "meeting.current",
        '{"meeting_id", "position", "initiative_id"} (the item now on the screen)',
        lambda p: f"Punkt {p.get('position', 0) + 1} på skærmen",
    ),
    _card_kind(
        # The text is the decision itself: it is the card's record, like a
        # status text in `initiative.updated` (never a comment's text).
        "meeting.decided",
        payload='{"meeting_id", "item_id", "meeting_title", "held_on", "decision"}',
        history=_decided_history,
        live=lambda who, quoted, p: f"{who} noterede en beslutning om {quoted}",
        refresh=_the_card,
        replay=Replay.NONE,
    ),
    _card_kind(
        "meeting.action_added",
        payload='{"meeting_id", "item_id", "action_id", "text", "owner_id", "deadline"}',
        history=_action_history,
        live=lambda who, quoted, p: f"{who} tilføjede et handlingspunkt til {quoted}",
        refresh=_the_card,
        replay=Replay.NONE,
    ),
    _card_kind(
        "meeting.action_removed",
        payload='{"meeting_id", "item_id", "action_id", "text"}',
        history=lambda p: f"Handlingspunkt fjernet: {p.get('text', '')}",
        live=lambda who, quoted, p: f"{who} fjernede et handlingspunkt fra {quoted}",
        refresh=_the_card,
        replay=Replay.NONE,
    ),
    _meeting_kind(
        "meeting.referat_published",
        '{"meeting_id", "title", "held_on"} (the referat frozen)',
        lambda p: f"Publicerede referatet af «{p.get('title', '')}»",
    ),
)

_KINDS += MEETING_KINDS

EVENT_KINDS: dict[str, EventKind] = {entry.kind: entry for entry in _KINDS}


def unknown_kind(kind: str) -> EventKind:
    """What an Event of a kind no code records any more is shown as (rows in
    the log outlive the code that wrote them): its kind, and a full refresh."""
    return EventKind(
        kind,
        payload="",
        history=_text(kind),
        live=None,
        refresh=_the_board,
        audience=Audience.NONE,
        replay=Replay.NONE,
    )


def kind_of(kind: str) -> EventKind:
    return EVENT_KINDS.get(kind) or unknown_kind(kind)


def kinds_where(**conditions) -> tuple[str, ...]:
    """The kinds whose entry has these values, e.g. `kinds_where(replay=Replay.CARD)`."""
    return tuple(
        entry.kind
        for entry in _KINDS
        if all(getattr(entry, name) == value for name, value in conditions.items())
    )


# --------------------------------------------------------------- history texts
def describe_event(event) -> str:
    """The short Danish sentence of the card history."""
    return kind_of(event.kind).history(event.payload or {})


def field_change_rows(event, names: dict | None = None) -> list[tuple[str, str, str]]:
    """(field label, before, after) rows of an `initiative.updated` event, for
    the card history. `names` maps ("theme", id) / ("objective", id) / ("user",
    id) to display names, so theme, objective and owner ids are shown by name
    without a query per event."""
    names = names or {}
    rows = []
    for field, (before, after) in ((event.payload or {}).get("changes") or {}).items():
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
    if field == "owner_id":
        return names.get(("user", value), f"#{value}")
    if field == "health":
        return health_label(value) or str(value)
    return str(value)
