"""Sign-in with the organisation in a real Chromium, through the test
provider's own login page (tests/oidc_provider, a process of its own):
the role a group gives, logout at the provider, and the role gone at the
next sign-in once the group is; axe on the changed login page and the new
admin page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from board.extensions import db
from board.models import GroupRoleMapping, Role
from tests import factories
from tests.conftest import browser_login, serious_axe_violations
from tests.oidc_helpers import DISPLAY_NAME, PASSWORD, oidc_settings

pytestmark = pytest.mark.browser

GROUP = "Ledere-Socialomraadet"


@pytest.fixture
def app(make_app, oidc_provider):
    app = make_app(**oidc_settings(oidc_provider))
    with app.app_context():
        yield app


@pytest.fixture
def provider(oidc_provider, live_server):
    oidc_provider.reset(origins=(live_server.url,))
    return oidc_provider


def sign_in_at_provider(page, username: str) -> None:
    """On the provider's page (a page of another origin than the app)."""
    expect(page.get_by_role("heading", name="Testudbyderen")).to_be_visible()
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind hos testudbyderen").click()


def test_a_group_gives_leder_and_its_removal_takes_it_away(page, provider, board, live_server):
    db.session.add(GroupRoleMapping(group=GROUP, board_id=board.id, role=Role.LEDER.value))
    db.session.commit()
    provider.add_user("bo", email="bo@norddjurs.dk", name="Bo Bertelsen", groups=[GROUP.lower()])

    page.goto(f"/boards/{board.id}")  # not signed in: to the login page, with next
    expect(page.get_by_role("heading", name="Log ind", exact=True)).to_be_visible()
    assert serious_axe_violations(page) == []
    page.get_by_role("link", name=f"Log ind med {DISPLAY_NAME}").click()
    sign_in_at_provider(page, "bo")
    page.wait_for_url(f"{live_server.url}/boards/{board.id}")
    expect(page.get_by_role("heading", name=board.title)).to_be_visible()
    expect(page.locator(".site-nav .who")).to_have_text("Bo Bertelsen")
    # leder: the board's editing links are there.
    expect(page.get_by_role("link", name="Delingslinks")).to_be_visible()

    page.get_by_role("button", name="Log ud").click()  # here, and at the provider
    page.wait_for_url(f"{live_server.url}/login*")
    expect(page.locator("#notice")).to_contain_text("Du er logget ud.")
    assert provider.stats()["logouts"] == 1

    provider.add_user("bo", email="bo@norddjurs.dk", name="Bo Bertelsen", groups=[])
    page.get_by_role("link", name=f"Log ind med {DISPLAY_NAME}").click()
    sign_in_at_provider(page, "bo")  # the provider's session ended: its page again
    page.wait_for_url(f"{live_server.url}/")
    response = page.goto(f"/boards/{board.id}")
    assert response.status == 404  # no role on the board any more


def test_the_group_mapping_page_is_accessible_and_works(page, provider, board):
    factories.make_user("admin@example.dk", name="Ada Admin", is_admin=True)
    browser_login(page, "admin@example.dk")
    page.goto("/admin/grupper")
    expect(page.get_by_role("heading", name="Roller fra grupper")).to_be_visible()
    page.get_by_label("Gruppe", exact=True).fill("MED-udvalget")
    page.get_by_label("Tavle").select_option(label=board.title)
    page.get_by_label("Rolle").select_option(label=Role.MED.label)
    page.get_by_role("button", name="Tilføj gruppe").click()
    expect(page.locator("tr[data-mapping-id]")).to_have_count(1)
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Tilføj gruppe").click()  # the group is empty now
    expect(page.locator("#group-error")).to_have_text("Skriv gruppens navn eller id.")
    assert serious_axe_violations(page) == []


def test_the_break_glass_login_page_is_accessible(make_app, oidc_provider, browser):
    from tests.conftest import LiveServer

    app = make_app(**oidc_settings(oidc_provider, LOCAL_LOGIN=False))
    server = LiveServer(app).start()
    try:
        context = browser.new_context(base_url=server.url, locale="da-DK")
        page = context.new_page()
        page.goto("/login")
        expect(page.get_by_role("link", name=f"Log ind med {DISPLAY_NAME}")).to_be_visible()
        expect(page.locator("input[name=password]")).to_have_count(0)
        assert serious_axe_violations(page) == []
        page.get_by_role("link", name="Nødadgang for administratorer (adgangskode)").click()
        expect(page.locator("input[name=password]")).to_be_visible()
        assert serious_axe_violations(page) == []
        context.close()
    finally:
        server.stop()
