"""The round's e-mails through the outbox and a real SMTP server: one mail
per person asked when a round opens, reminders before and on the deadline
that a second run does not repeat, a leader's reminder now, nothing for a
deactivated user, nothing when the opening is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from board.auth.accounts import deactivate_user
from board.clock import today_local
from board.errors import Refused
from board.extensions import db
from board.mail.delivery import deliver_due
from board.mail.models import OutboxMessage
from board.models import Board, Role
from board.rounds import services
from tests import factories
from tests.mail_helpers import smtp_config


@pytest.fixture
def mail_app(make_app, smtp_server):
    app = make_app(**smtp_config(smtp_server), PUBLIC_BASE_URL="https://tiltag.norddjurs.test")
    with app.app_context():
        yield app


@pytest.fixture
def cli(mail_app):
    return mail_app.test_cli_runner()


@pytest.fixture
def people(mail_app):
    board = factories.make_board()
    leder = factories.make_user("leder@example.dk", name="Lone Leder", board=board, role=Role.LEDER)
    med = factories.make_user("med@example.dk", name="Mads Med", board=board, role=Role.MED)
    factories.make_initiative(board, "Borgerpanel", owner_id=med.id)
    factories.make_initiative(board, "Samtaleguide", owner_id=med.id)
    factories.make_initiative(board, "Uden ejer")
    return board, leder, med


def outbox() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def plain(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def open_round(board, leder, days=10):
    status_round = services.open_round(
        board, title="Marts 2027", deadline=today_local() + timedelta(days=days), actor=leder
    )
    db.session.commit()
    return status_round


def test_opening_mails_each_person_asked_once_with_their_tiltag(people, smtp_server):
    board, leder, med = people
    open_round(board, leder)
    deliver_due()
    mails = {m["To"]: m for m in smtp_server.wait_for(2)}
    assert set(mails) == {"med@example.dk", "leder@example.dk"}
    to_owner = plain(mails["med@example.dk"])
    assert "Borgerpanel" in to_owner and "Samtaleguide" in to_owner
    assert "Uden ejer" not in to_owner
    assert "https://tiltag.norddjurs.test/mine" in to_owner
    assert "Uden ejer" in plain(mails["leder@example.dk"])
    html = mails["med@example.dk"].get_body(preferencelist=("html",)).get_content()
    assert 'href="https://tiltag.norddjurs.test/mine"' in html
    assert mails["med@example.dk"]["Subject"].startswith("Statusrunde: Marts 2027")


def test_a_refused_opening_queues_nothing(people):
    board, leder, _ = people
    open_round(board, leder)
    before = len(outbox())
    with pytest.raises(Refused):
        services.open_round(board, title="Igen", deadline=today_local(), actor=leder)
    db.session.rollback()
    assert len(outbox()) == before


def test_a_deactivated_owner_gets_no_mail(people):
    board, leder, med = people
    deactivate_user(med, actor=leder)
    db.session.commit()
    open_round(board, leder)
    # A deactivated owner is not asked: the leaders are.
    assert [m.recipient_address for m in outbox()] == ["leder@example.dk"]


def test_reminders_before_and_on_the_deadline_are_queued_once(people, cli):
    board, leder, med = people
    status_round = open_round(board, leder, days=10)
    opened = len(outbox())

    def run(day):
        result = cli.invoke(args=["send-reminders", "--today", day.isoformat(), "--days", "3"])
        assert result.exit_code == 0, result.output
        return result.output

    deadline = status_round.deadline
    assert "0" in run(deadline - timedelta(days=5))  # too early
    assert len(outbox()) == opened
    assert "2" in run(deadline - timedelta(days=3))
    assert len(outbox()) == opened + 2
    run(deadline - timedelta(days=3))  # the same day again
    run(deadline - timedelta(days=1))  # a later day before the deadline
    assert len(outbox()) == opened + 2
    run(deadline)
    rows = outbox()
    assert len(rows) == opened + 4
    assert rows[-1].subject.startswith("Fristen er i dag")
    run(deadline)
    run(deadline + timedelta(days=2))
    assert len(outbox()) == opened + 4


def test_reminders_go_only_to_those_still_missing(people, cli):
    board, leder, med = people
    status_round = open_round(board, leder, days=2)
    for item in status_round.items:
        if item.initiative.owner_id == med.id:
            services.complete_item(
                item, status_text="Ok", health="groen", stage=item.initiative.stage, actor=med
            )
    db.session.commit()
    opened = len(outbox())
    cli.invoke(args=["send-reminders", "--today", today_local().isoformat()])
    rows = outbox()[opened:]
    assert [m.recipient_address for m in rows] == ["leder@example.dk"]
    assert "Uden ejer" in rows[0].text_body and "Borgerpanel" not in rows[0].text_body


def test_a_leaders_reminder_now_sends_every_time(people, smtp_server):
    board, leder, med = people
    status_round = open_round(board, leder)
    opened = len(outbox())
    assert services.remind_now(status_round, actor=leder) == 2
    db.session.commit()
    assert services.remind_now(status_round, actor=leder) == 2
    db.session.commit()
    assert len(outbox()) == opened + 4
    deliver_due()
    smtp_server.wait_for(opened + 4)


def test_no_reminder_for_a_closed_round(people, cli):
    board, leder, _ = people
    status_round = open_round(board, leder, days=0)
    services.close_round(status_round, actor=leder)
    db.session.commit()
    opened = len(outbox())
    cli.invoke(args=["send-reminders"])
    assert len(outbox()) == opened
    assert db.session.get(Board, board.id) is not None
