"""/admin/outbox: administrators read what the app has sent or would send."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from board.extensions import db
from board.mail.outbox import queue_mail
from board.query_counter import count_queries
from tests.conftest import browser_login, serious_axe_violations
from tests.html import attr, count, text_of, texts


def _queue_round_mail(users, n=1):
    ids = [
        queue_mail(
            to_user=users["leder"],
            subject=f"Statusrunde {i}: <dine tiltag>",
            text=f"Kære Lone\n\nSe dine tiltag på /mine ({i}).",
            html=f"<p>Kære Lone</p><p><a href='/mine'>Dine tiltag</a> ({i})</p>",
            kind="round.opened",
        )
        for i in range(n)
    ]
    db.session.commit()
    return ids


def test_admins_see_the_outbox_without_smtp(as_user, users):
    [message_id] = _queue_round_mail(users)
    response = as_user("admin").get("/admin/outbox")

    assert response.status_code == 200
    assert "ingen mailserver sat op" in text_of(response, "#outbox-delivery")
    assert attr(response, f"tr[data-message-id='{message_id}']", "data-state") == "pending"
    assert texts(response, "#outbox tbody td:nth-child(2)") == ["leder@example.dk"]
    assert text_of(response, ".outbox-counts [data-state=pending] strong") == "1"


def test_one_message_shows_its_text_and_html_escaped(as_user, users):
    [message_id] = _queue_round_mail(users)
    response = as_user("admin").get(f"/admin/outbox/{message_id}")

    assert response.status_code == 200
    assert text_of(response, "h1") == "Statusrunde 0: <dine tiltag>"
    assert text_of(response, "#outbox-text").startswith("Kære Lone")
    assert "<a href='/mine'>" in text_of(response, "#outbox-html")  # shown as source
    assert count(response, "main a[href='/mine']") == 0  # not as markup
    assert text_of(response, "#outbox-state") == "Venter"


def test_the_outbox_costs_the_same_queries_at_3_and_30_messages(as_user, users, app):
    client = as_user("admin")
    _queue_round_mail(users, 3)
    with count_queries(db.engine) as few:
        client.get("/admin/outbox")
    _queue_round_mail(users, 27)
    with count_queries(db.engine) as many:
        response = client.get("/admin/outbox")
    assert count(response, "#outbox tbody tr") == 30
    assert many.count == few.count


@pytest.mark.parametrize("kind", ["leder", "med", "outsider"])
def test_only_admins_read_the_outbox(as_user, users, kind):
    [message_id] = _queue_round_mail(users)
    client = as_user(kind)
    assert client.get("/admin/outbox").status_code == 403
    assert client.get(f"/admin/outbox/{message_id}").status_code == 403


def test_an_unknown_message_is_404(as_user, users):
    assert as_user("admin").get("/admin/outbox/999999").status_code == 404


@pytest.mark.browser
def test_the_outbox_pages_are_accessible(page, users):
    _queue_round_mail(users, 2)
    browser_login(page, "admin@example.dk")
    page.goto("/admin/users")
    page.get_by_role("link", name="Udbakke").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Udbakke")
    assert serious_axe_violations(page) == []
    page.get_by_role("link", name="Statusrunde 1: <dine tiltag>").click()
    expect(page.locator("#outbox-text")).to_contain_text("Kære Lone")
    assert serious_axe_violations(page) == []
