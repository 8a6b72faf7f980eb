"""Notification mail against a real SMTP server (tests/mail_helpers.py):
a mention at once, daily digests, unsubscribe headers, and that no removed
user and no redacted comment text ever reaches a mail."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.admin.services import set_board_role
from board.comments.services import add_comment, redact_comment
from board.digests.services import send_due_digests
from board.editing.services import update_initiative
from board.extensions import db
from board.mail.delivery import deliver_due
from board.mail.models import OutboxMessage
from board.moves.services import move_initiative
from board.notifications.following import set_following
from tests import factories
from tests.mail_helpers import smtp_config
from tests.notify_helpers import notes_of, notify_world
from tests.reports_helpers import on


@pytest.fixture
def mail_app(make_app, smtp_server):
    app = make_app(**smtp_config(smtp_server))
    with app.app_context():
        yield app


@pytest.fixture
def world(mail_app):
    return notify_world()


def _bodies() -> list[str]:
    db.session.rollback()
    return [m.text_body for m in db.session.scalars(sa.select(OutboxMessage))]


def test_a_mention_sends_one_mail_with_one_click_unsubscribe(world, smtp_server, mail_app):
    add_comment(
        world.card,
        actor=world.med,
        body="@Lone Leder kan du se på budgettet?",
        mentions=[world.leder.id],
    )
    db.session.commit()
    assert smtp_server.received == []  # queued, not sent inside the change
    deliver_due()
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "lone@example.dk"
    assert mail["Subject"] == "Mads Med nævnte dig på «Ny takstmodel for STU»"
    body = mail.get_content()
    assert "Lone Leder kan du se på budgettet?" in body
    assert "@[user:" not in body
    assert f"http://tavle.test/boards/{world.board.id}/initiatives/{world.card.id}#comment-" in body
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://tavle.test/unsubscribe/")
    assert "http://tavle.test/account/notifications" in body
    assert [n.category for n in notes_of(world.leder)] == ["mention"]
    # The one click, as a mail program makes it: no session, no CSRF token.
    client = mail_app.test_client()
    path = unsubscribe.split("tavle.test", 1)[1]
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    add_comment(world.card, actor=world.med, body="@Lone Leder igen", mentions=[world.leder.id])
    db.session.commit()
    deliver_due()
    assert len(smtp_server.messages) == 1  # mentions now only in the app
    assert [n.delivery for n in notes_of(world.leder)] == ["instant", "app"]


def test_a_daily_digest_holds_exactly_the_days_changes_and_runs_once(world, smtp_server):
    set_following(world.card, world.med2, True)  # MED: a daily digest by default
    other = factories.make_initiative(world.board, "Fælles kalender", stage="igangsat")
    set_following(other, world.med2, True)
    db.session.commit()
    with on("2026-03-09 09:00"):
        add_comment(world.card, actor=world.med, body="Gårsdagens kommentar")
        db.session.commit()
    with on("2026-03-09 18:00"):
        assert send_due_digests().queued == 1
    with on("2026-03-10 10:00"):
        move_initiative(
            world.card,
            stage="igangsat",
            position=0,
            version=world.card.version,
            actor=world.leder,
        )
        db.session.commit()
        update_initiative(
            other, expected_version=other.version, actor=world.leder, status_note="Næsten færdig"
        )
        db.session.commit()
    with on("2026-03-10 18:00"):
        result = send_due_digests()
        assert result.queued == 2  # Mette, and Mads (who follows since his comment)
        assert send_due_digests().queued == 0  # running again sends nothing twice
    with on("2026-03-11 07:00"):
        assert send_due_digests().queued == 0  # nothing happened since
    deliver_due()
    smtp_server.wait_for(3)
    first, second = [m for m in smtp_server.messages if m["To"] == "mette@example.dk"]
    assert "Gårsdagens kommentar" not in first.get_content()  # counted, never quoted
    assert "1 ny kommentar" in first.get_content()
    day = second.get_content()
    assert second["Subject"] == f"Dagens ændringer på {world.board.title}"
    assert "Flyttet fra Planlagt til Igangsat" in day
    assert "Status ændret. Nu: Næsten færdig" in day
    assert "ny kommentar" not in day  # yesterday's comment was in yesterday's digest
    assert second["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_user_removed_from_the_board_gets_nothing_more(world, smtp_server):
    set_following(world.card, world.med2, True)
    db.session.commit()
    with on("2026-03-10 10:00"):
        add_comment(world.card, actor=world.med, body="Før fjernelsen")
        db.session.commit()
        set_board_role(world.med2, world.board, None)
        db.session.commit()
        add_comment(world.card, actor=world.med, body="Efter fjernelsen")
        db.session.commit()
    with on("2026-03-10 18:00"):
        result = send_due_digests()
    assert (result.queued, result.no_access) == (0, 1)
    deliver_due()
    assert smtp_server.messages == []


def test_a_redacted_comments_text_is_in_no_mail(world, smtp_server):
    admin = factories.make_user("ada@example.dk", name="Ada Admin", is_admin=True)
    made = add_comment(
        world.card, actor=world.med, body="@Lone Leder CPR 010101-1234", mentions=[world.leder.id]
    )
    db.session.commit()
    redact_comment(made, actor=admin, reason="Persondata")
    db.session.commit()
    assert all("010101-1234" not in body for body in _bodies())
    deliver_due()
    assert smtp_server.messages == []  # cancelled before it went out
    # A comment redacted after its mail went out: the outbox's copy is blanked.
    later = add_comment(
        world.card,
        actor=world.med,
        body="@Lone Leder Hans Hansen, Vej 1",
        mentions=[world.leder.id],
    )
    db.session.commit()
    deliver_due()
    [mail] = smtp_server.wait_for(1)
    redact_comment(later, actor=admin, reason="Persondata")
    db.session.commit()
    assert all("Hans Hansen" not in body for body in _bodies())
