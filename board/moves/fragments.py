"""What a move answers with, built with a fixed number of queries.

* After a move: the moved card, the four column counts (under the viewer's
  filter) and the announcement. Its size and cost do not depend on the number
  of cards on the board.
* After a refused move whose cause is that the browser's picture is out of
  date (409): the affected columns, re-rendered in full, the other counts,
  and the notice naming who changed the card last.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

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
from ..models import Board, Comment, Event, Initiative, Stage


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


def _comment_count(initiative_id: int) -> dict[int, int]:
    count = db.session.scalar(
        sa.select(sa.func.count()).where(
            Comment.initiative_id == initiative_id,
            Comment.deleted_at.is_(None),
            Comment.redacted_at.is_(None),
        )
    )
    return {initiative_id: count} if count else {}


def card_summary(board: Board, themes, board_filter: BoardFilter, initiative: Initiative):
    """The moved card as the board shows it (a CardSummary: plain values that
    outlive the transaction); its comment count is added by `moved_context`."""
    return _view(board, themes, board_filter, {}, {}).card(initiative)


def moved_context(board_id: int, board_filter: BoardFilter, card) -> dict:
    counts = _comment_count(card.id)
    missing = load_round_missing(board_id, [card.id])
    return {
        "card": card._replace(
            comment_count=counts.get(card.id, 0), round_missing=missing.get(card.id, "")
        ),
        "counts": stage_counts_for(board_id, board_filter),
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
