"""Builders for the meeting tests: a meeting made through the domain
function the view calls, committed as the view commits."""

from __future__ import annotations

from datetime import date

from board.extensions import db
from board.meetings import services


def make_meeting(board, leader, *, day=date(2027, 1, 12), title="Ledermøde", attendees=()):
    meeting = services.create_meeting(
        board,
        title=title,
        held_on=day,
        attendee_ids=[u.id for u in attendees],
        actor=leader,
    )
    db.session.commit()
    return meeting


def flag(card, user):
    services.flag_for_discussion(card, actor=user)
    db.session.commit()
