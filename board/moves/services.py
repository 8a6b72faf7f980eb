"""Moving a card: the one domain function every move goes through.

`move_initiative` runs inside the caller's transaction and leaves the commit
to the caller (the view), so the new positions, the bumped version and the
`initiative.moved` Event commit together or not at all.

What `position` means
---------------------
`position` is the number of cards *the client can see* above the card in its
new place, i.e. the card's 0-based index in the target column as drawn in the
browser after the drop (the moved card itself not counted elsewhere). On an
unfiltered board that is the card's new stored position. On a filtered board
(`board_filter` active) hidden cards exist, and the rule is:

    the card goes right after the visible card above it, or to the top of the
    column when no visible card is above it.

Hidden cards therefore keep their order among themselves and relative to
every visible card other than the moved one. The stored positions are then
renumbered densely (0, 1, 2, ...) in both affected columns.

Concurrency
-----------
`move_initiative` takes the board's lock (`board.locks.lock_board`) before
it reads anything, so all changes of one board, moves included, run one
after the other; the card is read again under the lock. See board/locks.py
for which lock that is on each database and why.

The card's version is checked *after* the lock, so of two moves carrying the
same version exactly one succeeds and the other gets `StaleVersion` (409).

Cost
----
When both columns are dense (the rule everything keeps) and the board is not
filtered, a move reads no column: one aggregate query checks density and
counts, and one or two range UPDATEs shift the cards in between by one
(`_shift`). Otherwise (a filtered board, or a column with a gap left by other
code) the column(s) are read in order and renumbered, writing only the rows
whose position changes (`_renumber`), which also repairs any gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..clock import utcnow
from ..errors import Refused, StaleVersion
from ..events import record_event
from ..extensions import db
from ..locks import lock_board
from ..models import STAGE_LABELS, Event, Initiative, Stage


@dataclass
class MoveResult:
    initiative: Initiative
    from_stage: str
    from_position: int
    to_stage: str
    to_position: int
    event: Event | None  # None when the card was already where asked

    @property
    def changed(self) -> bool:
        return self.event is not None


@dataclass(frozen=True)
class _Slot:
    id: int
    theme_id: int
    objective_id: int | None
    position: int
    owner_id: int | None = None  # with health: what the board filter may select on
    health: str | None = None


def _column(board_id: int, stage: str) -> list[_Slot]:
    """The live cards of a column, in board order (one query)."""
    rows = db.session.execute(
        sa.select(
            Initiative.id,
            Initiative.theme_id,
            Initiative.objective_id,
            Initiative.position,
            Initiative.owner_id,
            Initiative.health,
        )
        .where(
            Initiative.board_id == board_id,
            Initiative.stage == stage,
            Initiative.archived_at.is_(None),
        )
        .order_by(Initiative.position, Initiative.id)
    )
    return [_Slot(*row) for row in rows]


def _is_visible(card: _Slot, board_filter) -> bool:
    return board_filter is None or board_filter.shows(card)


def _past_the_end(position: int, others: int, stage: str, filtered: bool) -> Refused:
    shown = "synlige tiltag" if filtered else "tiltag"
    return Refused(
        f"Placering {position + 1} findes ikke i {STAGE_LABELS[Stage(stage)]}: kolonnen har "
        f"{others} andre {shown}. Genindlæs tavlen og prøv igen."
    )


def _insert_index(others: list[_Slot], position: int, board_filter, stage: str) -> int:
    """Where among `others` (the target column without the card) the card
    goes, given the client's `position` among the cards it can see."""
    visible = [i for i, card in enumerate(others) if _is_visible(card, board_filter)]
    if position > len(visible):
        filtered = board_filter is not None and board_filter.active
        raise _past_the_end(position, len(visible), stage, filtered)
    if position == 0:
        return 0
    return visible[position - 1] + 1  # right after the visible card above


def _dense_columns(board_id: int, stages: set[str]) -> dict[str, int] | None:
    """{stage: number of live cards} when every column in `stages` holds
    exactly the positions 0..n-1, else None (one aggregate query)."""
    rows = db.session.execute(
        sa.select(
            Initiative.stage,
            sa.func.count(),
            sa.func.min(Initiative.position),
            sa.func.max(Initiative.position),
            sa.func.count(sa.distinct(Initiative.position)),
        )
        .where(
            Initiative.board_id == board_id,
            Initiative.stage.in_(stages),
            Initiative.archived_at.is_(None),
        )
        .group_by(Initiative.stage)
    ).all()
    counts = dict.fromkeys(stages, 0)
    for stage, count, low, high, distinct in rows:
        if not (low == 0 and high == count - 1 and distinct == count):
            return None
        counts[stage] = count
    return counts


