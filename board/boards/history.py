"""A card's history (its Events) and comment log, for the card page."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..access import BoardAccess
from ..event_kinds import Audience, describe_event, field_change_rows, kinds_where
from ..extensions import db
from ..models import (
    Board,
    Comment,
    Event,
    Initiative,
    Membership,
    Objective,
    Role,
    Theme,
    User,
)


@dataclass
class HistoryEntry:
    event: Event
    text: str
    changes: list[tuple[str, str, str]]


def _names(board_id: int, events: list[Event]) -> dict:
    """Display names of the board's themes and objectives, and of the users
    the Events name as the card's owner (at most three queries)."""
    names: dict = {}
    owner_ids = set()
    for event in events:
        payload = event.payload or {}
        owner_ids.add((payload.get("snapshot") or {}).get("owner_id"))
        owner_ids.update((payload.get("changes") or {}).get("owner_id") or ())
    owner_ids = {i for i in owner_ids if isinstance(i, int)}
    if owner_ids:
        for user_id, name in db.session.execute(
            sa.select(User.id, User.name).where(User.id.in_(owner_ids))
        ):
            names[("user", user_id)] = name
    for theme in db.session.scalars(sa.select(Theme).where(Theme.board_id == board_id)):
        names[("theme", theme.id)] = theme.title
    for objective in db.session.scalars(
        sa.select(Objective).join(Theme).where(Theme.board_id == board_id)
    ):
        names[("objective", objective.id)] = objective.label
    return names


def load_history(access: BoardAccess, initiative: Initiative) -> list[HistoryEntry]:
    """The card's events, oldest first. Comment events are left out for a
    share-link visitor whose link hides comments."""
    query = (
        sa.select(Event)
        .where(Event.initiative_id == initiative.id)
        .options(selectinload(Event.actor))
        .order_by(Event.id)
    )
    if not access.show_comments:
        query = query.where(Event.kind.not_in(kinds_where(audience=Audience.COMMENTS)))
    events = list(db.session.scalars(query))
    names = _names(access.board.id, events)
    return [
        HistoryEntry(event, describe_event(event), field_change_rows(event, names))
        for event in events
    ]


def load_comments(access: BoardAccess, initiative: Initiative) -> list[Comment]:
    if not access.show_comments:
        return []
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.initiative_id == initiative.id)
            .options(
                selectinload(Comment.author),
                selectinload(Comment.deleted_by),
                selectinload(Comment.redacted_by),
            )
            .order_by(Comment.created_at, Comment.id)
        )
    )


def author_roles(board: Board, comments: list[Comment]) -> dict[int, str]:
    """The role label of each comment author on the board ("Leder",
    "MED-repræsentant", "Administrator"), in one query. The role shown is the
    author's current one; a former member shows no role."""
    author_ids = {c.author_id for c in comments if c.author_id is not None}
    if not author_ids:
        return {}
    roles = {
        user_id: Role(role).label
        for user_id, role in db.session.execute(
            sa.select(Membership.user_id, Membership.role).where(
                Membership.board_id == board.id, Membership.user_id.in_(author_ids)
            )
        )
    }
    for comment in comments:
        if comment.author is not None and comment.author.is_admin:
            roles[comment.author_id] = "Administrator"
    return roles
