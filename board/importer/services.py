"""Creating a board from an import plan, and who may import. The caller
(the view) commits, so the board, its structure, its tiltag and all their
Events are written together or not at all."""

from __future__ import annotations

import sqlalchemy as sa

from ..editing.services import create_initiative
from ..editing.structure import add_objective, add_theme
from ..errors import Refused
from ..events import record_event
from ..extensions import db
from ..locks import lock_board
from ..models import Board, Membership, Role
from .parser import BOARD_TITLE_MAX, ImportPlan


def may_import(user) -> bool:
    """Leaders (leder on some board) and administrators may create boards by
    import."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            sa.select(Membership.board_id)
            .where(Membership.user_id == user.id, Membership.role == Role.LEDER.value)
            .limit(1)
        )
        is not None
    )


def create_board(plan: ImportPlan, *, title: str, actor) -> Board:
    """A new board with the plan's themes, objectives and tiltag; `actor`
    becomes its leder. Every part is recorded as an Event."""
    title = (title or "").strip()
    if not title:
        raise Refused("Giv tavlen et navn.", 422)
    if len(title) > BOARD_TITLE_MAX:
        raise Refused(f"Tavlens navn må højst være {BOARD_TITLE_MAX} tegn.", 422)
    if plan.errors:
        raise Refused(" ".join(plan.errors), 422)
    if not plan.themes:
        raise Refused("Tabellen indeholder ingen pejlemærker eller tiltag.", 422)

    board = Board(
        title=title,
        description=plan.description,
        theme_label=plan.theme_label,
        objective_label=plan.objective_label,
    )
    db.session.add(board)
    db.session.flush()
    lock_board(board.id)  # add_theme, create_initiative ... then find it held
    record_event(
        board_id=board.id,
        kind="board.created",
        payload={"title": title, "source": "import"},
        actor=actor,
    )
    if actor is not None:
        db.session.add(Membership(user_id=actor.id, board_id=board.id, role=Role.LEDER.value))

    for plan_theme in plan.themes:
        theme = add_theme(board, title=plan_theme.title, actor=actor)
        for item in plan_theme.initiatives:
            _create(theme, None, item, actor)
        for plan_objective in plan_theme.objectives:
            objective = add_objective(
                theme, number=plan_objective.number, title=plan_objective.title, actor=actor
            )
            for item in plan_objective.initiatives:
                _create(theme, objective, item, actor)
    return board


def _create(theme, objective, item, actor):
    return create_initiative(
        theme=theme,
        objective=objective,
        title=item.title,
        description=item.description,
        timeline=item.timeline,
        status_note=item.status_note,
        responsible=item.responsible[:200],
        health=item.health,
        stage=item.stage,
        actor=actor,
    )
