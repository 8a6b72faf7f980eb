"""Private iCalendar feeds (RFC 5545, written with the icalendar library).

* A user's own feed: the deadlines (frist) of the live tiltag they own or
  follow, on the boards they can still see.
* A board's feed, for its leaders: every live tiltag's deadline on it.
* Both: the deadlines of open status rounds (board/rounds), in a user's
  feed those of the boards they lead or that ask about a tiltag they own.

The URL's token is stored only as its SHA-256 (board/tokens.py, as share
links are), so it is shown once, when made; renewing replaces the hash, so
the old URL is a 404 from then on, and so is every URL of a deactivated
user or of a leader no longer on the board. Each deadline is an all-day
event whose UID is the tiltag's (`tiltag-<id>@<host>`), so a changed
deadline moves the entry in the calendar instead of adding one; all-day
dates are the Copenhagen dates the board shows.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..clock import utcnow
from ..extensions import db
from ..models import Board, Initiative, Membership, Role, RoundItem, StatusRound
from ..tokens import hash_token, new_token
from .models import CalendarFeed, Follow


def renew_feed(user, board: Board | None = None) -> str:
    """A new secret token for the user's feed (or the board's, for a leader);
    the old one stops working. Returns the token (shown once)."""
    db.session.execute(
        sa.delete(CalendarFeed).where(
            CalendarFeed.user_id == user.id,
            CalendarFeed.board_id.is_(None) if board is None else CalendarFeed.board_id == board.id,
        )
    )
    token = new_token()
    db.session.add(
        CalendarFeed(
            user_id=user.id,
            board_id=None if board is None else board.id,
            token_hash=hash_token(token),
            created_at=utcnow(),
        )
    )
    return token


def feeds_of(user) -> set[int | None]:
    """Which feeds the user has: None for their own, board ids for boards'."""
    return set(
        db.session.scalars(sa.select(CalendarFeed.board_id).where(CalendarFeed.user_id == user.id))
    )


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed of `token`: None for an unknown or renewed token, a
    deactivated user, or a board feed whose user is no longer its leader."""
    feed = db.session.execute(
        sa.select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if feed is None or not feed.user.active:
        return None
    if feed.board_id is not None:
        role = db.session.scalar(
            sa.select(Membership.role).where(
                Membership.user_id == feed.user_id, Membership.board_id == feed.board_id
            )
        )
        if role != Role.LEDER.value and not feed.user.is_admin:
            return None
    return feed


def _deadlines(feed: CalendarFeed) -> list[tuple[Initiative, str]]:
    """(card, board title) for every live card with a deadline in the feed."""
    query = (
        sa.select(Initiative, Board.title)
        .join(Board, Board.id == Initiative.board_id)
        .where(Initiative.archived_at.is_(None), Initiative.due_date.is_not(None))
        .order_by(Initiative.due_date, Initiative.id)
    )
    if feed.board_id is not None:
        query = query.where(Initiative.board_id == feed.board_id)
    else:
        user_id = feed.user_id
        followed = sa.select(Follow.initiative_id).where(
            Follow.user_id == user_id, Follow.following.is_(True)
        )
        mine = Initiative.id.in_(followed)
        owner_column = getattr(Initiative, "owner_id", None)
        if owner_column is not None:
            unfollowed = sa.select(Follow.initiative_id).where(
                Follow.user_id == user_id, Follow.following.is_(False)
            )
            mine = sa.or_(mine, sa.and_(owner_column == user_id, Initiative.id.not_in(unfollowed)))
        visible = sa.select(Membership.board_id).where(Membership.user_id == user_id)
        query = query.where(mine, Initiative.board_id.in_(visible))
    return list(db.session.execute(query))


def _round_deadlines(feed: CalendarFeed) -> list:
    """The open status rounds in the feed: a board's, or for a user those of
    the boards they lead and those asking about a tiltag they own."""
    status_round, round_item = StatusRound, RoundItem
    query = (
        sa.select(status_round, Board.title)
        .join(Board, Board.id == status_round.board_id)
        .where(status_round.closed_at.is_(None))
        .order_by(status_round.deadline, status_round.id)
    )
    if feed.board_id is not None:
        return list(db.session.execute(query.where(status_round.board_id == feed.board_id)))
    led = sa.select(Membership.board_id).where(
        Membership.user_id == feed.user_id, Membership.role == Role.LEDER.value
    )
    member = sa.select(Membership.board_id).where(Membership.user_id == feed.user_id)
    asks_me = (
        sa.select(round_item.id)
        .join(Initiative, Initiative.id == round_item.initiative_id)
        .where(round_item.round_id == status_round.id, Initiative.owner_id == feed.user_id)
        .exists()
    )
    query = query.where(
        status_round.board_id.in_(member), sa.or_(status_round.board_id.in_(led), asks_me)
    )
    return list(db.session.execute(query))


def feed_ics(feed: CalendarFeed, *, host: str, card_url, round_url=None) -> bytes:
    """The feed as iCalendar bytes. `card_url(card)` links each entry."""
    calendar = Calendar()
    calendar.add("prodid", "-//Norddjurs Kommune//Tiltagstavlen//DA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = (
        "Tiltagstavlen: mine frister" if feed.board_id is None else "Tiltagstavlen: tavlens frister"
    )
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Copenhagen")
    stamp = utcnow()
    for card, board_title in _deadlines(feed):
        entry = CalendarEvent()
        entry.add("uid", f"tiltag-{card.id}@{host}")
        entry.add("dtstamp", stamp)
        entry.add("last-modified", card.updated_at)
        entry.add("summary", f"Frist: {card.title}")
        entry.add("dtstart", card.due_date)
        entry.add("dtend", card.due_date + timedelta(days=1))
        entry.add("transp", "TRANSPARENT")
        entry.add("description", f"{board_title}. Status: {card.status_note or '(ingen)'}")
        entry.add("url", card_url(card))
        calendar.add_component(entry)
    for status_round, board_title in _round_deadlines(feed):
        entry = CalendarEvent()
        entry.add("uid", f"statusrunde-{status_round.id}@{host}")
        entry.add("dtstamp", stamp)
        entry.add("summary", f"Frist for statusrunden: {status_round.title}")
        entry.add("dtstart", status_round.deadline)
        entry.add("dtend", status_round.deadline + timedelta(days=1))
        entry.add("transp", "TRANSPARENT")
        entry.add(
            "description", f"{board_title}. Status pr. {status_round.status_date.isoformat()}."
        )
        if round_url is not None:
            entry.add("url", round_url(status_round))
        calendar.add_component(entry)
    return calendar.to_ical()
