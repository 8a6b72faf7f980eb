"""The whole status round in Chromium, with real mail: a leader opens a
round; the owners get their mails on the test's SMTP server; one owner
follows the link, signs in and completes two tiltag from /mine; the
leader's open round page shows the progress without a reload; the leader
closes the round; the published documents hold the two round texts and
vurderinger. axe checks every new page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from docx import Document
from playwright.sync_api import expect

from board.clock import today_local
from board.mail.delivery import deliver_due
from tests import factories
from tests.conftest import browser_login, serious_axe_violations
from tests.mail_helpers import smtp_config
from tests.office_helpers import pdf_pages

pytestmark = pytest.mark.browser


@pytest.fixture
def round_board(app, board, users):
    """Two owners (Mads, med; Olga, leder) and a tiltag without owner."""
    olga = factories.make_user("olga@example.dk", name="Olga Ejer", board=board, role="leder")
    mads = users["med"]
    cards = {
        "Borgerpanel": factories.make_initiative(
            board, "Borgerpanel", status_note="Første møde holdt", owner_id=mads.id
        ),
        "Samtaleguide": factories.make_initiative(
            board, "Samtaleguide", stage="igangsat", owner_id=mads.id
        ),
        "Fælles redskaber": factories.make_initiative(board, "Fælles redskaber", owner_id=olga.id),
        "Uden ejer": factories.make_initiative(board, "Uden ejer"),
    }
    return cards


def link_in(mail, path: str) -> str:
    body = mail.get_body(preferencelist=("plain",)).get_content()
    return next(u for u in re.findall(r"https?://\S+", body) if u.endswith(path))


def test_a_round_from_opening_to_the_published_documents(
    app, board, users, round_board, smtp_server, live_server, new_page
):
    app.config.update(smtp_config(smtp_server), PUBLIC_BASE_URL=live_server.url)
    leader = new_page()
    browser_login(leader, "leder@example.dk")

    # 1. The leader opens a round (all tiltag are chosen by default).
    leader.goto(f"/boards/{board.id}/rounds")
    assert serious_axe_violations(leader) == []
    leader.get_by_label("Titel").fill("Status til Områdeudvalget, marts 2027")
    leader.get_by_label("Frist for svar").fill((today_local() + timedelta(days=14)).isoformat())
    leader.get_by_role("button", name="Åbn runden").click()
    progress = leader.locator(".round-progress-text")
    expect(progress).to_have_text("0 af 4 opdateret")
    assert serious_axe_violations(leader) == []

    # 2. The owners (and the leader, for the tiltag without owner) get one mail each.
    with app.app_context():
        deliver_due()
    mails = smtp_server.wait_for(3)
    by_recipient = {m["To"]: m for m in mails}
    assert set(by_recipient) == {"med@example.dk", "olga@example.dk", "leder@example.dk"}
    mads_mail = by_recipient["med@example.dk"]
    text = mads_mail.get_body(preferencelist=("plain",)).get_content()
    assert "Borgerpanel" in text and "Samtaleguide" in text and "Uden ejer" not in text
    assert mads_mail.get_body(preferencelist=("html",)) is not None

    # 3. Mads follows the link, signs in and does his two tiltag from /mine.
    owner = new_page()
    url = link_in(mads_mail, "/mine")
    owner.goto(urlsplit(url).path)
    owner.fill("input[name=email]", "med@example.dk")
    owner.fill("input[name=password]", factories.PASSWORD)
    owner.click("button[type=submit]")
    owner.wait_for_url(lambda u: u.endswith("/mine"))
    expect(owner.locator(".round-task")).to_have_count(2)
    assert serious_axe_violations(owner) == []
    answers = {
        "Borgerpanel": ("Panelet har holdt to møder", "▲ Udfordret", "Planlagt"),
        "Samtaleguide": ("Guiden er i brug i alle teams", "● På rette spor", "Afsluttet"),
    }
    for number, (title, (text_, health, stage)) in enumerate(answers.items(), start=1):
        task = owner.locator(".round-task", has=owner.get_by_role("heading", name=title))
        task.get_by_label("Status til runden").fill(text_)
        task.get_by_label("Vurdering").select_option(label=health)
        task.get_by_label("Kolonne (bekræft)").select_option(label=stage)
        task.get_by_role("button", name="Gem status").click()
        expect(task.locator(".round-done")).to_be_visible()
        # 4. The leader's open round page follows without a reload.
        expect(progress).to_have_text(f"{number} af 4 opdateret")
    assert serious_axe_violations(owner) == []
    expect(leader.locator(".round-missing")).not_to_contain_text("Borgerpanel")

    # The card says what is missing, and the task page is accessible.
    leader.goto(f"/boards/{board.id}/initiatives/{round_board['Uden ejer'].id}")
    expect(leader.locator(".card-round-missing")).to_contain_text("Mangler status til")
    leader.get_by_role("link", name="Giv status til runden").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("Status til")
    assert serious_axe_violations(leader) == []

    # 5. The leader closes the round; the report is published.
    leader.goto(f"/boards/{board.id}/rounds")
    leader.get_by_role("link", name="Status til Områdeudvalget, marts 2027", exact=True).click()
    leader.get_by_role("button", name="Luk runden og publicér rapporten").click()
    expect(leader.get_by_role("heading", level=1)).to_be_visible()
    expect(leader.locator(".report-table")).to_contain_text("Panelet har holdt to møder")

    # 6. The published .docx and .pdf hold both round texts and vurderinger.
    link = leader.get_by_role("link", name=re.compile("Word"))
    response = leader.request.get(link.first.get_attribute("href"))
    assert response.ok
    document = Document(io.BytesIO(response.body()))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    for text_, health, _ in answers.values():
        assert text_ in cells
        assert health.split(" ", 1)[1] in cells
    link = leader.get_by_role("link", name="Hent PDF")
    response = leader.request.get(link.first.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("application/pdf")
    pdf_text = " ".join(" ".join(page.split()) for page in pdf_pages(response.body()))
    for text_, health, _ in answers.values():
        assert " ".join(text_.split()) in pdf_text
        assert health.split(" ", 1)[1] in pdf_text
