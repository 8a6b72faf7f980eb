"""Domain tests for the comment log: add, the 15-minute edit window, delete
and GDPR redaction, and that no Event ever holds comment text."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from board.clock import utcnow
from board.comments import services
from board.comments.text import comment_html
from board.errors import Refused
from board.extensions import db
from board.models import Event
from tests import factories


@pytest.fixture
def card(board):
    return factories.make_initiative(board, "Ungeteamet flytter")


def comment_events(card):
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.initiative_id == card.id, Event.kind.like("comment.%"))
            .order_by(Event.id)
        )
    )


def test_add_keeps_text_records_event_without_text(card, users):
    comment = services.add_comment(card, actor=users["med"], body="  Vi blev ikke inddraget\r\n ")
    db.session.commit()
    assert comment.body == "Vi blev ikke inddraget"
    (event,) = comment_events(card)
    assert event.kind == "comment.added" and event.payload == {"comment_id": comment.id}
    assert "inddraget" not in json.dumps(event.payload)


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_too_long_comment_is_refused(card, users, body):
    with pytest.raises(Refused) as refused:
        services.add_comment(card, actor=users["med"], body=body)
    assert refused.value.status == 422


def test_5000_characters_is_allowed(card, users):
    assert len(services.add_comment(card, actor=users["med"], body="x" * 5000).body) == 5000


def test_author_can_edit_within_15_minutes_and_it_is_marked(card, users):
    comment = services.add_comment(card, actor=users["med"], body="Første udgave")
    later = comment.created_at + timedelta(minutes=14, seconds=59)
    services.edit_comment(comment, actor=users["med"], body="Rettet", now=later)
    assert comment.body == "Rettet" and comment.edited_at == later
    assert [e.kind for e in comment_events(card)] == ["comment.added", "comment.edited"]


def test_edit_after_15_minutes_is_refused(card, users):
    comment = services.add_comment(card, actor=users["med"], body="Første udgave")
    too_late = comment.created_at + timedelta(minutes=15, seconds=1)
    assert not services.can_edit(comment, users["med"], now=too_late)
    with pytest.raises(Refused) as refused:
        services.edit_comment(comment, actor=users["med"], body="Rettet", now=too_late)
    assert refused.value.status == 409
    assert comment.body == "Første udgave"


def test_only_the_author_can_edit_or_delete(card, users):
    comment = services.add_comment(card, actor=users["med"], body="Min")
    for other in (users["leder"], users["admin"]):
        with pytest.raises(Refused) as refused:
            services.edit_comment(comment, actor=other, body="Deres")
        assert refused.value.status == 403
        with pytest.raises(Refused):
            services.delete_comment(comment, actor=other)
    assert comment.body == "Min" and comment.deleted_at is None


def test_delete_blanks_text_and_keeps_who_and_when(card, users):
    comment = services.add_comment(card, actor=users["med"], body="Fortryder")
    services.delete_comment(comment, actor=users["med"])
    db.session.commit()
    assert comment.body == "" and comment.deleted_by_id == users["med"].id
    assert comment.deleted_at is not None
    assert [e.kind for e in comment_events(card)][-1] == "comment.deleted"
    with pytest.raises(Refused):
        services.edit_comment(comment, actor=users["med"], body="igen")


def test_admin_redaction_removes_text_keeps_fact_time_reason(card, users):
    comment = services.add_comment(card, actor=users["med"], body="Borgeren Hans Hansen, cpr ...")
    services.redact_comment(comment, actor=users["admin"], reason="Personoplysninger om borger")
    db.session.commit()
    assert comment.body == ""
    assert comment.redacted_at is not None and comment.redacted_by_id == users["admin"].id
    assert comment.redaction_reason == "Personoplysninger om borger"
    event = comment_events(card)[-1]
    assert event.kind == "comment.redacted"
    assert event.payload == {"comment_id": comment.id, "reason": "Personoplysninger om borger"}
    everything = json.dumps([e.payload for e in comment_events(card)])
    assert "Hansen" not in everything


def test_only_admin_redacts_and_a_reason_is_required(card, users):
    comment = services.add_comment(card, actor=users["med"], body="Tekst")
    with pytest.raises(Refused) as refused:
        services.redact_comment(comment, actor=users["leder"], reason="x")
    assert refused.value.status == 403
    with pytest.raises(Refused) as refused:
        services.redact_comment(comment, actor=users["admin"], reason="  ")
    assert refused.value.status == 422
    assert comment.body == "Tekst"


def test_comment_text_escapes_html_keeps_lines_and_links_only_http():
    html = str(
        comment_html(
            "<script>alert(1)</script>\nSe https://norddjurs.dk/a?b=1&c=2.\n"
            'javascript:alert(1) <a href="x">y</a> www.ikke-link.dk'
        )
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<br>") == 2
    assert (
        '<a href="https://norddjurs.dk/a?b=1&amp;c=2" rel="noopener noreferrer" '
        'target="_blank">https://norddjurs.dk/a?b=1&amp;c=2</a>.'
    ) in html
    assert html.count("<a ") == 1
    assert "&lt;a href=&#34;x&#34;&gt;" in html


def test_a_quote_cannot_break_out_of_the_link():
    html = str(comment_html('https://x.dk/"onmouseover="alert(1)'))
    assert 'href="https://x.dk/"' in html
    assert "onmouseover=&#34;" in html


def test_can_edit_uses_now(card, users):
    comment = services.add_comment(card, actor=users["med"], body="Nu")
    assert services.can_edit(comment, users["med"], now=utcnow())
