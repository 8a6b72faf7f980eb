"""The meeting walk-through in Chromium: a MED user flags a tiltag; the
leader creates a meeting, which has it on the agenda; the leader steps
through with Page Down; a share-link viewer in another browser follows the
item on the screen live; a decision is recorded and the referat .docx holds
it. axe finds no serious or critical issue on the meeting pages."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from playwright.sync_api import expect

from board.extensions import db
from board.share.services import create_share_link
from tests import factories
from tests.conftest import browser_login, serious_axe_violations
from tests.test_live_browser import BROWSER_LIVE

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    app = make_app(**BROWSER_LIVE)
    with app.app_context():
        yield app


def test_the_meeting_walk_through(new_page, board, users):
    raised = factories.make_initiative(board, "Ny takstmodel for STU")
    factories.make_initiative(board, "Samlet indgang", due_date=date(2026, 11, 1))
    token = create_share_link(board, actor=None, label="Udvalget", show_comments=True).token
    db.session.commit()
    board_id, card_id = board.id, raised.id

    med = new_page()
    browser_login(med, "med@example.dk")
    med.goto(f"/boards/{board_id}/initiatives/{card_id}")
    med.get_by_role("button", name="Sæt til drøftelse").click()
    expect(med.locator(".discussion-flag")).to_contain_text("Til drøftelse")
    expect(med.get_by_role("button", name="Fjern fra drøftelse")).to_be_visible()

    leader = new_page()
    browser_login(leader, "leder@example.dk")
    leader.goto(f"/boards/{board_id}")
    leader.get_by_role("link", name="Møder").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Møder")
    assert serious_axe_violations(leader) == []
    leader.get_by_label("Titel").fill("Ledermøde")
    leader.get_by_label("Dato").fill("2027-01-12")
    leader.get_by_label("Lone Leder").check()
    leader.get_by_label("Mads Med").check()
    leader.get_by_role("button", name="Opret møde").click()
    title = leader.locator("#meeting-item-title")
    expect(title).to_have_text("Ny takstmodel for STU")
    expect(leader.locator(".meeting-counter")).to_have_text("Punkt 1 af 2")
    expect(leader.locator(".meeting-reason")).to_have_text("Til drøftelse")
    meeting_path = leader.url.split(leader.url.split("/boards/")[0])[1]
    meeting_id = meeting_path.rstrip("/").rsplit("/", 1)[1]
    assert serious_axe_violations(leader) == []

    viewer = new_page()
    viewer.goto(f"/s/{token}/meetings/{meeting_id}")
    expect(viewer.locator("#meeting-item-title")).to_have_text("Ny takstmodel for STU")
    expect(viewer.locator("#meeting-live form")).to_have_count(0)
    assert serious_axe_violations(viewer) == []

    leader.locator("body").press("PageDown")
    expect(title).to_have_text("Samlet indgang")
    expect(leader.locator(".meeting-counter")).to_have_text("Punkt 2 af 2")
    expect(viewer.locator("#meeting-item-title")).to_have_text("Samlet indgang")
    expect(viewer.locator(".meeting-reason")).to_have_text("Frist overskredet")

    leader.locator("body").press("PageUp")
    expect(title).to_have_text("Ny takstmodel for STU")
    expect(viewer.locator("#meeting-item-title")).to_have_text("Ny takstmodel for STU")

    leader.get_by_role("textbox", name="Beslutning").fill("MED inddrages i beregningen.")
    leader.get_by_role("button", name="Gem beslutning").click()
    expect(viewer.locator(".meeting-decision-text")).to_have_text("MED inddrages i beregningen.")

    with leader.expect_download() as download:
        leader.get_by_role("link", name="Hent referat (Word)").click()
    document = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1. Ny takstmodel for STU" in text
    assert "MED inddrages i beregningen." in text

    med.goto(f"/boards/{board_id}/initiatives/{card_id}")
    expect(med.locator(".card-meetings")).to_contain_text(
        "Besluttet på mødet «Ledermøde» 12. januar 2027: MED inddrages i beregningen."
    )


def test_a_step_is_not_held_up_by_the_headers_unread_count(new_page, board, users):
    """The header's unread count is being re-read (the tab was shown again)
    and the server is slow with it: the leader's Page Down still moves the
    meeting on at once."""
    from board.meetings.services import create_meeting, flag_for_discussion

    for title in ("Ny takstmodel for STU", "Samlet indgang"):
        flag_for_discussion(factories.make_initiative(board, title), actor=users["med"])
    meeting = create_meeting(
        board, title="Ledermøde", held_on=date(2027, 1, 12), actor=users["leder"]
    )
    path = f"/boards/{board.id}/meetings/{meeting.id}"
    db.session.commit()

    leader = new_page()
    browser_login(leader, "leder@example.dk")
    leader.goto(path)
    title = leader.locator("#meeting-item-title")
    expect(title).to_have_text("Ny takstmodel for STU")
    slow = []
    leader.route("**/notifications/count", lambda route: slow.append(route))
    with leader.expect_request("**/notifications/count"):
        leader.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    leader.locator("body").press("PageDown")
    expect(title).to_have_text("Samlet indgang")
    expect(leader.locator(".meeting-counter")).to_have_text("Punkt 2 af 2")
    with leader.expect_response("**/notifications/count"):
        slow[0].continue_()
    expect(leader.locator("#notifications-entry")).to_have_attribute(
        "aria-label", "Notifikationer, ingen ulæste"
    )
