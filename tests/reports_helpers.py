"""History builders for the report tests: changes made at chosen times.

Every change goes through the domain function the app itself uses
(`create_initiative`, `update_initiative`, `move_initiative`, ...), so its
Event is exactly what the app records. The clock is set with time-machine:
`utcnow()` (board/clock.py) is `datetime.now(UTC)`, which time-machine
controls, and it gives the rows' `created_at`. Events take the database's
clock on PostgreSQL, which time-machine cannot set, so `on()` also dates
them with `clock.events_dated` (what the demo loader's explicit times do).
Each helper commits, as the view that makes the change does.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import time_machine

from board.clock import events_dated
from board.comments.services import add_comment
from board.editing.services import (
    archive_initiative,
    create_initiative,
    restore_initiative,
    update_initiative,
)
from board.extensions import db
from board.moves.services import move_initiative


def at(text: str) -> datetime:
    """A UTC moment from "2024-03-10 12:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@contextmanager
def on(when: str):
    """The clock stands still at `when` (UTC) inside the block."""
    moment = at(when)
    with time_machine.travel(moment, tick=False), events_dated(moment):
        yield


def new_card(theme, title, *, when, objective=None, stage="planlagt", **fields):
    with on(when):
        card = create_initiative(
            theme=theme, objective=objective, title=title, stage=stage, **fields
        )
        db.session.commit()
    return card


def edit(card, when, **changes):
    with on(when):
        update_initiative(card, expected_version=card.version, actor=None, **changes)
        db.session.commit()


def move(card, stage, when, position=0):
    with on(when):
        move_initiative(card, stage=stage, position=position, version=card.version, actor=None)
        db.session.commit()


def archive(card, when):
    with on(when):
        archive_initiative(card, expected_version=card.version, actor=None)
        db.session.commit()


def restore(card, when):
    with on(when):
        restore_initiative(card, expected_version=card.version, actor=None)
        db.session.commit()


def comment(card, when, user):
    with on(when):
        add_comment(card, actor=user, body="Hej")
        db.session.commit()
