"""Importing a Word file in a real Chromium: upload the .docx, correct one
column role in the preview, create the board (axe-core on both pages)."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from board.extensions import db
from board.models import Board, Initiative, Role
from tests import factories
from tests.conftest import browser_login, serious_axe_violations

pytestmark = pytest.mark.browser

DOCX = Path(__file__).parent / "data" / "import" / "ukendte-overskrifter.docx"


@pytest.fixture
def leader(app, board):
    return factories.make_user("lone@example.dk", name="Lone Leder", board=board, role=Role.LEDER)


def test_upload_a_word_file_correct_a_role_and_create_the_board(page, leader):
    browser_login(page, "lone@example.dk")
    page.goto("/import")
    expect(page.locator("h1")).to_have_text("Opret tavle fra en eksisterende tabel")
    assert serious_axe_violations(page) == []
    page.set_input_files("input[name=fil]", str(DOCX))
    page.click("button:has-text('Vis forhåndsvisning')")

    expect(page.locator("#import-summary")).to_contain_text("2 emner, 4 tiltag")
    # the guesses are named, and "Kontakt" is not used yet
    expect(page.locator(".import-notes")).to_contain_text("gættet som «Status» ud fra indholdet")
    expect(page.locator("#rolle-2")).to_have_value("ignore")
    expect(page.locator(".import-responsible")).to_have_count(0)
    assert page.locator("input[name=titel]").input_value() == "Arbejdsmiljø – opfølgning"
    assert serious_axe_violations(page) == []

    # the leader says column 3 holds the responsible person
    page.select_option("#rolle-2", "responsible")
    page.click("#import-update")
    expect(page.locator(".import-responsible")).to_have_count(4)
    expect(page.locator(".import-initiative", has_text="Stresspolitik")).to_contain_text(
        "Ansvarlig: Jonas"
    )
    expect(page.locator("#rolle-2")).to_have_value("responsible")
    assert serious_axe_violations(page) == []

    page.click("#import-confirm")
    page.wait_for_url("**/boards/*")
    expect(page.locator("#notice")).to_contain_text("er oprettet med 4 tiltag")
    expect(page.locator("[data-initiative-id]")).to_have_count(4)
    board = db.session.scalar(sa.select(Board).where(Board.title == "Arbejdsmiljø – opfølgning"))
    people = db.session.scalars(
        sa.select(Initiative.responsible).where(Initiative.board_id == board.id)
    ).all()
    assert sorted(people) == ["Jonas", "Mette", "Mette", "Søren"]
