"""Board roles: who is leder or med on which board. Plain functions used by
the admin pages and the command line; they take model objects and an
`actor` (None from the command line) and leave the commit to the caller.
Accounts themselves live in board/auth/accounts.py.

A role change is not a board Event (the Event log is the board's content
history and live feed, which committee members watch too); it is written to
the application log with ids only.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from ..extensions import db
from ..models import Board, Membership, Role, User

log = logging.getLogger(__name__)


def set_board_role(
    user: User, board: Board, role: Role | str | None, *, actor: User | None = None
) -> bool:
    """Give `user` the role on `board` (None removes the membership).
    Returns whether anything changed."""
    new_role = Role(role).value if role else None
    membership = db.session.get(Membership, (user.id, board.id))
    old_role = membership.role if membership else None
    if old_role == new_role:
        return False
    if new_role is None:
        db.session.delete(membership)
    elif membership is None:
        db.session.add(Membership(user_id=user.id, board_id=board.id, role=new_role))
    else:
        membership.role = new_role
        # Changed by hand: from now on it stays, whatever the groups say
        # (board/auth/group_roles.py).
        membership.from_group = False
    log.info(
        "role of user %s on board %s: %s -> %s, by %s",
        user.id,
        board.id,
        old_role,
        new_role,
        getattr(actor, "id", "cli"),
    )
    return True


def list_boards() -> list[Board]:
    return list(db.session.scalars(sa.select(Board).order_by(Board.created_at, Board.id)))


def board_members(board: Board) -> list[tuple[User, Role]]:
    rows = db.session.execute(
        sa.select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.board_id == board.id)
        .order_by(User.name)
    )
    return [(user, Role(role)) for user, role in rows]
