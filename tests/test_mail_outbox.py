"""The outbox and its delivery (board/mail), against a real SMTP server
(tests/mail_helpers.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from board.auth.accounts import deactivate_user
from board.clock import utcnow
from board.extensions import db
from board.mail.delivery import deliver_due
from board.mail.models import MailState, OutboxMessage
from board.mail.outbox import queue_mail
from board.models import Board
from tests import factories
from tests.mail_helpers import smtp_config


@pytest.fixture
def mail_app(make_app, smtp_server):
    app = make_app(**smtp_config(smtp_server))
    with app.app_context():
        yield app


def _rows() -> list[OutboxMessage]:
    db.session.rollback()  # read what other transactions committed
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def _queue(n: int, **kwargs) -> None:
    for i in range(n):
        queue_mail(
            to_address=f"modtager{i}@norddjurs.test",
            subject=f"Besked {i}",
            text=f"Hej nummer {i}",
            kind="test",
            **kwargs,
        )
    db.session.commit()


def test_a_rolled_back_change_sends_nothing(mail_app, smtp_server):
    board = Board(title="Tavle der aldrig bliver til")
    db.session.add(board)
    queue_mail(to_address="a@norddjurs.test", subject="Ny tavle", text="...", kind="test")
    db.session.rollback()

    queue_mail(to_address="b@norddjurs.test", subject="Sendes", text="Denne", kind="test")
    db.session.commit()
    result = deliver_due()

    assert result.sent == 1
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "b@norddjurs.test"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == 0
    assert [row.recipient_address for row in _rows()] == ["b@norddjurs.test"]


def test_a_message_is_danish_text_with_an_html_alternative(mail_app, smtp_server):
    user = factories.make_user("lone@norddjurs.test", name="Lone Leder")
    queue_mail(
        to_user=user,
        subject="Status til Områdeudvalget – mangler fra dig",
        text="Kære Lone\n\nDu mangler at opdatere 2 tiltag.",
        html="<p>Kære Lone</p><p>Du mangler at opdatere <strong>2</strong> tiltag.</p>",
        headers={"X-Tiltag-Runde": "7"},
        kind="round.reminder",
    )
    db.session.commit()
    deliver_due()

    [received] = smtp_server.received
    mail = received.message
    assert received.rcpt_tos == ("lone@norddjurs.test",)
    assert mail["Subject"] == "Status til Områdeudvalget – mangler fra dig"
    assert mail["From"] == "Tiltagstavlen <tiltag@norddjurs.test>"
    assert mail["Content-Language"] == "da"
    assert mail["X-Tiltag-Runde"] == "7"
    assert mail["Message-ID"].endswith("@norddjurs.test>")
    assert mail["Date"].datetime is not None
    assert mail.get_content_type() == "multipart/alternative"
    assert mail.get_body(("plain",)).get_content().startswith("Kære Lone")
    assert "<strong>2</strong>" in mail.get_body(("html",)).get_content()
    [row] = _rows()
    assert row.state == MailState.SENT and row.sent_at is not None
    assert row.message_id == mail["Message-ID"]


def test_text_only_when_there_is_no_html(mail_app, smtp_server):
    _queue(1)
    deliver_due()
    [mail] = smtp_server.wait_for(1)
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().strip() == "Hej nummer 0"


def test_a_deactivated_user_gets_nothing(mail_app, smtp_server):
    gone = factories.make_user("gone@norddjurs.test", active=False)
    later = factories.make_user("later@norddjurs.test")
    stays = factories.make_user("stays@norddjurs.test")
    assert queue_mail(to_user=gone, subject="Hej", text="...", kind="test") is None
    queue_mail(to_user=later, subject="Hej", text="...", kind="test")
    queue_mail(to_user=stays, subject="Hej", text="...", kind="test")
    db.session.commit()
    deactivate_user(later)  # after the mail was queued, before it was sent
    db.session.commit()

    result = deliver_due()

    assert (result.sent, result.cancelled) == (1, 1)
    assert [r.rcpt_tos for r in smtp_server.received] == [("stays@norddjurs.test",)]
    assert {row.recipient_address: row.state for row in _rows()} == {
        "later@norddjurs.test": MailState.CANCELLED,
        "stays@norddjurs.test": MailState.SENT,
    }


def test_a_dedupe_key_queues_once_and_sends_once(mail_app, smtp_server):
    first = queue_mail(
        to_address="a@norddjurs.test",
        subject="Påmindelse",
        text="1",
        kind="test",
        dedupe_key="reminder:1:a",
    )
    second = queue_mail(
        to_address="a@norddjurs.test",
        subject="Påmindelse",
        text="2",
        kind="test",
        dedupe_key="reminder:1:a",
    )
    db.session.commit()
    deliver_due()
    third = queue_mail(
        to_address="a@norddjurs.test",
        subject="Påmindelse",
        text="3",
        kind="test",
        dedupe_key="reminder:1:a",
    )
    db.session.commit()
    deliver_due()

    assert first is not None and second is None and third is None
    assert len(smtp_server.received) == 1
    assert smtp_server.messages[0].get_content().strip() == "1"


def test_concurrent_transactions_with_one_dedupe_key_queue_one_message(mail_app):
    start = threading.Barrier(4)
    ids, errors = [], []

    def queue_one(n):
        try:
            with mail_app.app_context():
                start.wait()
                ids.append(
                    queue_mail(
                        to_address=f"{n}@norddjurs.test",
                        subject="Påmindelse",
                        text=str(n),
                        kind="test",
                        dedupe_key="reminder:2:x",
                    )
                )
                db.session.commit()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=queue_one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len([i for i in ids if i is not None]) == 1
    assert len(_rows()) == 1


def test_a_server_that_is_down_loses_nothing_and_doubles_nothing(mail_app, smtp_server):
    _queue(5)
    smtp_server.stop()

    down = deliver_due()

    assert down.server_error and down.sent == 0
    assert {row.state for row in _rows()} == {MailState.PENDING}
    _queue(2)  # more mail while the server is down
    smtp_server.start()
    back = deliver_due()
    again = deliver_due()

    assert back.sent == 7 and again.handled == 0
    received = smtp_server.wait_for(7)
    assert sorted(m["Subject"] for m in received) == sorted(
        [f"Besked {i}" for i in range(5)] + ["Besked 0", "Besked 1"]
    )
    assert len({m["Message-ID"] for m in received}) == 7
    assert {row.state for row in _rows()} == {MailState.SENT}


def test_a_server_that_goes_away_mid_pass_keeps_the_rest(mail_app, smtp_server):
    _queue(4)
    smtp_server.refuse_next(1, "421 4.3.2 Lukker ned")  # the first message's DATA

    first = deliver_due(limit=1)
    smtp_server.stop()
    second = deliver_due()
    smtp_server.start()
    third = deliver_due(now=utcnow() + timedelta(hours=2))

    assert first.sent == 0 and first.retried == 1  # refused with 421: retried later
    assert second.server_error and second.handled == 0
    assert third.sent == 4
    assert len(smtp_server.wait_for(4)) == 4
    assert {row.state for row in _rows()} == {MailState.SENT}


def test_a_temporary_refusal_is_retried_after_its_delay(mail_app, smtp_server):
    _queue(1)
    smtp_server.refuse_next(1, "451 4.3.0 Prøv igen senere")

    refused = deliver_due()
    [row] = _rows()
    state, error, retry_at = row.state, row.last_error, row.next_attempt_at
    too_soon = deliver_due()
    later = deliver_due(now=retry_at + timedelta(seconds=1))

    assert refused.retried == 1 and "451" in error
    assert state == MailState.PENDING and retry_at > utcnow()
    assert too_soon.handled == 0
    assert later.sent == 1
    assert len(smtp_server.received) == 1
    [row] = _rows()
    assert row.state == MailState.SENT and row.attempts == 2


def test_a_permanent_refusal_is_kept_as_failed_and_not_retried(mail_app, smtp_server):
    _queue(2)
    smtp_server.refuse_next(1, "550 5.1.1 Ukendt modtager")

    result = deliver_due()
    retry = deliver_due(now=utcnow() + timedelta(days=1))

    assert (result.failed, result.sent) == (1, 1)
    assert retry.handled == 0
    states = [row.state for row in _rows()]
    assert states == [MailState.FAILED, MailState.SENT]
    assert "550" in _rows()[0].last_error
    assert len(smtp_server.received) == 1


def test_two_deliverers_at_once_send_each_message_exactly_once(mail_app, smtp_server):
    count = 40
    _queue(count)
    start = threading.Barrier(3)
    results, errors = [], []

    def deliverer():
        try:
            with mail_app.app_context():
                start.wait()
                results.append(deliver_due())
                db.session.remove()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=deliverer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    received = smtp_server.wait_for(count)
    assert sum(r.sent for r in results) == count
    assert len(received) == count
    assert sorted(m["Subject"] for m in received) == sorted(f"Besked {i}" for i in range(count))
    assert len({m["Message-ID"] for m in received}) == count
    assert {row.state for row in _rows()} == {MailState.SENT}


def test_a_claim_left_by_a_crashed_deliverer_is_sent_again_after_the_lease(mail_app, smtp_server):
    _queue(1)
    [row] = _rows()
    crashed_at = utcnow()
    row.state, row.claim_token, row.claimed_at = MailState.SENDING.value, "dead", crashed_at
    row.attempts = 1
    db.session.commit()

    within_lease = deliver_due()
    after_lease = deliver_due(now=crashed_at + timedelta(seconds=15 * 60 + 1))

    assert within_lease.handled == 0
    assert after_lease.sent == 1
    [mail] = smtp_server.wait_for(1)
    [row] = _rows()
    assert mail["Message-ID"] == row.message_id
    assert row.state == MailState.SENT and row.attempts == 2


def test_without_smtp_host_mail_stays_in_the_outbox(app):
    _queue(1)
    result = app.test_cli_runner().invoke(args=["deliver-mail", "--once"])
    assert result.exit_code == 0
    assert "SMTP_HOST er ikke sat" in result.output
    assert [row.state for row in _rows()] == [MailState.PENDING]
    loop = app.test_cli_runner().invoke(args=["deliver-mail"])
    assert loop.exit_code != 0 and "SMTP_HOST er ikke sat" in loop.output


def test_deliver_mail_once_from_the_command_line(mail_app, smtp_server):
    _queue(2)
    result = mail_app.test_cli_runner().invoke(args=["deliver-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert "Sendt: 2" in result.output
    assert len(smtp_server.wait_for(2)) == 2

    smtp_server.stop()
    _queue(1)
    down = mail_app.test_cli_runner().invoke(args=["deliver-mail", "--once"])
    assert down.exit_code == 75 and "posten venter" in down.output


@pytest.mark.parametrize(
    "kwargs",
    [
        {"subject": "Hej\r\nBcc: alle@example.dk"},
        {"headers": {"X-Ok": "a\nb"}},
        {"headers": {"Bcc": "alle@example.dk"}},
    ],
)
def test_header_injection_is_refused_when_queued(mail_app, kwargs):
    values = {"subject": "Hej", "text": "...", "kind": "test", **kwargs}
    with pytest.raises(ValueError):
        queue_mail(to_address="a@norddjurs.test", **values)
