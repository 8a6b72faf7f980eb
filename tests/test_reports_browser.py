"""The status and changes pages in a real Chromium: accessible, and clean
when printed (the print stylesheet hides forms and navigation)."""

import pytest
from playwright.sync_api import expect

from board.models import Role
from tests import factories
from tests.conftest import browser_login, serious_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def strategy_member(demo):
    factories.make_user("mads@example.dk", name="Mads Med", board=demo[0], role=Role.MED)
    return demo[0]


def test_status_page_is_accessible_and_prints_only_the_document(page, strategy_member):
    board = strategy_member
    browser_login(page, "mads@example.dk")
    page.goto(f"/boards/{board.id}")
    page.click("text=Status pr. dato")
    page.fill("#report-date", "2024-03-01")
    page.click("text=Vis status")
    expect(page.locator("h1")).to_have_text("Status pr. 1. marts 2024")
    expect(page.locator(".report-row")).to_have_count(29)
    assert serious_axe_violations(page) == []
    page.emulate_media(media="print")
    expect(page.locator(".report-form")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".report-table").first).to_be_visible()


def test_changes_page_is_accessible(page, strategy_member):
    browser_login(page, "mads@example.dk")
    page.goto(f"/boards/{strategy_member.id}/changes?siden=2024-02-01")
    expect(page.locator("h1")).to_have_text("Ændringer siden 1. februar 2024")
    expect(page.locator(".change")).to_have_count(29)  # every demo card was added on 1 March
    assert serious_axe_violations(page) == []
