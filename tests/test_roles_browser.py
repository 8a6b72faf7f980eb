"""Roles in a real Chromium: a committee member reads the board through a
share link and can change nothing; a MED user sees the board without drag
handles; a leder makes, copies and revokes a link."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import current_app
from playwright.sync_api import expect

from board.extensions import db
from board.models import Initiative, Role
from board.share.services import create_share_link
from tests import factories
from tests.conftest import browser_login, serious_axe_violations

pytestmark = pytest.mark.browser

# Whatever the moves engineer calls them, none of these may be on a read-only board.
MOVE_CONTROLS = "[data-move-control], .drag-handle, .card form"


@pytest.fixture
def strategy(demo):
    return demo[0]


@pytest.fixture
def share_token(strategy):
    token = create_share_link(strategy, label="Voksen- og Plejeudvalget", actor=None).token
    db.session.commit()
    return token


def stage_of(title: str) -> str:
    db.session.rollback()  # see what the browser's requests committed
    return db.session.scalars(sa.select(Initiative.stage).where(Initiative.title == title)).one()


def try_to_drag_first_card(page, to_stage: str) -> tuple[str, str]:
    """Drag the first card of a column onto another column, with the mouse
    in steps (as Sortable needs). Returns the card's id and title."""
    card = page.locator("section.column[data-stage=ikke_ivaerksat] li.card").first
    card_id = card.get_attribute("data-initiative-id")
    title = card.locator(".card-title").inner_text()
    source = card.bounding_box()
    target = page.locator(f"section.column[data-stage={to_stage}] .card-list").bounding_box()
    page.mouse.move(source["x"] + 20, source["y"] + 15)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            source["x"] + 20 + (target["x"] + 30 - source["x"] - 20) * step / 10,
            source["y"] + 15 + (target["y"] + 30 - source["y"] - 15) * step / 10,
        )
    page.mouse.up()
    return card_id, title


def test_committee_member_reads_the_board_through_a_link_and_cannot_change_it(
    page, strategy, share_token
):
    page.goto(f"/s/{share_token}")
    expect(page.locator("h1")).to_have_text(strategy.title)
    expect(page.locator("li.card")).to_have_count(29)
    expect(page.get_by_text("Skrivebeskyttet visning")).to_be_visible()
    # No way to change anything: no move controls, no forms but the filter,
    # no links out of the share link but the accessibility statement (required
    # on every page), no login or logout.
    expect(page.locator(MOVE_CONTROLS)).to_have_count(0)
    expect(page.locator("form:not(#board-filter)")).to_have_count(0)
    hrefs = page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    statement = current_app.config["ACCESSIBILITY_STATEMENT_URL"]
    assert all(h.startswith((f"/s/{share_token}", "#")) or h == statement for h in hrefs), hrefs
    expect(page.get_by_role("button", name="Log ud")).to_have_count(0)

    # A drag does nothing, on the page or on the server.
    card_id, title = try_to_drag_first_card(page, "afsluttet")
    expect(
        page.locator(f"section.column[data-stage=ikke_ivaerksat] #card-{card_id}")
    ).to_have_count(1)
    assert stage_of(title) == "ikke_ivaerksat"

    # The filter works, and stays inside the share link.
    theme = strategy.themes[3]
    page.select_option("#filter-tema", str(theme.id))
    page.wait_for_url(f"**/s/{share_token}?tema={theme.id}*")
    expect(page.locator("li.card")).to_have_count(12)

    # A card opens read-only, in the dialog.
    page.locator("li.card .card-title a").first.click()
    dialog = page.locator("#card-dialog")
    expect(dialog.locator("#dialog-title")).to_be_visible()
    expect(dialog.locator("form, textarea, input, [contenteditable=true]")).to_have_count(0)
    page.keyboard.press("Escape")
    assert serious_axe_violations(page) == []


def test_a_revoked_link_shows_the_danish_not_found_page(page, strategy, share_token):
    from board.models import ShareLink
    from board.share.services import revoke_share_link

    page.goto(f"/s/{share_token}")
    expect(page.locator("li.card")).to_have_count(29)
    revoke_share_link(db.session.scalars(sa.select(ShareLink)).one(), actor=None)
    db.session.commit()
    response = page.reload()
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Siden findes ikke")
    expect(page.locator("li.card")).to_have_count(0)


