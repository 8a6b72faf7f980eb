"""`flask import-table`: what --dry-run prints (the preview as text), the
--json shape, --role, and a non-zero exit with the real reason whenever
nothing would be created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from board.extensions import db
from board.models import Board, Initiative
from tests import bad_import_files as bad

CORPUS = Path(__file__).parent / "data" / "import"


def _boards() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Board))


def test_dry_run_prints_the_preview_with_each_tiltags_column(app, runner):
    result = runner.invoke(args=["import-table", str(CORPUS / "trafiklys.docx"), "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2 temaer, 6 tiltag. 1 punkt bør kontrolleres" in out
    assert "  3. «Vurdering» → Vurdering" in out
    assert "Tema: Trivsel" in out
    assert "- Trivselsmålinger i alle klubber" in out
    assert "Kolonne: Igangsat (sikker: Status nævner «40 %»)" in out
    assert "vurdering: Grøn (På rette spor)" in out
    assert "Kolonne: Planlagt (Kontrollér: Status nævner «2. halvår 2024»" in out


def test_dry_run_json_has_the_documented_shape(app, runner):
    path = CORPUS / "seed-strategi-2024.docx"
    result = runner.invoke(
        args=["import-table", str(path), "--dry-run", "--json", "--date", "2024-03-01"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert set(plan) == {"themes", "initiatives"}
    assert len(plan["themes"]) == 4 and len(plan["initiatives"]) == 29
    assert set(plan["themes"][0]) == {"title", "objectives"}
    assert plan["themes"][0]["objectives"][0] == {
        "number": "1.1",
        "title": "Vi taler med og ikke om borgeren",
    }
    first = plan["initiatives"][0]
    assert set(first) == {
        "title",
        "theme",
        "objective",
        "stage",
        "health",
        "confident",
        "reason",
    }
    assert first == {
        "title": "Formulering af fælles kerneopgave og menneskesyn",
        "theme": "Fundamentet på plads",
        "objective": "2.1",
        "stage": "planlagt",
        "health": None,
        "confident": True,
        "reason": "Status nævner «igangsættes» og «3. kvartal 2024», som ligger efter 1.3.2024",
    }
    svensk = runner.invoke(
        args=["import-table", str(CORPUS / "svensk.docx"), "--dry-run", "--json"]
    )
    healths = [i["health"] for i in json.loads(svensk.output)["initiatives"]]
    assert healths == ["groen", "groen", "roed", "gul", "groen"]
    assert _boards() == 0


def test_nothing_to_create_exits_non_zero_with_the_reason(app, runner, tmp_path):
    empty = tmp_path / "tom.csv"
    empty.write_text("Pejlemærke;Tiltag;Status\n", encoding="utf-8")
    result = runner.invoke(args=["import-table", str(empty), "--dry-run"])
    assert result.exit_code != 0
    assert "Tabellen har ingen tiltag i kolonnen «Tiltag»" in result.output
    result = runner.invoke(args=["import-table", str(empty), "--dry-run", "--json"])
    assert result.exit_code != 0 and "Tavlen kan ikke oprettes" in result.output

    no_table = tmp_path / "tekst.docx"
    no_table.write_bytes(bad.docx_without_table())
    result = runner.invoke(args=["import-table", str(no_table), "--dry-run"])
    assert result.exit_code != 0 and "Word-filen indeholder ingen tabel" in result.output
    assert _boards() == 0


def test_no_tiltag_column_is_the_reason_given(app, runner):
    path = CORPUS / "andre-kolonner.docx"
    result = runner.invoke(args=["import-table", str(path), "--dry-run", "--role", "2=ignore"])
    assert result.exit_code != 0
    assert "Vælg, hvilken kolonne der indeholder tiltagene («Tiltag»)." in result.output


def test_role_sets_a_column_as_in_the_preview(app, users, runner):
    path = CORPUS / "ukendte-overskrifter.docx"
    result = runner.invoke(args=["import-table", str(path), "--dry-run"])
    assert "  3. «Kontakt» → Brug ikke" in result.output
    args = ["import-table", str(path), "--role", "Kontakt=Ansvarlig"]
    result = runner.invoke(args=[*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "  3. «Kontakt» → Ansvarlig" in result.output
    result = runner.invoke(args=[*args, "--leader", "leder@example.dk"])
    assert result.exit_code == 0, result.output
    board = db.session.scalar(sa.select(Board).where(Board.title == "Arbejdsmiljø – opfølgning"))
    people = db.session.scalars(
        sa.select(Initiative.responsible).where(Initiative.board_id == board.id)
    ).all()
    assert sorted(people) == ["Jonas", "Mette", "Mette", "Søren"]


@pytest.mark.parametrize(
    "option, message",
    [("9=title", "Ukendt kolonne"), ("1=hovedsag", "Ukendt rolle"), ("Punkt", "Ukendt rolle")],
)
def test_a_bad_role_option_says_what_is_wrong(app, runner, option, message):
    path = CORPUS / "ukendte-overskrifter.docx"
    result = runner.invoke(args=["import-table", str(path), "--dry-run", "--role", option])
    assert result.exit_code != 0 and message in result.output


def test_the_leader_is_needed_only_to_create(app, runner):
    path = CORPUS / "norsk.docx"
    result = runner.invoke(args=["import-table", str(path)])
    assert result.exit_code != 0 and "--leader" in result.output
    result = runner.invoke(args=["import-table", "--help"])
    assert ".docx" in result.output


def test_a_file_without_text_above_the_table_is_named_after_the_file(app, users, runner, tmp_path):
    path = tmp_path / "handleplan-2025.csv"
    path.write_text("Tiltag;Status\nEt tiltag;Er igangsat\n", encoding="utf-8")
    result = runner.invoke(args=["import-table", str(path), "--leader", "leder@example.dk"])
    assert result.exit_code == 0, result.output
    assert "Tavle " in result.output and "handleplan-2025" in result.output
    board = db.session.scalar(sa.select(Board).where(Board.title == "handleplan-2025"))
    assert [t.title for t in board.themes] == ["Alle tiltag"]
