"""Editing, comments and history in a real Chromium: no page reloads in the
board, errors next to fields, stale edits, and axe-core on the dialog and forms."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from board.extensions import db
from board.models import Role
from tests import factories
from tests.conftest import browser_login, serious_axe_violations

pytestmark = pytest.mark.browser


# The browser tests hand plain values to the test body: touching an ORM
# object in the test thread would open a transaction there (on SQLite a
# write lock, BEGIN IMMEDIATE outside requests) that the live server would
# then wait for.


@pytest.fixture
def people(board):
    factories.make_user("lone@example.dk", name="Lone Leder", board=board, role=Role.LEDER)
    factories.make_user("mads@example.dk", name="Mads Med", board=board, role=Role.MED)
    factories.make_user("ada@example.dk", name="Ada Admin", is_admin=True)
    plain = SimpleNamespace(id=board.id)
    db.session.commit()
    return plain


@pytest.fixture
def card(people, board):
    card = factories.make_initiative(
        board, "Ungeteamet flytter", stage="igangsat", status_note="Flytning planlægges"
    )
    plain = SimpleNamespace(id=card.id, title=card.title)
    db.session.commit()
    return plain


def open_card(page, board, card):
    page.goto(f"/boards/{board.id}")
    page.get_by_role("link", name=card.title).click()
    page.locator("#card-dialog[open]").wait_for()
    return page.locator("#card-dialog")


def mark_page(page):
    """Set a flag that a full page load would wipe out."""
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.__noReload === true")


def test_med_comments_and_leader_edits_status_both_in_log_and_history(new_page, people, card):
    med = new_page()
    browser_login(med, "mads@example.dk")
    dialog = open_card(med, people, card)
    assert dialog.get_by_role("link", name="Redigér").count() == 0  # MED cannot edit
    dialog.get_by_label("Skriv en kommentar").fill(
        "Vi blev ikke inddraget.\nSe https://norddjurs.dk"
    )
    dialog.get_by_role("button", name="Send kommentar").click()
    dialog.locator(".comment-body", has_text="Vi blev ikke inddraget.").wait_for()
    link = dialog.locator(".comment-body a")
    assert link.get_attribute("href") == "https://norddjurs.dk"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert "(MED-repræsentant)" in dialog.locator(".comment-meta").first.inner_text()
    dialog.locator(".history-entry", has_text="Skrev en kommentar").wait_for()
    # the board card's comment count follows without a reload
    med.locator(f"#card-{card.id} .card-comments", has_text="1 kommentar").wait_for()

    leader = new_page()
    browser_login(leader, "lone@example.dk")
    dialog = open_card(leader, people, card)
    mark_page(leader)
    dialog.get_by_role("link", name="Redigér").click()
    status = dialog.get_by_label("Status")
    status.wait_for()
    expect(dialog.get_by_label("Titel")).to_be_focused()
    status.fill("Flyttet til nye lokaler 1. marts")
    dialog.get_by_role("button", name="Gem ændringer").click()
    dialog.locator(".field-status-note", has_text="Flyttet til nye lokaler").wait_for()
    # focus returns to the card's edit button, not to the page's start
    expect(dialog.locator("[data-edit-initiative]")).to_be_focused()
    entry = dialog.locator(".history-entry", has_text="Ændrede status")
    assert "Lone Leder" in entry.inner_text()
    assert entry.locator("del").inner_text() == "Flytning planlægges"
    assert entry.locator("ins").inner_text() == "Flyttet til nye lokaler 1. marts"
    assert "Vi blev ikke inddraget." in dialog.locator(".comment-log").inner_text()
    assert (
        "Mads Med" in dialog.locator(".history-entry", has_text="Skrev en kommentar").inner_text()
    )
    leader.locator(f"#card-{card.id} .card-status", has_text="Flyttet til nye lokaler").wait_for()
    assert_not_reloaded(leader)

    # The MED user sees both in the card's log and history when opening it again.
    med.reload()
    dialog = open_card(med, people, card)
    history = dialog.locator(".card-history").inner_text()
    assert "Skrev en kommentar" in history and "Ændrede status" in history
    assert "Flyttet til nye lokaler 1. marts" in dialog.locator(".field-status-note").inner_text()


def test_leader_creates_a_tiltag_with_an_error_next_to_the_field_then_saves(page, people):
    browser_login(page, "lone@example.dk")
    page.goto(f"/boards/{people.id}")
    mark_page(page)
    page.get_by_role("link", name="Nyt tiltag").click()
    dialog = page.locator("#card-dialog[open]")
    dialog.get_by_role("button", name="Opret tiltag").click()
    error = dialog.locator("#title-error")
    error.wait_for()
    assert error.inner_text() == "Skriv en titel."
    expect(dialog.get_by_label("Titel")).to_be_focused()  # after htmx settles
    assert serious_axe_violations(page) == []
    dialog.get_by_label("Titel").fill("Nyt botilbud")
    dialog.get_by_label("Frist").fill("2025-06-30")
    dialog.get_by_label("Kolonne").select_option("planlagt")
    dialog.get_by_role("button", name="Opret tiltag").click()
    dialog.locator("#dialog-title", has_text="Nyt botilbud").wait_for()
    page.locator("#column-planlagt .card", has_text="Nyt botilbud").wait_for()
    assert page.locator("#count-planlagt").inner_text().strip() == "1"
    assert_not_reloaded(page)


def test_stale_edit_shows_current_values_and_keeps_what_was_typed(new_page, people, card):
    first, second = new_page(), new_page()
    for page in (first, second):
        browser_login(page, "lone@example.dk")
        dialog = open_card(page, people, card)
        dialog.get_by_role("link", name="Redigér").click()
        # The form opens with focus in its first field (a human could not
        # type before that; a test could, into the wrong field).
        expect(dialog.get_by_label("Titel")).to_be_focused()
    first.locator("#card-dialog").get_by_label("Status").fill("Første leders tekst")
    first.get_by_role("button", name="Gem ændringer").click()
    first.locator(".field-status-note", has_text="Første leders tekst").wait_for()

    dialog = second.locator("#card-dialog")
    dialog.get_by_label("Status").fill("Anden leders tekst")
    dialog.get_by_role("button", name="Gem ændringer").click()
    notice = dialog.locator("[data-stale-notice]")
    notice.wait_for()
    assert "ændret, mens du redigerede" in notice.inner_text()
    assert "Anden leders tekst" in notice.inner_text()
    assert dialog.get_by_label("Status").input_value() == "Første leders tekst"
    expect(dialog.get_by_label("Titel")).to_be_focused()  # the refilled form
    # Saving again now is a deliberate choice on top of the current version.
    dialog.get_by_label("Status").fill("Anden leders tekst")
    dialog.get_by_role("button", name="Gem ændringer").click()
    dialog.locator(".field-status-note", has_text="Anden leders tekst").wait_for()


def test_archive_and_restore_from_the_dialog(page, people, card):
    browser_login(page, "lone@example.dk")
    dialog = open_card(page, people, card)
    page.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_role("button", name="Arkivér").click()
    dialog.get_by_role("button", name="Gendan på tavlen").wait_for()
    page.locator(f"#card-{card.id}").wait_for(state="detached")
    dialog.get_by_role("button", name="Gendan på tavlen").click()
    dialog.get_by_role("button", name="Arkivér").wait_for()
    page.locator(f"#card-{card.id}").wait_for()
    history = dialog.locator(".card-history").inner_text()
    assert "Arkiveret" in history and "Gendannet til Igangsat" in history


def test_axe_on_card_dialog_edit_form_comment_forms_and_structure(page, people, card):
    from board.comments.services import add_comment
    from board.models import Initiative, User

    med = db.session.scalars(db.select(User).filter_by(email="mads@example.dk")).one()
    add_comment(db.session.get(Initiative, card.id), actor=med, body="Se https://norddjurs.dk")
    db.session.commit()

    browser_login(page, "ada@example.dk")
    dialog = open_card(page, people, card)
    assert serious_axe_violations(page) == []  # dialog with log and history
    dialog.get_by_role("link", name="Redigér").first.click()
    dialog.get_by_label("Status").wait_for()
    assert serious_axe_violations(page) == []  # edit form
    dialog.get_by_label("Titel").fill("")
    dialog.get_by_role("button", name="Gem ændringer").click()
    dialog.locator("#title-error").wait_for()
    assert serious_axe_violations(page) == []  # edit form with errors
    dialog.get_by_role("link", name="Annullér").click()
    dialog.get_by_role("link", name="Fjern (persondata)").click()
    dialog.locator(".comment-redact-form").wait_for()
    assert serious_axe_violations(page) == []  # redaction form

    page.goto(f"/boards/{people.id}/structure")
    assert serious_axe_violations(page) == []
    page.goto(f"/boards/{people.id}/archived")
    assert serious_axe_violations(page) == []
    page.goto("/boards/new")
    assert serious_axe_violations(page) == []
