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
after the other. See board/locks.py for which lock that is on each database
and why. Of two moves carrying the same version exactly one succeeds and the
other gets `StaleVersion` (409): the version is checked under the lock.

The lock is held as briefly as the guarantee allows. What needs no lock is
done before it: parsing, and a version the loaded card has already passed
(versions only grow, so that request is stale whatever happens next). Under
the lock, the usual move (an unfiltered board, dense columns) is four
statements: one read of the card's current place and version with the two
columns' counts and density (`_locked_state`), one UPDATE that shifts the
cards in between (`_shift`, both columns at once), one UPDATE of the card
(guarded by its version), and the Event's INSERT; then the commit (with the
live feed's `pg_notify` on PostgreSQL). The answer is rendered after the
commit. Everything else (a filtered board, a column with a gap, a card
that is not where the loaded object says) takes the careful path: the card
re-read in full, the columns read and renumbered (`_renumber`), which also
repairs a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from ..clock import utcnow
from ..errors import Refused, StaleVersion
from ..events import record_event
from ..extensions import db
from ..locks import lock_board, refresh_or_vanish
from ..models import STAGE_LABELS, Event, Initiative, Stage


@dataclass
class MoveResult:
    initiative: Initiative
    from_stage: str
    from_position: int
    to_stage: str
    to_position: int
    event: Event | None  # None when the card was already where asked
    # Live cards of the columns it left and entered, after the move, as read
    # under the lock; None where the move could not know them without
    # another query (a filtered board: the counts are the filter's).
    counts: dict[str, int] | None = None

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


@dataclass(frozen=True)
class _LockedState:
    """What a move needs to know, read under the lock in one statement."""

    version: int | None  # None: the card is not live in the expected column
    position: int
    counts: dict[str, int]
    dense: bool


# The statements a move runs under the lock are built once (with bind
# parameters) and run on the session's connection: building SQLAlchemy
# expressions costs more Python time than the statements cost the database,
# and that time would be spent holding the lock.
_T = Initiative.__table__
_LIVE = sa.and_(_T.c.board_id == sa.bindparam("m_board_id"), _T.c.archived_at.is_(None))
_IS_CARD = _T.c.id == sa.bindparam("m_card_id")
_TWO_COLUMNS = _T.c.stage.in_([sa.bindparam("m_from_stage"), sa.bindparam("m_to_stage")])

_LOCKED_STATE = (
    sa.select(
        _T.c.stage,
        sa.func.count(),
        sa.func.min(_T.c.position),
        sa.func.max(_T.c.position),
        sa.func.count(sa.distinct(_T.c.position)),
        sa.func.max(sa.case((_IS_CARD, _T.c.version))),
        sa.func.max(sa.case((_IS_CARD, _T.c.position))),
    )
    .where(_LIVE, _TWO_COLUMNS)
    .group_by(_T.c.stage)
)

_OTHERS = sa.and_(_LIVE, _T.c.id != sa.bindparam("m_card_id"))
# Across columns: room at :to in the target, the gap at :from closed in the
# source, in one statement.
_SHIFT_ACROSS = (
    _T.update()
    .where(
        _OTHERS,
        _TWO_COLUMNS,
        sa.or_(
            sa.and_(
                _T.c.stage == sa.bindparam("m_to_stage"), _T.c.position >= sa.bindparam("m_to")
            ),
            sa.and_(
                _T.c.stage == sa.bindparam("m_from_stage"), _T.c.position > sa.bindparam("m_from")
            ),
        ),
    )
    .values(
        position=_T.c.position + sa.case((_T.c.stage == sa.bindparam("m_to_stage"), 1), else_=-1)
    )
)
_IN_COLUMN = sa.and_(_OTHERS, _T.c.stage == sa.bindparam("m_to_stage"))
# Up: the cards from :to to just above the card go down one; down: the
# cards from just below it to :to go up one.
_SHIFT_UP = (
    _T.update()
    .where(_IN_COLUMN, _T.c.position.between(sa.bindparam("m_to"), sa.bindparam("m_from") - 1))
    .values(position=_T.c.position + 1)
)
_SHIFT_DOWN = (
    _T.update()
    .where(_IN_COLUMN, _T.c.position.between(sa.bindparam("m_from") + 1, sa.bindparam("m_to")))
    .values(position=_T.c.position - 1)
)
_WRITE_CARD = (
    _T.update()
    .where(_T.c.id == sa.bindparam("m_card_id"), _T.c.version == sa.bindparam("m_old_version"))
    .values(
        stage=sa.bindparam("m_to_stage"),
        position=sa.bindparam("m_to"),
        version=sa.bindparam("m_new_version"),
        updated_at=sa.bindparam("m_now", type_=_T.c.updated_at.type),
    )
)


def _locked_state(card_id: int, board_id: int, from_stage: str, stage: str) -> _LockedState:
    """The card's version and position (if it is live in `from_stage`) and
    each of the two columns' count and density, in one aggregate query."""
    rows = (
        db.session.connection()
        .execute(
            _LOCKED_STATE,
            {
                "m_board_id": board_id,
                "m_card_id": card_id,
                "m_from_stage": from_stage,
                "m_to_stage": stage,
            },
        )
        .all()
    )
    counts = dict.fromkeys({from_stage, stage}, 0)
    dense, version, position = True, None, -1
    for row_stage, count, low, high, distinct, card_version, card_position in rows:
        counts[row_stage] = count
        dense = dense and low == 0 and high == count - 1 and distinct == count
        if card_version is not None and row_stage == from_stage:
            version, position = card_version, card_position
    return _LockedState(version, position, counts, dense)


