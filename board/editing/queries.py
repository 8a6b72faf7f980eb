"""What the editing and structure pages read (no writes)."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Event, Initiative


def archived_initiatives(board_id: int) -> list[Initiative]:
    """The board's archived cards, newest first."""
    return list(
        db.session.scalars(
            sa.select(Initiative)
            .where(Initiative.board_id == board_id, Initiative.archived_at.is_not(None))
            .order_by(Initiative.archived_at.desc(), Initiative.id)
        )
    )


def last_change(initiative: Initiative) -> Event | None:
    """The card's newest Event (who changed it last, for a stale edit)."""
    return db.session.scalars(
        sa.select(Event).where(Event.initiative_id == initiative.id).order_by(Event.id.desc())
    ).first()


def initiative_counts(board_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Tiltag (archived included) per theme and per main objective: what
    stands in the way of removing one."""
    rows = db.session.execute(
        sa.select(Initiative.theme_id, Initiative.objective_id, sa.func.count())
        .where(Initiative.board_id == board_id)
        .group_by(Initiative.theme_id, Initiative.objective_id)
    )
    per_theme: dict[int, int] = {}
    per_objective: dict[int, int] = {}
    for theme_id, objective_id, count in rows:
        per_theme[theme_id] = per_theme.get(theme_id, 0) + count
        if objective_id is not None:
            per_objective[objective_id] = per_objective.get(objective_id, 0) + count
    return per_theme, per_objective
