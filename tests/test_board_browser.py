"""The board in a real Chromium: filtering with htmx, in the URL, and axe."""

import pytest
from playwright.sync_api import expect

from board.models import Role
from tests import factories
from tests.conftest import browser_login, serious_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def strategy_leader(demo):
    factories.make_user("lone@example.dk", name="Lone Leder", board=demo[0], role=Role.LEDER)
    return demo[0]


def test_filter_by_theme_swaps_columns_pushes_url_and_survives_reload(page, strategy_leader):
    board = strategy_leader
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{board.id}")
    assert page.locator("[data-initiative-id]").count() == 29
    theme = board.themes[3]  # Helhed og fremtidssikring: 12 tiltag
    page.select_option("#filter-tema", str(theme.id))
    page.wait_for_url(f"**/boards/{board.id}?tema={theme.id}*")
    cards = page.locator("[data-initiative-id]")
    expect(page.locator("[data-initiative-id]")).to_have_count(12)
    theme_ids = set(cards.evaluate_all("els => els.map(e => e.dataset.themeId)"))
    assert theme_ids == {str(theme.id)}
    page.reload()
    assert page.locator("[data-initiative-id]").count() == 12
    assert page.locator("#filter-tema").input_value() == str(theme.id)


def test_filter_by_objective_then_back_to_all(page, strategy_leader):
    board = strategy_leader
    objective = board.themes[1].objectives[2]  # 2.3: three tiltag
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{board.id}")
    form = page.locator("#board-filter").element_handle()
    page.select_option("#filter-maal", str(objective.id))
    expect(page.locator("[data-initiative-id]")).to_have_count(3)
    assert f"maal={objective.id}" in page.url
    # The filter shows the pejlemærke the server derived from the målsætning,
    # in the same form element: htmx's binding to it never lapses, so the
    # next change (made at once, as a quick user would) is not lost.
    expect(page.locator("#filter-tema")).to_have_value(str(objective.theme_id))
    assert form.evaluate("f => f.isConnected")
    # Back to every pejlemærke: the målsætning is cleared with it.
    page.select_option("#filter-tema", "")
    expect(page.locator("[data-initiative-id]")).to_have_count(29)
    assert page.locator("#filter-maal").input_value() == ""


def test_filter_works_without_javascript(browser, live_server, strategy_leader):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, "lone@example.dk")
        page.goto(f"/boards/{strategy_leader.id}")
        page.select_option("#filter-tema", str(strategy_leader.themes[1].id))
        page.click("#board-filter button[type=submit]")
        page.wait_for_url("**tema=*")
        assert page.locator("[data-initiative-id]").count() == 13
    finally:
        context.close()


def test_card_dialog_opens_from_the_board(page, strategy_leader):
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy_leader.id}")
    page.get_by_role("link", name="III. Ny takstmodel for STU").click()
    dialog = page.locator("#card-dialog")
    dialog.get_by_text("4. kvartal 2024").first.wait_for()
    assert dialog.evaluate("d => d.open")
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()


def test_board_page_has_no_serious_accessibility_violations(page, strategy_leader):
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{strategy_leader.id}")
    assert serious_axe_violations(page) == []


def test_a_filter_without_matches_says_so_and_links_back(page, strategy_leader):
    board = strategy_leader
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{board.id}")
    option = page.locator("#filter-tema option", has_text="(0)").first
    page.select_option("#filter-tema", option.get_attribute("value"))
    expect(page.get_by_text("Ingen tiltag matcher filteret.")).to_be_visible()
    page.get_by_role("link", name="Vis alle tiltag").click()
    expect(page.locator("[data-initiative-id]")).to_have_count(29)


def test_on_a_phone_no_page_scrolls_sideways(browser, live_server, strategy_leader):
    """390 px, a phone: the menu and the filter wrap, wide tables scroll in
    their own box, and the page itself is never wider than the screen."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        browser_login(page, "lone@example.dk")
        board = strategy_leader.id
        for url in (
            "/",
            f"/boards/{board}",
            f"/boards/{board}/status?dato=2024-06-30",
            f"/boards/{board}/changes",
            f"/boards/{board}/share-links",
            "/account/password",
        ):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        expect(
            page.get_by_role("link", name="Log ud").or_(page.get_by_role("button", name="Log ud"))
        ).to_be_in_viewport()
    finally:
        context.close()
