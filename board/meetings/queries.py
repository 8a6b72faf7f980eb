"""What the meeting pages read. Each function costs a fixed number of
queries, whatever the number of cards or agenda items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..event_kinds import FIELD_LABELS, stage_label
from ..extensions import db
from ..models import (
    ActionPoint,
    Comment,
    DiscussionFlag,
    Event,
    Initiative,
    Meeting,
    MeetingItem,
)
from ..reports.replay import (
    CREATED_AT,
    apply_card_event,
    card_events_query,
    end_of_day,
    event_rows,
)

# Card fields whose change the meeting lists by name (column and status
# have lines of their own).
NAMED_FIELDS = ("title", "description", "timeline", "responsible", "theme_id", "objective_id")


def meetings_of(board_id: int) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.board_id == board_id)
            .options(selectinload(Meeting.items))
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        )
    )


def load_meeting(meeting: Meeting) -> Meeting:
    """The meeting with its items, their cards and action points loaded
    (a fixed number of queries for any agenda)."""
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.id == meeting.id)
        .options(
            selectinload(Meeting.attendees),
            selectinload(Meeting.items)
            .selectinload(MeetingItem.initiative)
            .options(
                selectinload(Initiative.theme),
                selectinload(Initiative.objective),
                selectinload(Initiative.owner),
            ),
            selectinload(Meeting.items)
            .selectinload(MeetingItem.actions)
            .selectinload(ActionPoint.owner),
        )
        .execution_options(populate_existing=True)
    ).one()


def changes_by_card(board_id: int, since: date | None, card_ids) -> dict[int, list[str]]:
    """Per card, the Danish lines saying what changed after the end of `since`
    until now (net: a card moved away and back has not moved). One query for
    the card Events of just these cards (replayed as reports replay the
    whole board); {} when there is no previous meeting."""
    if since is None:
        return {}
    wanted = set(card_ids)
    if not wanted:
        return {}
    cutoff = end_of_day(since)
    then: dict = {}
    now: dict = {}
    query = card_events_query(board_id).where(Event.initiative_id.in_(wanted))
    for event in event_rows(query):
        if event[CREATED_AT] < cutoff:
            apply_card_event(then, event)
        apply_card_event(now, event)
    out: dict[int, list[str]] = {}
    for card_id in wanted:
        card = now.get(card_id)
        if card is None:
            continue
        before = then.get(card_id)
        lines: list[str] = []
        if before is None:
            lines.append(f"Nyt tiltag, oprettet i {stage_label(card.stage)}")
        else:
            if before.stage != card.stage:
                lines.append(
                    f"Flyttet fra {stage_label(before.stage)} til {stage_label(card.stage)}"
                )
            if (before.status_note or "") != (card.status_note or ""):
                lines.append(f"Ny status: {card.status_note or '–'}")
            named = [
                FIELD_LABELS[name]
                for name in NAMED_FIELDS
                if (getattr(before, name) or None) != (getattr(card, name) or None)
            ]
            if named:
                lines.append("Ændret: " + ", ".join(named))
            if card.archived and not before.archived:
                lines.append("Arkiveret")
        out[card_id] = lines
    return out


def new_comments(initiative_id: int, since: date | None) -> list[Comment]:
    """The card's comments written after the previous meeting's day (all of
    them at a board's first meeting), deleted ones left out."""
    query = (
        sa.select(Comment)
        .where(Comment.initiative_id == initiative_id, Comment.deleted_at.is_(None))
        .options(selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    if since is not None:
        query = query.where(Comment.created_at >= end_of_day(since))
    return list(db.session.scalars(query))


def live_cards(board_id: int, exclude_ids) -> list:
    """The cards a leader can add to the agenda (title order): plain (id,
    title) rows, since a board may hold thousands."""
    return list(
        db.session.execute(
            sa.select(Initiative.id, Initiative.title)
            .where(
                Initiative.board_id == board_id,
                Initiative.archived_at.is_(None),
                Initiative.id.not_in(list(exclude_ids) or [0]),
            )
            .order_by(Initiative.title, Initiative.id)
        )
    )


@dataclass
class CardMeetingNotes:
    """What the card page shows about meetings: the flag, and the decisions
    and action points of every meeting it was on."""

    flag: DiscussionFlag | None
    items: list[MeetingItem] = field(default_factory=list)


def card_meeting_notes(initiative_id: int) -> CardMeetingNotes:
    flag = db.session.scalars(
        sa.select(DiscussionFlag)
        .where(DiscussionFlag.initiative_id == initiative_id)
        .options(selectinload(DiscussionFlag.flagged_by))
    ).one_or_none()
    items = db.session.scalars(
        sa.select(MeetingItem)
        .join(Meeting, Meeting.id == MeetingItem.meeting_id)
        .where(MeetingItem.initiative_id == initiative_id)
        .options(
            selectinload(MeetingItem.meeting),
            selectinload(MeetingItem.actions).selectinload(ActionPoint.owner),
        )
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()
    return CardMeetingNotes(flag, [i for i in items if i.decision or i.actions])
