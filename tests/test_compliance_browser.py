"""The staff's page about logging and the redaction page, in Chromium: axe
finds no serious or critical violation, and the footer leads there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import browser_login, serious_axe_violations

pytestmark = pytest.mark.browser


def test_the_logging_page_is_reached_from_the_footer_and_is_accessible(page, board, users):
    browser_login(page, "med@example.dk")
    page.get_by_role("contentinfo").get_by_role("link", name="Hvad logges om dig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hvad Tiltagstavlen logger om dig – og hvorfor"
    )
    expect(page.get_by_role("link", name="Tilgængelighedserklæring")).to_be_visible()
    assert serious_axe_violations(page) == []


def test_the_redaction_page_is_accessible(page, board, users):
    card = factories.make_initiative(board, "Borgerpanel", responsible="Jens Hansen")
    browser_login(page, "admin@example.dk")
    page.goto(f"/boards/{board.id}/initiatives/{card.id}")
    page.get_by_role("link", name="Fjern persondata").click()
    expect(page.get_by_role("radio", name="Jens Hansen")).to_be_visible()
    assert serious_axe_violations(page) == []
    page.get_by_role("radio", name="Jens Hansen").check()
    page.get_by_label("Begrundelse").fill("Fratrådt medarbejder")
    page.get_by_role("button", name="Fjern persondata").click()
    expect(page.locator(".field-error").first).to_be_visible()
    assert serious_axe_violations(page) == []
    page.get_by_label("Jeg forstår").check()
    page.get_by_role("button", name="Fjern persondata").click()
    expect(page.get_by_text("Teksten er fjernet fra ansvarlig overalt.")).to_be_visible()
    assert serious_axe_violations(page) == []
