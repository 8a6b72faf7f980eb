"""The domain functions of meetings. Each takes model objects and an
`actor`, takes the board's lock first, checks, changes, records its Event
and leaves the commit to the caller; a refusal is `Refused` (Danish), so
nothing is half-written.

* `flag_for_discussion` / `unflag`: any member (the route decides who).
* `create_meeting`: date, title, attendees (members of the board), and the
  proposed agenda (agenda.py).
* `add_item`, `remove_item`, `move_item`: the leader edits the agenda.
* `show_item`: the item on the projector; every open meeting page follows.
* `record_decision`, `add_action`, `remove_action`: what was decided.
* `publish_referat`: freezes the referat; the meeting is read-only after.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..clock import utcnow
from ..errors import Refused
from ..events import record_event
from ..extensions import db
from ..locks import lock_board
from ..models import (
    ActionPoint,
    DiscussionFlag,
    Initiative,
    Meeting,
    MeetingItem,
    Membership,
    User,
)
from . import agenda, rating
from .referat import build_referat

MAX_ATTENDEES = 200


# --------------------------------------------------------------- "Til drøftelse"
def flag_for_discussion(initiative: Initiative, *, actor) -> bool:
    """Flag the card; False (and nothing recorded) if it already is."""
    lock_board(initiative.board_id, initiative)
    if initiative.is_archived:
        raise Refused("Tiltaget er arkiveret og kan ikke sættes til drøftelse.", 409)
    if db.session.get(DiscussionFlag, initiative.id) is not None:
        return False
    db.session.add(
        DiscussionFlag(
            initiative_id=initiative.id,
            board_id=initiative.board_id,
            flagged_by_id=getattr(actor, "id", None),
        )
    )
    record_event(
        board_id=initiative.board_id,
        initiative_id=initiative.id,
        kind="initiative.flagged",
        payload={"title": initiative.title},
        actor=actor,
    )
    return True


def unflag(initiative: Initiative, *, actor) -> bool:
    lock_board(initiative.board_id, initiative)
    flag = db.session.get(DiscussionFlag, initiative.id)
    if flag is None:
        return False
    db.session.delete(flag)
    record_event(
        board_id=initiative.board_id,
        initiative_id=initiative.id,
        kind="initiative.unflagged",
        payload={"title": initiative.title},
        actor=actor,
    )
    return True


# --------------------------------------------------------------- creating
def _clean_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise Refused("Giv mødet en titel, fx «Ledermøde».", 422, field="title")
    if len(title) > Meeting.TITLE_MAX:
        raise Refused(f"Titlen må højst være {Meeting.TITLE_MAX} tegn.", 422, field="title")
    return title


def board_members(board_id: int) -> list[User]:
    """The board's active members, by name: who can attend or own an action."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == board_id, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _members(board_id: int, user_ids, field: str) -> list[User]:
    ids = set(user_ids or ())
    if len(ids) > MAX_ATTENDEES:
        raise Refused("For mange deltagere.", 400, field=field)
    found = [u for u in board_members(board_id) if u.id in ids]
    if len(found) != len(ids):
        raise Refused("Vælg blandt tavlens medlemmer.", 422, field=field)
    return found


def create_meeting(
    board, *, title: str, held_on: date | None, attendee_ids=(), actor=None
) -> Meeting:
    lock_board(board.id, board)
    title = _clean_title(title)
    if held_on is None:
        raise Refused("Skriv mødets dato.", 422, field="held_on")
    attendees = _members(board.id, attendee_ids, "attendees")
    since = agenda.previous_meeting_day(board.id, held_on)
    meeting = Meeting(
        board_id=board.id,
        title=title,
        held_on=held_on,
        previous_held_on=since,
        created_by_id=getattr(actor, "id", None),
    )
    meeting.attendees = attendees
    for position, proposal in enumerate(agenda.propose_agenda(board.id, held_on, since)):
        meeting.items.append(_item(proposal.initiative, position, proposal.reasons))
    db.session.add(meeting)
    db.session.flush()
    record_event(
        board_id=board.id,
        kind="meeting.created",
        payload={
            "meeting_id": meeting.id,
            "title": title,
            "held_on": held_on.isoformat(),
            "items": [item.initiative_id for item in meeting.items],
        },
        actor=actor,
    )
    return meeting


def _item(initiative: Initiative, position: int, reasons: list[str]) -> MeetingItem:
    return MeetingItem(
        initiative_id=initiative.id,
        initiative=initiative,
        position=position,
        reasons=",".join(reasons),
        stage_seen=initiative.stage,
        health_seen=rating.rating_of(initiative),
    )


# --------------------------------------------------------------- the agenda
def _open(meeting: Meeting) -> None:
    """Lock the board and refuse a change to a meeting whose referat is out."""
    lock_board(meeting.board_id, meeting)
    if meeting.is_published:
        raise Refused("Referatet er publiceret, så mødet kan ikke ændres længere.", 409)


def _agenda_changed(meeting: Meeting, actor) -> None:
    for position, item in enumerate(meeting.items):
        item.position = position
    db.session.flush()
    if meeting.current_position >= len(meeting.items):
        meeting.current_position = max(len(meeting.items) - 1, 0)
    record_event(
        board_id=meeting.board_id,
        kind="meeting.agenda_changed",
        payload={"meeting_id": meeting.id, "items": [i.initiative_id for i in meeting.items]},
        actor=actor,
    )


def add_item(meeting: Meeting, initiative: Initiative, *, actor) -> MeetingItem:
    _open(meeting)
    if initiative.board_id != meeting.board_id:
        raise Refused("Tiltaget findes ikke på tavlen.", 404)
    if initiative.is_archived:
        raise Refused("Et arkiveret tiltag kan ikke komme på dagsordenen.", 409)
    if any(item.initiative_id == initiative.id for item in meeting.items):
        raise Refused("Tiltaget er allerede på dagsordenen.", 409)
    item = _item(initiative, len(meeting.items), ["added"])
    meeting.items.append(item)
    _agenda_changed(meeting, actor)
    return item


