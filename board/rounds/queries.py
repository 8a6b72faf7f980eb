"""What the round pages read (no writes): a board's rounds, a user's tasks
across boards, and a tiltag's texts per round."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Board, Initiative, Membership, Role, RoundItem, StatusRound, User


@dataclass
class RoundSummary:
    status_round: StatusRound
    done: int
    total: int


def rounds_of_board(board_id: int) -> list[RoundSummary]:
    """The board's rounds, newest first, each with its counts (two queries)."""
    rounds = list(
        db.session.scalars(
            sa.select(StatusRound)
            .where(StatusRound.board_id == board_id)
            .order_by(StatusRound.opened_at.desc(), StatusRound.id.desc())
        )
    )
    counts = {
        round_id: (done or 0, total)
        for round_id, done, total in db.session.execute(
            sa.select(
                RoundItem.round_id,
                sa.func.count(RoundItem.completed_at),
                sa.func.count(),
            )
            .join(StatusRound, StatusRound.id == RoundItem.round_id)
            .where(StatusRound.board_id == board_id)
            .group_by(RoundItem.round_id)
        )
    }
    return [RoundSummary(r, *counts.get(r.id, (0, 0))) for r in rounds]


def tasks_of(user: User) -> list[RoundItem]:
    """Every item of an open round that `user` is asked for, on every board:
    the tiltag they own (while they have a role on its board), and on boards
    where they are a leader the tiltag without an owner. Done ones included
    (they may still be changed while the round is open). One query, plus
    the loading of the items' round, board and tiltag."""
    membership = sa.select(Membership.role).where(
        Membership.user_id == user.id, Membership.board_id == StatusRound.board_id
    )
    leads = sa.exists(
        sa.select(Membership.user_id).where(
            Membership.user_id == user.id,
            Membership.board_id == StatusRound.board_id,
            Membership.role == Role.LEDER.value,
        )
    )
    owner_is_member = sa.exists(
        sa.select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.user_id == Initiative.owner_id,
            Membership.board_id == StatusRound.board_id,
            User.active.is_(True),
        )
    )
    query = (
        sa.select(RoundItem)
        .join(StatusRound, StatusRound.id == RoundItem.round_id)
        .join(Initiative, Initiative.id == RoundItem.initiative_id)
        .where(
            StatusRound.closed_at.is_(None),
            Initiative.archived_at.is_(None),
            sa.or_(
                sa.and_(Initiative.owner_id == user.id, membership.exists()),
                sa.and_(leads, sa.not_(owner_is_member)),
            ),
        )
        .options(
            selectinload(RoundItem.round),
            selectinload(RoundItem.initiative),
        )
        .order_by(
            StatusRound.deadline, StatusRound.id, RoundItem.completed_at.is_not(None), RoundItem.id
        )
    )
    return list(db.session.scalars(query))


def boards_by_id(items: list[RoundItem]) -> dict[int, Board]:
    ids = {i.round.board_id for i in items}
    if not ids:
        return {}
    return {b.id: b for b in db.session.scalars(sa.select(Board).where(Board.id.in_(ids)))}
