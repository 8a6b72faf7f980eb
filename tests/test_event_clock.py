"""Clock skew between app hosts: the Event log's order is its ids (a board's
Events commit one at a time, in id order, under the board's lock), so a
report never shows a card's previous column because one host's clock ran
behind; and on PostgreSQL an Event's time is the database's clock, the one
clock every host shares. An explicit `at` (the demo loader dating cards to
their document) and the tests' controlled clock still date Events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.database import is_postgresql
from board.events import record_event
from board.extensions import db
from board.models import Event, Initiative
from board.moves.services import move_initiative
from board.reports.services import changes_since, status_as_of
from tests import factories
from tests.reports_helpers import at, move, new_card, on


@pytest.fixture
def skewed_card(app):
    """A card moved twice on one day, the second move made on a host whose
    clock was ten minutes behind: its Event has the higher id (it came
    second) but the earlier `created_at`."""
    with on("2024-01-01 08:00"):
        board = factories.make_board(themes=(("Borgeren først", ()),))
    card = new_card(board.themes[0], "Borgerpanel", when="2024-02-01 10:00")
    move(card, "igangsat", "2024-03-10 12:00")
    move(card, "afsluttet", "2024-03-10 12:05")
    second = db.session.scalars(
        sa.select(Event).where(Event.initiative_id == card.id).order_by(Event.id.desc())
    ).first()
    db.session.execute(
        sa.update(Event).where(Event.id == second.id).values(created_at=at("2024-03-10 11:55"))
    )
    db.session.commit()
    return board, card


def _stages(report):
    return {row.title: row.stage for _, _, row in report.flat_rows() if row is not None}


def test_the_status_replays_events_in_id_order_not_clock_order(skewed_card):
    board, card = skewed_card
    assert db.session.get(Initiative, card.id).stage == "afsluttet"  # the truth
    assert _stages(status_as_of(board, date(2024, 3, 20))) == {"Borgerpanel": "afsluttet"}


def test_changes_since_replays_events_in_id_order(skewed_card):
    board, card = skewed_card
    [change] = [c for g in changes_since(board, date(2024, 3, 1)).groups for c in g.changes]
    assert change.moved == ("planlagt", "afsluttet")
    assert change.stage == "afsluttet"


def test_an_explicit_time_dates_the_event(app, board):
    event = record_event(board_id=board.id, kind="board.created", at=at("2023-05-01 09:00"))
    db.session.commit()
    assert db.session.get(Event, event.id).created_at == at("2023-05-01 09:00")


def test_on_postgresql_events_take_the_databases_time(app, board, users):
    if not is_postgresql():
        pytest.skip("SQLite lives on the app's host: its clock is the host's")
    card = factories.make_initiative(board, "Borgerpanel")
    db.session.commit()
    # This host's clock is a year off; the database's is right.
    with time_machine.travel(at("2001-01-01 12:00"), tick=False):
        before = db.session.scalar(sa.select(sa.func.clock_timestamp()))
        move_initiative(card, stage="igangsat", position=0, version=card.version, actor=None)
        db.session.commit()
        after = db.session.scalar(sa.select(sa.func.clock_timestamp()))
    event = db.session.scalars(
        sa.select(Event).where(Event.initiative_id == card.id).order_by(Event.id.desc())
    ).first()
    assert before <= event.created_at <= after
    assert event.created_at - at("2001-01-01 12:00") > timedelta(days=300)
