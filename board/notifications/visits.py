""" "Ændret siden dit sidste besøg": the cards of a board that others changed
since the member's previous visit.

A visit is a run of board page views less than `VISIT_GAP` apart (so a
filter click or a reload does not wipe the markers). When a new visit
starts, its baseline is the newest Event the previous visit showed; cards
with Events of others after the baseline are marked.

Cost: one query reads the visit and the board's newest Event id, one more
the marked cards (only when there is a previous visit); the visit is
written after the page (at most once a minute unless the board changed), in
a short transaction of its own, as a share link's "last used" is
(board/share/visits.py), and never fails the page.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import g, request

from ..clock import utcnow
from ..extensions import db
from ..models import Event
from .models import BoardVisit

VISIT_GAP = timedelta(hours=1)
NOTE_EVERY = timedelta(minutes=1)
# The answers whose cards carry the marker: the board, its live refreshes and
# a move's answer (the moved card, or the columns after a conflict), so a
# card keeps its marker however it is drawn again. The card summaries read it
# (boards/queries.py `BoardView.card`); elsewhere it costs no query.
MARKED_ENDPOINTS = {"boards.show", "live.parts", "moves.move"}
STATE_KEY = "tiltag.board_visit"


def _member_access():
    access = g.get("access")
    if access is None or access.is_share or access.user is None:
        return None
    return access


def _state(access) -> dict:
    """{"newest": id, "visit": (baseline, seen_event_id, seen_at) or None},
    read once per request."""
    state = request.environ.get(STATE_KEY)
    if state is not None:
        return state
    newest = (
        sa.select(sa.func.max(Event.id)).where(Event.board_id == access.board.id).scalar_subquery()
    )
    visit = (
        sa.select(BoardVisit.baseline_event_id, BoardVisit.seen_event_id, BoardVisit.seen_at)
        .where(BoardVisit.user_id == access.user.id, BoardVisit.board_id == access.board.id)
        .subquery()
    )
    one = sa.select(sa.literal(1).label("one")).subquery()
    row = db.session.execute(
        sa.select(
            newest.label("newest"),
            visit.c.baseline_event_id,
            visit.c.seen_event_id,
            visit.c.seen_at,
        ).select_from(one.outerjoin(visit, sa.true()))
    ).one()
    state = {
        "newest": row.newest or 0,
        "visit": None
        if row.seen_at is None
        else (row.baseline_event_id, row.seen_event_id, row.seen_at),
    }
    request.environ[STATE_KEY] = state
    return state


def _baseline(visit, now) -> int | None:
    if visit is None:
        return None  # a first visit marks nothing: everything is new
    baseline, seen_event_id, seen_at = visit
    return seen_event_id if now - seen_at > VISIT_GAP else baseline


def changed_card_ids() -> frozenset[int]:
    """The card ids to mark in this request's answer (empty outside
    `MARKED_ENDPOINTS`, for share links and outsiders), once per request."""
    cached = request.environ.get("tiltag.changed_cards")
    if cached is not None:
        return cached
    changed: frozenset[int] = frozenset()
    access = _member_access()
    if access is not None and request.endpoint in MARKED_ENDPOINTS:
        baseline = _baseline(_state(access)["visit"], utcnow())
        if baseline is not None:
            user_id = access.user.id
            changed = frozenset(
                db.session.scalars(
                    sa.select(Event.initiative_id)
                    .where(
                        Event.board_id == access.board.id,
                        Event.id > baseline,
                        Event.initiative_id.is_not(None),
                        sa.or_(Event.actor_id.is_(None), Event.actor_id != user_id),
                    )
                    .distinct()
                )
            )
    request.environ["tiltag.changed_cards"] = changed
    return changed


def record_board_visit(response):
    """after_request: a member's board page moves their visit forward."""
    access = _member_access()
    if access is None or request.endpoint != "boards.show" or response.status_code != 200:
        return response
    user_id, board_id = access.user.id, access.board.id
    try:
        state = _state(access)
        now = utcnow()
        visit, newest = state["visit"], state["newest"]
        if visit is not None and visit[1] == newest and now - visit[2] < NOTE_EVERY:
            return response  # nothing new to note (a meeting clicks a lot)
        db.session.rollback()  # end the page's read transaction (see share/visits.py)
        if visit is None:
            statement = sa.insert(BoardVisit).values(
                user_id=user_id,
                board_id=board_id,
                baseline_event_id=newest,
                seen_event_id=newest,
                seen_at=now,
            )
        else:
            statement = (
                sa.update(BoardVisit)
                .where(BoardVisit.user_id == user_id, BoardVisit.board_id == board_id)
                .values(baseline_event_id=_baseline(visit, now), seen_event_id=newest, seen_at=now)
            )
        db.session.execute(statement)
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        # A convenience (two tabs at once, a busy database): never fail the
        # board page because of it.
        db.session.rollback()
    return response