def _shift(initiative: Initiative, from_stage: str, from_position: int, stage: str, to: int):
    """Make room at `to` in `stage` and close the gap at `from_position` in
    `from_stage`, for columns that are dense: at most two UPDATE statements,
    however many cards move up or down by one. The card itself is written
    through the ORM."""
    table = Initiative.__table__
    live = sa.and_(table.c.board_id == initiative.board_id, table.c.archived_at.is_(None))
    if from_stage != stage:
        db.session.execute(
            table.update()
            .where(live, table.c.stage == from_stage, table.c.position > from_position)
            .values(position=table.c.position - 1)
        )
        db.session.execute(
            table.update()
            .where(live, table.c.stage == stage, table.c.position >= to)
            .values(position=table.c.position + 1)
        )
        return
    same_column = sa.and_(live, table.c.stage == stage, table.c.id != initiative.id)
    if to < from_position:  # up: the cards from `to` to just above it go down one
        between = table.c.position.between(to, from_position - 1)
        db.session.execute(
            table.update().where(same_column, between).values(position=table.c.position + 1)
        )
    else:  # down: the cards from just below it to `to` go up one
        between = table.c.position.between(from_position + 1, to)
        db.session.execute(
            table.update().where(same_column, between).values(position=table.c.position - 1)
        )


def _renumber(ordered: list[_Slot], skip_id: int) -> None:
    """Give the cards of `ordered` the positions 0..n-1, writing only the rows
    whose position changes (one executemany statement). `skip_id` (the moved
    card) is written through the ORM instead."""
    changes = [
        {"row_id": card.id, "new_position": index}
        for index, card in enumerate(ordered)
        if card.id != skip_id and card.position != index
    ]
    if not changes:
        return
    table = Initiative.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(position=sa.bindparam("new_position")),
        changes,
    )


def _expire_positions(moved: Initiative) -> None:
    """Cards already loaded in this session hold positions that the bulk
    UPDATE has changed under them: make them read again when used."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Initiative) and obj is not moved:
            db.session.expire(obj, ["position"])


def parse_stage(value) -> str:
    """A column's stored value, or Refused with a Danish message."""
    try:
        return Stage(value).value
    except ValueError:
        shown = str(value)[:40] if value not in (None, "") else "(tom)"
        raise Refused(f"Kolonnen «{shown}» findes ikke.") from None


def move_initiative(
    initiative: Initiative,
    *,
    stage: str,
    position: int,
    version: int,
    actor,
    board_filter=None,
) -> MoveResult:
    """Move `initiative` to `stage` at `position` (see the module docstring
    for what position means, filtered or not).

    Raises Refused (400) or StaleVersion (409) before writing anything.
    On success the card's stage, position, version and updated_at are set,
    both affected columns are dense again, and an `initiative.moved` Event is
    added. A move to where the card already is changes nothing and records
    no Event (`result.changed` is False).
    """
    stage = parse_stage(stage)
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise Refused("Placeringen skal være et helt tal fra 1 og op.")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise Refused("Kortets version mangler eller er ugyldig. Genindlæs tavlen.")

    board_id = initiative.board_id
    # The caller may have loaded the card before the lock: read it again.
    lock_board(board_id, initiative)
    if initiative.version != version:
        raise StaleVersion(initiative)
    if initiative.archived_at is not None:
        raise Refused("Kortet er arkiveret og kan ikke flyttes.", 409)

    from_stage = initiative.stage
    from_position = initiative.position
    dense = _dense_columns(board_id, {from_stage, stage})
    filtered = board_filter is not None and board_filter.active
    if dense and not filtered:
        # The common case costs no read of the columns: positions are the
        # order, so `position` is the new index and two range UPDATEs shift
        # the cards in between.
        others = dense[stage] - (1 if from_stage == stage else 0)
        if position > others:
            raise _past_the_end(position, others, stage, filtered)
        insert_at = position
        if from_stage == stage and insert_at == from_position:
            return MoveResult(initiative, from_stage, from_position, stage, insert_at, None)
        _shift(initiative, from_stage, from_position, stage, insert_at)
    else:
        target = _column(board_id, stage)
        others = [card for card in target if card.id != initiative.id]
        insert_at = _insert_index(others, position, board_filter, stage)
        if from_stage == stage and [c.id for c in target].index(initiative.id) == insert_at:
            return MoveResult(initiative, from_stage, from_position, stage, insert_at, None)
        if from_stage != stage:
            source = [c for c in _column(board_id, from_stage) if c.id != initiative.id]
            _renumber(source, skip_id=initiative.id)
        moved = _Slot(initiative.id, initiative.theme_id, initiative.objective_id, -1)
        _renumber([*others[:insert_at], moved, *others[insert_at:]], skip_id=initiative.id)
    _expire_positions(initiative)

    initiative.stage = stage
    initiative.position = insert_at
    initiative.version = version + 1
    initiative.updated_at = utcnow()
    event = record_event(
        board_id=board_id,
        initiative_id=initiative.id,
        kind="initiative.moved",
        payload={
            "title": initiative.title,
            "from_stage": from_stage,
            "from_position": from_position,
            "to_stage": stage,
            "to_position": insert_at,
        },
        actor=actor,
    )
    db.session.flush()
    return MoveResult(initiative, from_stage, from_position, stage, insert_at, event)