def test_med_user_logs_in_and_sees_the_board_without_drag_handles(page, strategy):
    factories.make_user("mette@example.dk", name="Mette MED", board=strategy, role=Role.MED)
    browser_login(page, "mette@example.dk")
    page.goto(f"/boards/{strategy.id}")
    expect(page.locator("li.card")).to_have_count(29)
    expect(page.locator(MOVE_CONTROLS)).to_have_count(0)
    expect(page.get_by_role("link", name="Delingslinks")).to_have_count(0)
    card_id, title = try_to_drag_first_card(page, "igangsat")
    expect(
        page.locator(f"section.column[data-stage=ikke_ivaerksat] #card-{card_id}")
    ).to_have_count(1)
    page.reload()
    expect(
        page.locator(f"section.column[data-stage=ikke_ivaerksat] #card-{card_id}")
    ).to_have_count(1)
    assert stage_of(title) == "ikke_ivaerksat"


def test_leder_makes_copies_and_revokes_a_link(browser, live_server, new_page, strategy):
    factories.make_user("lone@example.dk", name="Lone Leder", board=strategy, role=Role.LEDER)
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        browser_login(page, "lone@example.dk")
        page.goto(f"/boards/{strategy.id}")
        page.get_by_role("link", name="Delingslinks").click()
        page.get_by_label("Betegnelse").fill("Områdeudvalget, møde 3. december")
        page.get_by_label("Vis kommentarer").check()
        page.get_by_role("button", name="Opret link").click()
        expect(page.get_by_text("Det vises kun denne ene gang")).to_be_visible()
        page.get_by_role("button", name="Kopiér link").click()
        expect(page.locator("#copy-status")).to_have_text("Linket er kopieret.")
        url = page.evaluate("navigator.clipboard.readText()")
        assert url == page.locator("#new-link-url").input_value()
        assert "/s/" in url

        committee = new_page()
        committee.goto(url)
        expect(committee.locator("li.card")).to_have_count(29)

        page.goto(f"/boards/{strategy.id}/share-links")
        row = page.locator("tr", has_text="Områdeudvalget, møde 3. december")
        expect(row).to_contain_text("Lone Leder")
        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Tilbagekald").click()
        expect(page.get_by_text("er tilbagekaldt og virker ikke længere")).to_be_visible()
        assert committee.reload().status == 404
        assert serious_axe_violations(page) == []
    finally:
        context.close()


def test_admin_pages_have_no_serious_accessibility_violations(page, strategy, demo):
    browser_login(page, "admin@tiltag.example", "demo-admin")
    page.goto("/admin/users")
    assert serious_axe_violations(page) == []
    page.get_by_role("link", name="Mette MED").click()
    expect(page.get_by_role("heading", name="Roller på tavlerne")).to_be_visible()
    assert serious_axe_violations(page) == []
    page.goto(f"/admin/boards/{strategy.id}/members")
    assert serious_axe_violations(page) == []


def test_a_med_user_changes_their_own_password(page, strategy, demo):
    browser_login(page, "med@tiltag.example", "demo-med")
    page.get_by_role("link", name="Skift adgangskode").click()
    expect(page.get_by_role("heading", name="Skift adgangskode")).to_be_visible()
    assert serious_axe_violations(page) == []
    page.get_by_label("Nuværende adgangskode").fill("forkert-kodeord")
    page.get_by_label("Ny adgangskode").fill("nyt-kodeord-til-mette")
    page.get_by_label("Gentag den nye adgangskode").fill("nyt-kodeord-til-mette")
    page.get_by_role("button", name="Skift adgangskode").click()
    expect(page.get_by_role("alert")).to_have_text("Den nuværende adgangskode er forkert.")
    assert serious_axe_violations(page) == []  # the page with its error
    page.get_by_label("Nuværende adgangskode").fill("demo-med")
    page.get_by_label("Ny adgangskode").fill("nyt-kodeord-til-mette")
    page.get_by_label("Gentag den nye adgangskode").fill("nyt-kodeord-til-mette")
    page.get_by_role("button", name="Skift adgangskode").click()
    expect(page.get_by_text("Din adgangskode er skiftet.")).to_be_visible()
    page.get_by_role("button", name="Log ud").click()
    browser_login(page, "med@tiltag.example", "nyt-kodeord-til-mette")
    expect(page.get_by_role("link", name=strategy.title)).to_be_visible()
