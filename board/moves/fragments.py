"""What a move answers with, built with a fixed number of queries.

* Before the move: the card, with what its answer shows besides its own
  fields (its owner's name, visible comments, an open round's marker), in one
  query (`load_card`); none of that changes by moving it.
* After a move: the moved card, the counts of the columns it left and
  entered (from the move's own locked read, or one query on a filtered
  board) and the announcement. Its size and cost do not depend on the number
  of cards on the board.
* After a refused move whose cause is that the browser's picture is out of
  date (409): the affected columns, re-rendered in full, the other counts,
  and the notice naming who changed the card last.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased, selectinload

from ..boards.queries import (
    BoardFilter,
    BoardView,
    load_cards,
    load_comment_counts,
    load_round_missing,
    stage_counts_for,
)
from ..event_kinds import EVENT_KINDS
from ..extensions import db
from ..models import Board, Comment, Event, Initiative, RoundItem, Stage, StatusRound, User


def _view(
    board: Board, themes, board_filter: BoardFilter, columns, comment_counts, round_missing=None
) -> BoardView:
    """The parts of the board page's read model that a card needs. `themes`
    come from `load_themes` (with their objectives)."""
    return BoardView.build(
        board,
        themes,
        board_filter,
        columns=columns,
        comment_counts=comment_counts,
        round_missing=round_missing or {},
    )


class LoadedCard(NamedTuple):
    """The card a move is asked for, and what its answer shows besides its
    own fields."""

    initiative: Initiative
    owner_name: str
    comment_count: int
    round_missing: str  # the open round that still lacks its status, or ""


# Built once: every move runs it (see services.py on statement building).
_OWNER = aliased(User)
_LOAD_CARD = (
    sa.select(
        Initiative,
        _OWNER.name,
        sa.select(sa.func.count())
        .where(
            Comment.initiative_id == Initiative.id,
            Comment.deleted_at.is_(None),
            Comment.redacted_at.is_(None),
        )
        .scalar_subquery(),
        sa.select(StatusRound.title)
        .join(RoundItem, RoundItem.round_id == StatusRound.id)
        .where(
            RoundItem.initiative_id == Initiative.id,
            StatusRound.board_id == Initiative.board_id,
            StatusRound.closed_at.is_(None),
            RoundItem.completed_at.is_(None),
        )
        .limit(1)
        .scalar_subquery(),
    )
    .outerjoin(_OWNER, _OWNER.id == Initiative.owner_id)
    .where(
        Initiative.id == sa.bindparam("card_id"),
        Initiative.board_id == sa.bindparam("board_id"),
    )
)


def load_card(board_id: int, initiative_id: int) -> LoadedCard:
    """The card of this board (archived ones included: the move refuses
    those with a message), or 404 (unknown, or of another board)."""
    row = db.session.execute(_LOAD_CARD, {"card_id": initiative_id, "board_id": board_id}).first()
    if row is None:
        abort(404)
    initiative, owner_name, comment_count, round_missing = row
    return LoadedCard(initiative, owner_name or "", comment_count or 0, round_missing or "")


class _MovedRow(NamedTuple):
    """The moved card's fields as `BoardView.card` reads a card row."""

    id: int
    theme_id: int
    objective_id: int | None
    title: str
    status_note: str
    stage: str
    position: int
    version: int
    health: str | None
    owner_name: str


def card_summary(board: Board, themes, board_filter: BoardFilter, loaded: LoadedCard):
    """The moved card as the board shows it (a CardSummary: plain values that
    outlive the transaction), from the loaded card as the move left it."""
    card = loaded.initiative
    row = _MovedRow(
        card.id,
        card.theme_id,
        card.objective_id,
        card.title,
        card.status_note,
        card.stage,
        card.position,
        card.version,
        card.health,
        loaded.owner_name,
    )
    return (
        _view(board, themes, board_filter, {}, {})
        .card(row)
        ._replace(comment_count=loaded.comment_count, round_missing=loaded.round_missing)
    )


def moved_context(board_id: int, board_filter: BoardFilter, card, counts=None) -> dict:
    """The answer's card and column counts: `counts` as the move read them
    under the lock (the two columns it touched), else one query for all."""
    return {
        "card": card,
        "counts": counts if counts is not None else stage_counts_for(board_id, board_filter),
    }


def announcement(result, visible_position: int) -> str:
    """The Danish sentence a screen reader hears after a move."""
    if not result.changed:  # no Event: nothing happened
        return f"«{result.initiative.title}» blev ikke flyttet: det står allerede der."
    return EVENT_KINDS[result.event.kind].own(result.event.payload, visible_position)


def last_changed_by(initiative_id: int) -> str:
    """Who made the card's latest change (its latest Event), for the notice."""
    event = db.session.scalars(
        sa.select(Event)
        .where(Event.initiative_id == initiative_id)
        .options(selectinload(Event.actor))
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    if event is None or event.actor is None:
        return "en anden"
    return event.actor.name


def conflict_context(
    board: Board, themes, board_filter: BoardFilter, initiative: Initiative, shown_in: set
) -> dict:
    """The columns the browser may show wrongly: the one the card is in now
    and those the client showed it in (`shown_in`: where it was dragged from
    and to; unknown values are ignored)."""
    stages = [s for s in Stage if s.value in shown_in or s.value == initiative.stage]
    view = _view(
        board,
        themes,
        board_filter,
        {},
        load_comment_counts(board.id),
        load_round_missing(board.id),
    )
    rows = load_cards(board.id, board_filter, stages=stages)
    view.columns = {stage: [view.card(row) for row in cards] for stage, cards in rows.items()}
    return {
        "view": view,
        "refreshed": stages,
        "counts": stage_counts_for(board.id, board_filter),
        "changed_by": last_changed_by(initiative.id),
    }
