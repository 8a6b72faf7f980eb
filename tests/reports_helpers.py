"""History builders for the report tests: changes recorded at chosen times.

Cards are created with the domain function on main (`create_initiative`);
edits, moves and archiving are written as the Event log contract in
board/events.py describes them (with the row changed too), dated with `at`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from board.editing.services import create_initiative
from board.events import record_event
from board.extensions import db


def at(text: str) -> datetime:
    """A UTC moment from "2024-03-10 12:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def new_card(theme, title, *, when, objective=None, stage="planlagt", **fields):
    card = create_initiative(
        theme=theme, objective=objective, title=title, stage=stage, at=at(when), **fields
    )
    db.session.commit()
    return card


def edit(card, when, **changes):
    payload = {}
    for name, value in changes.items():
        payload[name] = [getattr(card, name), value]
        setattr(card, name, value)
    card.version += 1
    record_event(
        board_id=card.board_id,
        initiative_id=card.id,
        kind="initiative.updated",
        payload={"changes": payload},
        at=at(when),
    )
    db.session.commit()


def move(card, stage, when, position=0):
    record_event(
        board_id=card.board_id,
        initiative_id=card.id,
        kind="initiative.moved",
        payload={
            "title": card.title,
            "from_stage": card.stage,
            "from_position": card.position,
            "to_stage": stage,
            "to_position": position,
        },
        at=at(when),
    )
    card.stage, card.position = stage, position
    card.version += 1
    db.session.commit()


def archive(card, when):
    record_event(
        board_id=card.board_id,
        initiative_id=card.id,
        kind="initiative.archived",
        payload={"title": card.title, "stage": card.stage, "position": card.position},
        at=at(when),
    )
    card.archived_at = at(when)
    db.session.commit()


def restore(card, when):
    record_event(
        board_id=card.board_id,
        initiative_id=card.id,
        kind="initiative.restored",
        payload={"title": card.title, "stage": card.stage, "position": card.position},
        at=at(when),
    )
    card.archived_at = None
    db.session.commit()


def comment(card, when, user=None):
    from board.models import Comment

    row = Comment(initiative_id=card.id, author_id=getattr(user, "id", None), body="Hej")
    row.created_at = at(when)
    db.session.add(row)
    db.session.flush()
    record_event(
        board_id=card.board_id,
        initiative_id=card.id,
        kind="comment.added",
        payload={"comment_id": row.id},
        actor=user,
        at=at(when),
    )
    db.session.commit()
