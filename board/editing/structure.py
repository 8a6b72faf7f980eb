"""Board structure: boards, their themes (pejlemærker / udviklingsspor) and
objectives (målsætninger). Each function takes the board's lock first
(board/locks.py) and records its Event (board.*, theme.*, objective.*) in
the caller's transaction; the caller commits.

A theme or objective that still has tiltag (live or archived, as main
objective or as a related one) cannot be removed: the user must move the
tiltag first, so no card ever loses its place silently.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..errors import Refused
from ..events import record_event
from ..extensions import db
from ..locks import lock_board
from ..models import Board, Initiative, Objective, Theme, initiative_related_objectives


def _changes(obj, **values) -> dict:
    changes = {}
    for field, value in values.items():
        before = getattr(obj, field)
        if before != value:
            changes[field] = [before, value]
            setattr(obj, field, value)
    return changes


# --- boards -------------------------------------------------------------------


def create_board(
    *, title: str, theme_label: str, objective_label: str | None, description: str = "", actor
) -> Board:
    board = Board(
        title=title.strip(),
        description=(description or "").strip(),
        theme_label=theme_label.strip(),
        objective_label=(objective_label or "").strip() or None,
    )
    db.session.add(board)
    db.session.flush()
    lock_board(board.id)
    record_event(
        board_id=board.id, kind="board.created", payload={"title": board.title}, actor=actor
    )
    return board


def update_board(
    board: Board,
    *,
    title: str,
    theme_label: str,
    objective_label: str | None,
    description: str = "",
    actor,
) -> dict:
    lock_board(board.id, board)
    objective_label = (objective_label or "").strip() or None
    if objective_label is None and board.objective_label is not None:
        count = db.session.scalar(
            sa.select(sa.func.count(Objective.id)).join(Theme).where(Theme.board_id == board.id)
        )
        if count:
            raise Refused(
                f"Tavlen har {count} {board.objective_label.lower()}er. Fjern dem, før "
                "niveauet kan slås fra.",
                status=409,
            )
    changes = _changes(
        board,
        title=title.strip(),
        description=(description or "").strip(),
        theme_label=theme_label.strip(),
        objective_label=objective_label,
    )
    if changes:
        record_event(
            board_id=board.id, kind="board.updated", payload={"changes": changes}, actor=actor
        )
    return changes


# --- ordering -----------------------------------------------------------------


def _move(items: list, item, direction: str) -> bool:
    """Swap `item` one step up or down in `items` and renumber 0..n-1."""
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    return True


def _in_order(model, condition) -> list:
    """The rows of one level in their order, read afresh: the caller holds
    the board lock, and what it renumbers must be what is committed."""
    query = sa.select(model).where(condition).order_by(model.position, model.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def _themes(board: Board) -> list[Theme]:
    return _in_order(Theme, Theme.board_id == board.id)


def _objectives(theme: Theme) -> list[Objective]:
    return _in_order(Objective, Objective.theme_id == theme.id)


# --- the same changes on both levels ------------------------------------------
# A theme and an objective are renamed, reordered and removed alike; only
# their Event kind (which also names the id in its payload) and where their
# siblings live differ. Callers take the board lock first, then read the
# siblings. (Both have `board_id`: an objective's is its theme's.)


def _item_key(kind: str) -> str:
    return kind.partition(".")[0] + "_id"  # "theme.updated" -> "theme_id"


def _update(item, kind: str, actor, **values) -> dict:
    lock_board(item.board_id, item)
    changes = _changes(item, **values)
    if changes:
        record_event(
            board_id=item.board_id,
            kind=kind,
            payload={_item_key(kind): item.id, "changes": changes},
            actor=actor,
        )
    return changes


def _reorder(items: list, item, kind: str, direction: str, actor, **scope) -> bool:
    if not _move(items, item, direction):
        return False
    record_event(
        board_id=item.board_id,
        kind=kind,
        payload={**scope, "order": [each.id for each in items]},
        actor=actor,
    )
    return True


def _remove(items: list, item, kind: str, actor, **payload) -> None:
    """Delete `item` (its refusals already checked) and close the gap."""
    record_event(
        board_id=item.board_id,
        kind=kind,
        payload={_item_key(kind): item.id, **payload},
        actor=actor,
    )
    db.session.delete(item)
    for position, each in enumerate(i for i in items if i.id != item.id):
        each.position = position


def _blocking_titles(query) -> list[str]:
    return [title for (title,) in db.session.execute(query.order_by(Initiative.title).limit(50))]


def theme_initiatives(theme: Theme) -> list[str]:
    """Titles of the tiltag (archived included) whose theme is `theme`."""
    return _blocking_titles(sa.select(Initiative.title).where(Initiative.theme_id == theme.id))


def objective_initiatives(objective: Objective) -> list[str]:
    """Titles of tiltag that have `objective` as main or related objective."""
    related = sa.select(initiative_related_objectives.c.initiative_id).where(
        initiative_related_objectives.c.objective_id == objective.id
    )
    return _blocking_titles(
        sa.select(Initiative.title).where(
            sa.or_(Initiative.objective_id == objective.id, Initiative.id.in_(related))
        )
    )


def _refuse_in_use(name: str, titles: list[str]) -> None:
    if not titles:
        return
    shown = ", ".join(f"«{t}»" for t in titles[:5])
    more = f" og {len(titles) - 5} flere" if len(titles) > 5 else ""
    raise Refused(
        f"«{name}» kan ikke fjernes, fordi {len(titles)} tiltag stadig hører til: "
        f"{shown}{more}. Flyt tiltagene (også arkiverede) først.",
        status=409,
    )


# --- themes -------------------------------------------------------------------


def add_theme(board: Board, *, title: str, actor, at: datetime | None = None) -> Theme:
    """Add a pejlemærke at the end. `at` dates its Event (loading history)."""
    lock_board(board.id)
    themes = _themes(board)
    theme = Theme(board_id=board.id, title=title.strip(), position=len(themes))
    db.session.add(theme)
    db.session.flush()
    record_event(
        board_id=board.id,
        kind="theme.created",
        payload={"theme_id": theme.id, "title": theme.title, "position": theme.position},
        actor=actor,
        at=at,
    )
    return theme


def rename_theme(theme: Theme, *, title: str, actor) -> dict:
    return _update(theme, "theme.updated", actor, title=title.strip())


def move_theme(theme: Theme, *, direction: str, actor) -> bool:
    lock_board(theme.board_id, theme)
    return _reorder(_themes(theme.board), theme, "theme.reordered", direction, actor)


def delete_theme(theme: Theme, *, actor) -> None:
    """Refused while the theme, or any of its objectives, still has tiltag."""
    lock_board(theme.board_id, theme)
    _refuse_in_use(theme.title, theme_initiatives(theme))
    for objective in list(theme.objectives):
        _refuse_in_use(objective.label, objective_initiatives(objective))
    _remove(_themes(theme.board), theme, "theme.deleted", actor, title=theme.title)


# --- objectives ---------------------------------------------------------------


def add_objective(
    theme: Theme, *, number: str, title: str, actor, at: datetime | None = None
) -> Objective:
    """Add a målsætning at the end of its pejlemærke. `at` dates its Event."""
    lock_board(theme.board_id, theme)
    objectives = _objectives(theme)
    objective = Objective(
        theme_id=theme.id,
        number=(number or "").strip(),
        title=title.strip(),
        position=len(objectives),
    )
    db.session.add(objective)
    db.session.flush()
    record_event(
        board_id=theme.board_id,
        kind="objective.created",
        payload={
            "objective_id": objective.id,
            "theme_id": theme.id,
            "number": objective.number,
            "title": objective.title,
            "position": objective.position,
        },
        actor=actor,
        at=at,
    )
    return objective


def update_objective(objective: Objective, *, number: str, title: str, actor) -> dict:
    number, title = (number or "").strip(), title.strip()
    return _update(objective, "objective.updated", actor, number=number, title=title)


def move_objective(objective: Objective, *, direction: str, actor) -> bool:
    lock_board(objective.board_id, objective)
    siblings = _objectives(objective.theme)
    scope = {"theme_id": objective.theme_id}
    return _reorder(siblings, objective, "objective.reordered", direction, actor, **scope)


def delete_objective(objective: Objective, *, actor) -> None:
    """Refused while a tiltag has it as main or related objective."""
    lock_board(objective.board_id, objective)
    _refuse_in_use(objective.label, objective_initiatives(objective))
    _remove(
        _objectives(objective.theme),
        objective,
        "objective.deleted",
        actor,
        theme_id=objective.theme_id,
        number=objective.number,
        title=objective.title,
    )