def _shift(initiative: Initiative, from_stage: str, from_position: int, stage: str, to: int):
    """Make room at `to` in `stage` and close the gap at `from_position` in
    `from_stage`, for columns that are dense: one UPDATE statement, however
    many cards move up or down by one. The card itself is written apart."""
    if from_stage != stage:
        statement = _SHIFT_ACROSS
    else:
        statement = _SHIFT_UP if to < from_position else _SHIFT_DOWN
    db.session.connection().execute(
        statement,
        {
            "m_board_id": initiative.board_id,
            "m_card_id": initiative.id,
            "m_from_stage": from_stage,
            "m_to_stage": stage,
            "m_from": from_position,
            "m_to": to,
        },
    )


def _write_card(initiative: Initiative, *, stage: str, position: int, version: int) -> None:
    """The card's new place and version in one UPDATE guarded by the version
    it had under the lock; the loaded object is told the committed values
    (so the ORM writes nothing more)."""
    now = utcnow()
    written = (
        db.session.connection()
        .execute(
            _WRITE_CARD,
            {
                "m_card_id": initiative.id,
                "m_old_version": version,
                "m_new_version": version + 1,
                "m_to_stage": stage,
                "m_to": position,
                "m_now": now,
            },
        )
        .rowcount
    )
    if written != 1:  # cannot happen under the lock; never write a half move
        raise RuntimeError(f"card {initiative.id} changed under the board's lock")
    for name, value in (
        ("stage", stage),
        ("position", position),
        ("version", version + 1),
        ("updated_at", now),
    ):
        set_committed_value(initiative, name, value)


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
    if initiative.version > version:
        # Versions only grow: the card has changed since the client saw it.
        # Refused without waiting for the lock (the loaded card is shown).
        raise StaleVersion(initiative)
    filtered = board_filter is not None and board_filter.active
    if filtered or initiative.version != version:
        return _move_carefully(initiative, stage, position, version, actor, board_filter)

    # The loaded card is the client's version: its column and its texts are
    # those of that version, and the one locked read below tells whether it
    # still is (and where it is now: other moves shift it without a new version).
    from_stage = initiative.stage
    lock_board(board_id)
    state = _locked_state(initiative.id, board_id, from_stage, stage)
    if state.version != version or not state.dense:
        return _move_carefully(initiative, stage, position, version, actor, board_filter)
    from_position = state.position
    others = state.counts[stage] - (1 if from_stage == stage else 0)
    if position > others:
        raise _past_the_end(position, others, stage, filtered)
    if from_stage == stage and position == from_position:
        set_committed_value(initiative, "position", from_position)
        return MoveResult(
            initiative, from_stage, from_position, stage, position, None, state.counts
        )
    _shift(initiative, from_stage, from_position, stage, position)
    _write_card(initiative, stage=stage, position=position, version=version)
    _expire_positions(initiative)
    event = _record_move(initiative, actor, from_stage, from_position, stage, position)
    counts = _counts_after(state.counts, from_stage, stage)
    return MoveResult(initiative, from_stage, from_position, stage, position, event, counts)


def _counts_after(counts: dict[str, int], from_stage: str, stage: str) -> dict[str, int]:
    """The two columns' counts read before the move, as the move leaves them."""
    after = dict(counts)
    if from_stage != stage:
        after[from_stage] -= 1
        after[stage] += 1
    return after


def _record_move(initiative, actor, from_stage, from_position, stage, to_position) -> Event:
    event = record_event(
        board_id=initiative.board_id,
        initiative_id=initiative.id,
        kind="initiative.moved",
        payload={
            "title": initiative.title,
            "from_stage": from_stage,
            "from_position": from_position,
            "to_stage": stage,
            "to_position": to_position,
        },
        actor=actor,
    )
    db.session.flush()  # the Event's INSERT (its id), still under the lock
    return event


def _move_carefully(initiative, stage, position, version, actor, board_filter) -> MoveResult:
    """The general move: the card read again in full under the lock, the
    columns read when the board is filtered or a column has a gap, and only
    the positions that change written."""
    board_id = initiative.board_id
    lock_board(board_id)
    refresh_or_vanish(initiative)
    if initiative.version != version:
        raise StaleVersion(initiative)
    if initiative.archived_at is not None:
        raise Refused("Kortet er arkiveret og kan ikke flyttes.", 409)

    from_stage = initiative.stage
    from_position = initiative.position
    dense = _dense_columns(board_id, {from_stage, stage})
    filtered = board_filter is not None and board_filter.active
    if dense and not filtered:
        others = dense[stage] - (1 if from_stage == stage else 0)
        if position > others:
            raise _past_the_end(position, others, stage, filtered)
        insert_at = position
        if from_stage == stage and insert_at == from_position:
            return MoveResult(initiative, from_stage, from_position, stage, insert_at, None, dense)
        _shift(initiative, from_stage, from_position, stage, insert_at)
        counts = _counts_after(dense, from_stage, stage)
    else:
        counts = None  # a filtered board's counts are the filter's, or a gap was repaired
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
    _write_card(initiative, stage=stage, position=insert_at, version=version)
    _expire_positions(initiative)
    event = _record_move(initiative, actor, from_stage, from_position, stage, insert_at)
    return MoveResult(initiative, from_stage, from_position, stage, insert_at, event, counts)
