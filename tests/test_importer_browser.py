"""The import preview in a real Chromium: paste the 2023 seed table, see
what will be created and what to check, correct, confirm."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from board.extensions import db
from board.models import Board, Initiative, Role
from tests import factories
from tests.conftest import browser_login, serious_axe_violations

pytestmark = pytest.mark.browser

SEED = Path(__file__).parent / "data" / "seeds" / "status-udviklingsproces-2023-03.txt"


@pytest.fixture
def leader(app, board):
    return factories.make_user("lone@example.dk", name="Lone Leder", board=board, role=Role.LEDER)


def test_import_preview_flags_guesses_and_creates_the_board(page, leader):
    browser_login(page, "lone@example.dk")
    page.click("text=Importér tavle")
    expect(page.locator("h1")).to_have_text("Opret tavle fra en eksisterende tabel")
    page.fill("textarea[name=tabel]", SEED.read_text(encoding="utf-8"))
    page.click("button:has-text('Vis forhåndsvisning')")

    expect(page.locator("#import-summary")).to_contain_text("8 udviklingsspor, 20 tiltag")
    expect(page.locator("#import-summary")).to_contain_text("bør kontrolleres")
    # the date found in the header ("pr. 15/3-23") and a title from the text above the table
    assert page.locator("input[name=dato]").input_value() == "2023-03-15"
    assert page.locator("input[name=titel]").input_value().startswith("Status på udviklingsproces")
    # what the importer was unsure about is marked on the row, in words
    shifted = page.locator(".import-initiative", has_text="Socialpsykiatri og misbrug")
    expect(shifted).to_have_class("import-initiative unsure")
    expect(shifted).to_contain_text("stod i iværksættelse-kolonnen")
    expect(shifted).to_contain_text("efter et sideskift")
    # the proposed column and its reason
    hired = page.locator(".import-initiative", has_text="Aftaleholder er ansat.")
    expect(hired.locator("select[name^=kolonne]")).to_have_value("afsluttet")
    assert serious_axe_violations(page) == []

    # the leader corrects one column and the title, then confirms
    hired.locator("select[name^=kolonne]").select_option("igangsat")
    page.fill("input[name=titel]", "Udviklingsproces 2023 (import)")
    page.click("#import-confirm")
    page.wait_for_url("**/boards/*")
    expect(page.locator("#notice")).to_contain_text("er oprettet med 20 tiltag")
    expect(page.locator("[data-initiative-id]")).to_have_count(20)

    board = db.session.scalar(
        sa.select(Board).where(Board.title == "Udviklingsproces 2023 (import)")
    )
    card = db.session.scalar(
        sa.select(Initiative).where(
            Initiative.board_id == board.id, Initiative.status_note == "Aftaleholder er ansat."
        )
    )
    assert card.stage == "igangsat"


def test_a_bad_file_shows_a_danish_message(page, leader, tmp_path):
    browser_login(page, "lone@example.dk")
    page.goto("/import")
    bad = tmp_path / "tabel.xlsx"
    bad.write_bytes(b"dette er ikke et regneark")
    page.set_input_files("input[name=fil]", str(bad))
    page.click("button:has-text('Vis forhåndsvisning')")
    expect(page.locator(".import-error")).to_contain_text("kunne ikke læses som Excel-fil")
