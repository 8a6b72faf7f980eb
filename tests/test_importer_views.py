"""Import through the web: paste or upload, preview, correct, confirm."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Board, Event, Initiative, Membership, Objective, Theme
from board.reports.exports import to_csv, to_xlsx
from board.reports.services import status_as_of
from tests import factories
from tests.html import attrs, count, form_fields, has, select, text_of, texts

SEEDS = Path(__file__).parent / "data" / "seeds"


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _confirm_form(source, **extra):
    """What the preview's form posts when the user presses "Opret tavle"
    after changing the fields in `extra`."""
    data = form_fields(source, "form#import-form")
    assert set(extra) <= set(data), set(extra) - set(data)  # fields the form has
    data.update(extra)
    return data


def _stages(source) -> dict[str, str]:
    """The column chosen for each tiltag of the preview, by title."""
    return {
        text_of(row, ".import-title"): attrs(row, "select option[selected]", "value")[0]
        for row in select(source, "tr.import-initiative")
    }


def test_leader_imports_the_2024_seed_text_and_becomes_leder(users, as_user):
    client = as_user("leder")
    text = (SEEDS / "status-strategi-2024.txt").read_text(encoding="utf-8")
    before = _count(Board)
    response = client.post("/import/preview", data={"tabel": text, "dato": "2024-03-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4 pejlemærker, 14 målsætninger, 29 tiltag" in text_of(response, "#import-summary")
    assert "Kontrollér" in html and "stod i målsætning-kolonnen" in html
    flagged = [t for t in texts(response, ".import-flags li") if "stod i målsætning-kolonnen" in t]
    assert flagged and all(t.startswith("Kontrollér ") for t in flagged)
    assert "Proces igangsættes 3. kvartal 2024" in texts(response, "tr.import-initiative td")
    assert count(response, "tr.import-initiative") == 29
    assert count(response, "section.import-theme") == 4
    assert not has(response, "button#import-confirm[disabled]")
    assert _count(Board) == before  # the preview writes nothing

    form = _confirm_form(response, titel="Strategi 2024 (importeret)")
    response = client.post("/import", data=form)
    assert response.status_code == 302
    board = db.session.scalar(sa.select(Board).where(Board.title == "Strategi 2024 (importeret)"))
    assert response.headers["Location"].endswith(f"/boards/{board.id}")
    membership = db.session.get(Membership, (users["leder"].id, board.id))
    assert membership.role == "leder"
    assert board.theme_label == "Pejlemærke" and board.objective_label == "Målsætning"
    themes = db.session.scalar(sa.select(sa.func.count()).where(Theme.board_id == board.id))
    assert themes == 4
    cards = list(db.session.scalars(sa.select(Initiative).where(Initiative.board_id == board.id)))
    assert len(cards) == 29
    kinds = [e.kind for e in db.session.scalars(sa.select(Event).where(Event.board_id == board.id))]
    assert kinds.count("board.created") == 1 and kinds.count("theme.created") == 4
    assert kinds.count("objective.created") == 14 and kinds.count("initiative.created") == 29
    stu = next(c for c in cards if c.title == "III. Ny takstmodel for STU")
    assert stu.stage == "planlagt"


def test_the_leader_corrects_a_column_before_confirming(users, as_user):
    client = as_user("leder")
    text = "Pejlemærke\tTiltag\tStatus\nTema\tEt tiltag\tEr igangsat\n"
    preview = client.post("/import/preview", data={"tabel": text})
    assert _stages(preview) == {"Et tiltag": "igangsat"}
    form = _confirm_form(preview, titel="Rettet", **{"kolonne-1": "afsluttet"})
    assert client.post("/import", data=form).status_code == 302
    card = db.session.scalar(sa.select(Initiative).where(Initiative.title == "Et tiltag"))
    assert card.stage == "afsluttet"


def test_the_leader_corrects_the_column_roles(users, as_user):
    client = as_user("leder")
    text = "Pejlemærke\tTiltag\tNoter\nTema\tEt tiltag\tEr igangsat\n"
    preview = client.post("/import/preview", data={"tabel": text})
    form = _confirm_form(preview, titel="Roller", **{"rolle-2": "status_note"})
    again = client.post("/import/preview", data=form)
    assert attrs(again, "#rolle-2 option[selected]", "value") == ["status_note"]
    assert _stages(again) == {"Et tiltag": "igangsat"}
    assert "Er igangsat" in texts(again, "tr.import-initiative td")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"tabel": ""}, "Indsæt tabellen fra Word"),
        ({"tabel": "ingen tabulatorer her"}, "ingen tabel"),
        ({"fil": (b"not a zip", "tabel.xlsx")}, "kunne ikke læses som Excel-fil"),
        ({"fil": (b"x", "tabel.pdf")}, "Vælg en .docx-, .csv- eller .xlsx-fil"),
        ({"fil": (b"Navn\nA\nB", "t.csv")}, "ingen tabel med mindst to kolonner"),
        ({"fil": (b"not a zip", "tabel.docx")}, "kunne ikke læses som Word-fil"),
        ({"fil": (b"\xd0\xcf\x11\xe0", "gammel.doc")}, "gem den som .docx"),
        ({"tabel": "Pejlemærke\tTiltag\nA\tB", "dato": "1. marts"}, "ÅÅÅÅ-MM-DD"),
    ],
)
def test_bad_input_gets_a_danish_message_and_creates_nothing(users, as_user, data, message):
    client = as_user("leder")
    before = _count(Board), _count(Event)
    for url in ("/import/preview", "/import"):
        form = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
        response = client.post(url, data=form, content_type="multipart/form-data")
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert (_count(Board), _count(Event)) == before


def test_a_tampered_preview_is_refused(users, as_user):
    response = as_user("leder").post("/import", data={"kilde": "{not json", "titel": "X"})
    assert response.status_code == 400 and "Start forfra" in response.get_data(as_text=True)
    response = as_user("leder").post(
        "/import", data={"kilde": json.dumps({"kind": "evil"}), "titel": "X"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "kilde",
    [
        # json.loads reads Infinity and 1e400 as floats that int() cannot take
        '{"rows":[{"line":Infinity,"cells":["a"],"after_break":false}],'
        '"kind":"text","header":["Tiltag","Status"]}',
        '{"rows":[{"line":1e400,"cells":["a"],"after_break":false}],'
        '"kind":"text","header":["Tiltag","Status"]}',
    ],
)
def test_a_preview_with_an_impossible_line_number_is_refused(users, as_user, kilde):
    before = (_count(Board), _count(Event))
    for url in ("/import/preview", "/import"):
        response = as_user("leder").post(url, data={"kilde": kilde, "titel": "Import"})
        assert response.status_code == 400 and "Start forfra" in response.get_data(as_text=True)
    assert (_count(Board), _count(Event)) == before


def test_a_row_shorter_than_the_header_reads_as_empty_cells(users, as_user):
    kilde = json.dumps(
        {
            "rows": [{"line": 1, "cells": ["A", "Et tiltag"], "after_break": False}],
            "kind": "text",
            "header": ["Pejlemærke", "Tiltag", "Status"],
        }
    )
    response = as_user("leder").post("/import/preview", data={"kilde": kilde, "titel": "Import"})
    assert response.status_code == 200
    assert list(_stages(response)) == ["Et tiltag"]


def test_missing_title_is_refused_and_nothing_is_written(users, as_user):
    client = as_user("leder")
    preview = client.post("/import/preview", data={"tabel": "Pejlemærke\tTiltag\nA\tB"})
    before = _count(Board)
    response = client.post("/import", data=_confirm_form(preview, titel=" "))
    assert response.status_code == 422 and "Giv tavlen et navn" in response.get_data(as_text=True)
    assert _count(Board) == before


def test_only_leaders_and_admins_may_import(users, as_user):
    assert as_user("med").get("/import").status_code == 403
    assert as_user("outsider").post("/import/preview", data={"tabel": "x"}).status_code == 403
    assert as_user("admin").get("/import").status_code == 200
    page = as_user("leder").get("/")
    assert text_of(page, 'nav.site-nav a[href="/import"]') == "Importér tavle"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_round_trip_through_the_importer(demo, users, as_user, fmt):
    """A board exported as .xlsx/.csv and imported again is the same board:
    themes, objectives (with empty ones), tiltag with all their texts and
    columns."""
    strategy, process = demo
    for original, day in ((strategy, date(2024, 3, 1)), (process, date(2023, 3, 15))):
        report = status_as_of(original, day)
        data = to_xlsx(report) if fmt == "xlsx" else to_csv(report)
        client = as_user("admin")
        preview = client.post(
            "/import/preview",
            data={"fil": (io.BytesIO(data), f"status.{fmt}")},
            content_type="multipart/form-data",
        )
        assert "Kontrollér" not in preview.get_data(as_text=True)
        title = f"Kopi af {original.title} ({fmt})"
        response = client.post("/import", data=_confirm_form(preview, titel=title))
        assert response.status_code == 302
        copy = db.session.scalar(sa.select(Board).where(Board.title == title))
        assert (copy.theme_label, copy.objective_label) == (
            original.theme_label,
            original.objective_label,
        )
        assert _outline(copy) == _outline(original)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_like_texts_stay_text_and_round_trip(app, users, as_user, fmt):
    from openpyxl import load_workbook

    board = factories.make_board(title="Formler")
    factories.make_initiative(
        board, '=HYPERLINK("http://x")', status_note="- punkt\n- punkt 2", timeline="+45"
    )
    report = status_as_of(board, date.today())
    data = to_xlsx(report) if fmt == "xlsx" else to_csv(report)
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    else:
        assert "'=HYPERLINK" in data.decode("utf-8-sig")
    preview = as_user("admin").post(
        "/import/preview",
        data={"fil": (io.BytesIO(data), f"f.{fmt}")},
        content_type="multipart/form-data",
    )
    response = as_user("admin").post("/import", data=_confirm_form(preview, titel="Kopi"))
    assert response.status_code == 302
    copy = db.session.scalar(sa.select(Board).where(Board.title == "Kopi"))
    assert _outline(copy) == _outline(board)


def _outline(board):
    themes = list(db.session.scalars(sa.select(Theme).where(Theme.board_id == board.id)))
    out = []
    for theme in sorted(themes, key=lambda t: t.position):
        out.append(theme.title)
        objectives = db.session.scalars(
            sa.select(Objective).where(Objective.theme_id == theme.id).order_by(Objective.position)
        )
        out += [(o.number, o.title) for o in objectives]
        cards = db.session.scalars(
            sa.select(Initiative).where(Initiative.theme_id == theme.id).order_by(Initiative.id)
        )
        out += [
            (
                c.objective.number if c.objective else None,
                c.title,
                c.description,
                c.timeline,
                c.status_note,
                c.responsible,
                c.stage,
            )
            for c in cards
        ]
    return out


def test_csv_with_a_board_that_has_no_objectives(app, users, as_user):
    board = factories.make_board(title="Uden mål", themes=(("Spor", ()),), objective_label=None)
    factories.make_initiative(board, "Et tiltag", stage="igangsat", status_note="kører")
    data = to_csv(status_as_of(board, date.today()))
    assert data.decode("utf-8-sig").splitlines()[0].startswith("Pejlemærke;Tiltag;")


def test_command_line_import_of_a_seed_file(app, users, runner):
    path = str(SEEDS / "status-udviklingsproces-2023-03.txt")
    result = runner.invoke(args=["import-table", path, "--leader", "ada@nowhere.dk"])
    assert result.exit_code != 0 and "Ingen bruger" in result.output
    result = runner.invoke(args=["import-table", path, "--leader", "leder@example.dk", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "8 udviklingsspor, 20 tiltag" in result.output and "Kontrollér" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == 1
    result = runner.invoke(
        args=["import-table", path, "--leader", "leder@example.dk", "--title", "Fra kommandolinjen"]
    )
    assert result.exit_code == 0, result.output
    board = db.session.scalar(sa.select(Board).where(Board.title == "Fra kommandolinjen"))
    assert db.session.get(Membership, (users["leder"].id, board.id)).role == "leder"
    assert (
        len(db.session.scalars(sa.select(Initiative).where(Initiative.board_id == board.id)).all())
        == 20
    )


CORPUS = Path(__file__).parent / "data" / "import"


def _upload(client, name):
    return client.post(
        "/import/preview",
        data={"fil": (io.BytesIO((CORPUS / name).read_bytes()), name)},
        content_type="multipart/form-data",
    )


def test_a_word_file_previews_like_a_paste_and_creates_the_board(users, as_user):
    client = as_user("leder")
    before = _count(Board)
    preview = _upload(client, "seed-udviklingsproces-2023.docx")
    assert preview.status_code == 200
    assert "8 udviklingsspor, 20 tiltag" in text_of(preview, "#import-summary")
    assert count(preview, "section.import-theme") == 8
    assert attrs(preview, "input[name=dato]", "value") == ["2023-03-15"]
    assert _count(Board) == before
    response = client.post("/import", data=_confirm_form(preview, titel="Fra Word"))
    assert response.status_code == 302
    board = db.session.scalar(sa.select(Board).where(Board.title == "Fra Word"))
    cards = db.session.scalars(sa.select(Initiative).where(Initiative.board_id == board.id)).all()
    assert len(cards) == 20


def test_the_preview_shows_and_takes_the_vurdering(users, as_user):
    client = as_user("leder")
    preview = _upload(client, "trafiklys.docx")
    chosen = attrs(preview, "select[name^=vurdering] option[selected]", "value")
    assert chosen == ["groen", "gul", "roed", "groen", "groen", "gul"]
    assert "1 punkt bør kontrolleres" in text_of(preview, "#import-summary")
    # the leader changes one; a new preview keeps it
    form = _confirm_form(preview, **{"vurdering-2": "roed"})
    again = client.post("/import/preview", data=form)
    assert attrs(again, "#vurdering-2 option[selected]", "value") == ["roed"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_vurdering_round_trips_through_an_export(app, users, as_user, fmt):
    board = factories.make_board(title="Vurderet")
    factories.make_initiative(board, "Grønt tiltag", health="groen", status_note="Kører")
    factories.make_initiative(board, "Rødt tiltag", health="roed", status_note="Kører")
    factories.make_initiative(board, "Uden vurdering", status_note="Kører")
    report = status_as_of(board, date.today())
    data = to_xlsx(report) if fmt == "xlsx" else to_csv(report)
    client = as_user("admin")
    preview = client.post(
        "/import/preview",
        data={"fil": (io.BytesIO(data), f"v.{fmt}")},
        content_type="multipart/form-data",
    )
    assert client.post("/import", data=_confirm_form(preview, titel="Kopi")).status_code == 302
    copy = db.session.scalar(sa.select(Board).where(Board.title == "Kopi"))
    cards = db.session.scalars(
        sa.select(Initiative).where(Initiative.board_id == copy.id).order_by(Initiative.id)
    ).all()
    assert [(c.title, c.health) for c in cards] == [
        ("Grønt tiltag", "groen"),
        ("Rødt tiltag", "roed"),
        ("Uden vurdering", None),
    ]
