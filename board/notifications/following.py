"""Who follows a tiltag: its owner, whoever commented on it or was mentioned
on it, and whoever chose "Følg"; anyone can stop following ("Følg ikke")."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ..clock import utcnow
from ..extensions import db
from ..models import Initiative
from .models import Follow


def start_following(initiative_id: int, user_ids: Iterable[int], reason: str) -> None:
    """Make the users follow the card (again, if they had stopped). Two
    queries whatever the number of users."""
    ids = set(user_ids)
    if not ids:
        return
    existing = dict(
        db.session.execute(
            sa.select(Follow.user_id, Follow.following).where(
                Follow.initiative_id == initiative_id, Follow.user_id.in_(ids)
            )
        ).all()
    )
    stopped = [user_id for user_id, following in existing.items() if not following]
    if stopped:
        db.session.execute(
            sa.update(Follow)
            .where(Follow.initiative_id == initiative_id, Follow.user_id.in_(stopped))
            .values(following=True, reason=reason)
        )
    now = utcnow()
    db.session.add_all(
        Follow(user_id=user_id, initiative_id=initiative_id, reason=reason, created_at=now)
        for user_id in sorted(ids - existing.keys())
    )


def set_following(initiative: Initiative, user, following: bool) -> None:
    """The user's own choice: "Følg" or "Følg ikke"."""
    row = db.session.get(Follow, (user.id, initiative.id))
    if row is None:
        db.session.add(
            Follow(
                user_id=user.id, initiative_id=initiative.id, following=following, reason="chosen"
            )
        )
    else:
        row.following = following
        row.reason = "chosen"


def follower_ids_query(initiative_id: int):
    """The ids of the card's followers (a subquery for the fan-out): those
    with a following row, and its owner unless they chose "Følg ikke"."""
    followers = sa.select(Follow.user_id).where(
        Follow.initiative_id == initiative_id, Follow.following.is_(True)
    )
    owner_column = getattr(Initiative, "owner_id", None)
    if owner_column is None:
        return followers
    unfollowed = sa.select(Follow.user_id).where(
        Follow.initiative_id == initiative_id, Follow.following.is_(False)
    )
    owner = sa.select(owner_column).where(
        Initiative.id == initiative_id, owner_column.is_not(None), owner_column.not_in(unfollowed)
    )
    return sa.union(followers, owner)


def is_following(initiative: Initiative, user) -> bool:
    row = db.session.get(Follow, (user.id, initiative.id))
    if row is not None:
        return row.following
    return getattr(initiative, "owner_id", None) == user.id
