"""Notifications in Chromium: the @mention autocomplete by keyboard (the
WAI-ARIA combobox with a listbox), the leader's unread count updating on an
open board without a reload, and axe on the new pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from board.clock import utcnow
from board.comments.services import add_comment
from board.extensions import db
from board.models import Initiative
from board.notifications.models import BoardVisit
from tests import factories
from tests.conftest import browser_login, serious_axe_violations
from tests.notify_helpers import notes_of
from tests.test_live_browser import BROWSER_LIVE

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    app = make_app(**BROWSER_LIVE)
    with app.app_context():
        yield app


@pytest.fixture
def card(board, users):
    card = factories.make_initiative(board, "Ny takstmodel for STU")
    info = {"board_id": board.id, "card_id": card.id}
    db.session.commit()
    return info


def test_mention_by_keyboard_notifies_the_leader_live(new_page, card, users):
    leader = new_page()
    browser_login(leader, "leder@example.dk")
    leader.goto(f"/boards/{card['board_id']}")
    leader.locator("#live-state[data-state=open]").wait_for()
    leader.evaluate("window.__notReloaded = 1")
    entry = leader.locator("#notifications-entry")
    expect(entry).to_have_attribute("aria-label", "Notifikationer, ingen ulæste")

    member = new_page()
    browser_login(member, "med@example.dk")
    member.goto(f"/boards/{card['board_id']}/initiatives/{card['card_id']}")
    field = member.get_by_role("combobox", name="Skriv en kommentar")
    field.click()
    field.press_sequentially("Kan @Lo")
    listbox = member.get_by_role("listbox", name="Personer du kan nævne")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    option = listbox.get_by_role("option", name="Lone Leder")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    # Escape closes the list only; typing reopens it; Enter picks.
    field.press("Escape")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press_sequentially("n")
    expect(option).to_be_visible()
    field.press("ArrowDown")  # one option: the arrow wraps back to it
    expect(option).to_have_attribute("aria-selected", "true")
    field.press("Enter")
    expect(listbox).to_be_hidden()
    expect(field).to_have_value("Kan @Lone Leder ")
    field.press_sequentially("se budgettet?")
    member.get_by_role("button", name="Send kommentar").click()
    expect(member.locator(".comment-body .mention")).to_have_text("@Lone Leder")

    # The leader's open board: the count changes without a reload.
    expect(entry).to_have_attribute("aria-label", "1 ulæst notifikation")
    expect(entry.locator(".unread-badge")).to_have_text("1")
    assert leader.evaluate("window.__notReloaded") == 1
    db.session.rollback()
    assert [n.category for n in notes_of(users["leder"])] == ["mention"]

    # The list links to the comment; the new pages pass axe.
    leader.goto("/notifications")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Notifikationer")
    expect(leader.locator(".notification-excerpt")).to_have_text("Kan @Lone Leder se budgettet?")
    assert serious_axe_violations(leader) == []
    leader.get_by_role(
        "link", name="Mads Med nævnte dig i en kommentar på «Ny takstmodel for STU»"
    ).click()
    leader.wait_for_url(f"**/initiatives/{card['card_id']}#comment-*")
    expect(leader.locator("#notifications-entry")).to_have_attribute(
        "aria-label", "Notifikationer, ingen ulæste"
    )
    leader.goto("/account/notifications")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Notifikationer: dine valg")
    assert serious_axe_violations(leader) == []
    leader.get_by_role("button", name="Lav link til din kalender").click()
    expect(leader.get_by_role("textbox", name="Kalenderlink")).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/calendar/[\w-]+\.ics$")
    )
    assert serious_axe_violations(leader) == []


def test_the_card_marker_shows_others_changes_since_the_last_visit(new_page, card, users):
    page = new_page()
    browser_login(page, "med@example.dk")
    page.goto(f"/boards/{card['board_id']}")
    expect(page.locator(".card-changed")).to_have_count(0)
    # Time passes (a new visit) and the leader changes the card meanwhile.
    db.session.rollback()
    visit = db.session.get(BoardVisit, (users["med"].id, card["board_id"]))
    visit.seen_at = utcnow() - timedelta(hours=2)
    add_comment(db.session.get(Initiative, card["card_id"]), actor=users["leder"], body="Hej")
    db.session.commit()
    page.reload()
    marker = page.locator(f"#card-{card['card_id']} .card-changed")
    expect(marker).to_have_text("Ændret siden dit sidste besøg")
    assert serious_axe_violations(page) == []


def test_in_the_card_dialog_escape_closes_only_the_list(new_page, card, users):
    page = new_page()
    browser_login(page, "med@example.dk")
    page.goto(f"/boards/{card['board_id']}")
    page.get_by_role("link", name="Ny takstmodel for STU").click()
    dialog = page.locator("#card-dialog")
    expect(dialog).to_be_visible()
    field = dialog.get_by_role("combobox", name="Skriv en kommentar")
    field.click()
    field.press_sequentially("@lone")
    expect(dialog.get_by_role("option", name="Lone Leder")).to_be_visible()
    field.press("Escape")
    expect(dialog.get_by_role("listbox")).to_be_hidden()
    expect(dialog).to_be_visible()
    field.press("Escape")  # no list open: the dialog's own Escape
    expect(dialog).to_be_hidden()