def remove_item(meeting: Meeting, item: MeetingItem, *, actor) -> None:
    _open(meeting)
    if item.meeting_id != meeting.id:
        raise Refused("Punktet findes ikke på dagsordenen.", 404)
    if item.decision or item.actions:
        raise Refused("Punktet har en beslutning eller handlingspunkter og kan ikke fjernes.", 409)
    meeting.items.remove(item)
    _agenda_changed(meeting, actor)


def move_item(meeting: Meeting, item: MeetingItem, *, to_position: int, actor) -> None:
    _open(meeting)
    if item.meeting_id != meeting.id:
        raise Refused("Punktet findes ikke på dagsordenen.", 404)
    if not 0 <= to_position < len(meeting.items):
        raise Refused("Ugyldig placering på dagsordenen.", 400)
    shown = meeting.items[meeting.current_position] if meeting.items else None
    items = [i for i in meeting.items if i is not item]
    items.insert(to_position, item)
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    db.session.expire(meeting, ["items"])
    # The item on the screen stays on the screen.
    if shown is not None:
        meeting.current_position = shown.position
    _agenda_changed(meeting, actor)


# --------------------------------------------------------------- the projector
def show_item(meeting: Meeting, position: int, *, actor) -> MeetingItem:
    """Put agenda item `position` (0-based) on the screen of everyone who has
    the meeting open. Its card's column and vurdering are noted as they are
    now: that is what the referat says they were at the meeting."""
    _open(meeting)
    if not 0 <= position < len(meeting.items):
        raise Refused("Der er ikke noget punkt med det nummer på dagsordenen.", 400)
    item = meeting.items[position]
    item.stage_seen = item.initiative.stage
    item.health_seen = rating.rating_of(item.initiative)
    if meeting.current_position != position:
        meeting.current_position = position
        record_event(
            board_id=meeting.board_id,
            kind="meeting.current",
            payload={
                "meeting_id": meeting.id,
                "position": position,
                "initiative_id": item.initiative_id,
            },
            actor=actor,
        )
    return item


# --------------------------------------------------------------- decisions
def record_decision(item: MeetingItem, *, text: str, actor) -> bool:
    """Set the item's "Beslutning"; False when the text is unchanged."""
    meeting = item.meeting
    _open(meeting)
    text = (text or "").strip()
    if len(text) > MeetingItem.DECISION_MAX:
        raise Refused(
            f"Beslutningen må højst være {MeetingItem.DECISION_MAX} tegn.", 422, field="decision"
        )
    if text == item.decision:
        return False
    item.decision = text
    item.decided_at = utcnow()
    item.decided_by_id = getattr(actor, "id", None)
    item.stage_seen = item.initiative.stage
    item.health_seen = rating.rating_of(item.initiative)
    record_event(
        board_id=meeting.board_id,
        initiative_id=item.initiative_id,
        kind="meeting.decided",
        payload={
            "meeting_id": meeting.id,
            "item_id": item.id,
            "meeting_title": meeting.title,
            "held_on": meeting.held_on.isoformat(),
            "decision": text,
        },
        actor=actor,
    )
    return True


def add_action(
    item: MeetingItem, *, text: str, owner_id: int | None, deadline: date | None, actor
) -> ActionPoint:
    meeting = item.meeting
    _open(meeting)
    text = (text or "").strip()
    if not text:
        raise Refused("Skriv hvad der skal gøres.", 422, field="text")
    if len(text) > ActionPoint.TEXT_MAX:
        raise Refused(f"Højst {ActionPoint.TEXT_MAX} tegn.", 422, field="text")
    if owner_id is not None:
        _members(meeting.board_id, [owner_id], "owner")
    action = ActionPoint(
        text=text, owner_id=owner_id, deadline=deadline, created_by_id=getattr(actor, "id", None)
    )
    item.actions.append(action)
    db.session.flush()
    record_event(
        board_id=meeting.board_id,
        initiative_id=item.initiative_id,
        kind="meeting.action_added",
        payload={
            "meeting_id": meeting.id,
            "item_id": item.id,
            "action_id": action.id,
            "text": text,
            "owner_id": owner_id,
            "deadline": deadline.isoformat() if deadline else None,
        },
        actor=actor,
    )
    return action


def remove_action(action: ActionPoint, *, actor) -> None:
    item = action.item
    meeting = item.meeting
    _open(meeting)
    item.actions.remove(action)
    record_event(
        board_id=meeting.board_id,
        initiative_id=item.initiative_id,
        kind="meeting.action_removed",
        payload={
            "meeting_id": meeting.id,
            "item_id": item.id,
            "action_id": action.id,
            "text": action.text,
        },
        actor=actor,
    )


# --------------------------------------------------------------- the referat
def publish_referat(meeting: Meeting, *, actor) -> None:
    """Freeze the referat: its content as it is now is what every later
    download shows, and the meeting can no longer be changed."""
    _open(meeting)
    referat = build_referat(meeting)
    meeting.referat_published_at = utcnow()
    referat.published_at = meeting.referat_published_at.isoformat()
    meeting.referat_snapshot = referat.to_json()
    meeting.referat_published_by_id = getattr(actor, "id", None)
    record_event(
        board_id=meeting.board_id,
        kind="meeting.referat_published",
        payload={
            "meeting_id": meeting.id,
            "title": meeting.title,
            "held_on": meeting.held_on.isoformat(),
        },
        actor=actor,
    )
