"""The demo boards match the two status documents (copies in tests/data/seeds/)."""

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from board.demo.loader import load_demo
from board.extensions import db
from board.models import Board, Event, Initiative, Objective, Theme, User
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def _counts(board):
    themes = db.session.scalar(sa.select(sa.func.count()).where(Theme.board_id == board.id))
    objectives = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Objective)
        .join(Theme)
        .where(Theme.board_id == board.id)
    )
    initiatives = db.session.scalar(
        sa.select(sa.func.count()).where(Initiative.board_id == board.id)
    )
    return themes, objectives, initiatives


def test_demo_boards_have_the_documents_counts(demo):
    strategy, process = demo
    # status-strategi-2024.txt: 4 pejlemærker, 14 målsætninger, 29 tiltag.
    assert _counts(strategy) == (4, 14, 29)
    # status-udviklingsproces-2023-03.txt: 8 udviklingsspor, no målsætninger, 20 tiltag.
    assert _counts(process) == (8, 0, 20)
    assert strategy.theme_label == "Pejlemærke" and strategy.objective_label == "Målsætning"
    assert process.theme_label == "Udviklingsspor" and process.objective_label is None


def test_demo_cards_keep_the_documents_status_text(demo):
    strategy, process = demo
    stu = db.session.scalars(
        sa.select(Initiative).where(Initiative.title == "III. Ny takstmodel for STU")
    ).one()
    assert stu.status_note == "4. kvartal 2024"
    assert stu.stage == "planlagt"
    hired = db.session.scalars(
        sa.select(Initiative).where(Initiative.status_note == "Aftaleholder er ansat.")
    ).one()
    assert hired.stage == "afsluttet" and hired.board_id == process.id
    # Words split by the document's line wraps are joined again.
    texts = " ".join(
        i.title + " " + i.status_note for i in db.session.scalars(sa.select(Initiative))
    )
    assert "vir-tuel" not in texts and "velfærdsbolighandleplanen" in texts


def test_every_demo_card_has_its_created_event_dated_to_the_document(demo):
    strategy, _ = demo
    events = db.session.scalars(
        sa.select(Event).where(Event.board_id == strategy.id, Event.kind == "initiative.created")
    ).all()
    assert len(events) == 29
    assert {e.created_at.date().isoformat() for e in events} == {"2024-03-01"}


def test_the_demo_structure_is_in_the_event_log_dated_to_the_documents(demo):
    for board, as_of in zip(demo, ("2024-03-01", None), strict=True):
        events = db.session.scalars(
            sa.select(Event)
            .where(
                Event.board_id == board.id, Event.kind.in_(["theme.created", "objective.created"])
            )
            .order_by(Event.id)  # PostgreSQL returns rows in no set order without it
        ).all()
        themes = [e for e in events if e.kind == "theme.created"]
        objectives = [e for e in events if e.kind == "objective.created"]
        assert [e.payload["title"] for e in themes] == [t.title for t in board.themes]
        assert len(objectives) == sum(len(t.objectives) for t in board.themes)
        assert {e.created_at for e in events} == {board.created_at}
        if as_of:
            assert board.created_at.date().isoformat() == as_of


def test_positions_are_dense_per_column(demo):
    for board in demo:
        rows = db.session.execute(
            sa.select(Initiative.stage, Initiative.position).where(Initiative.board_id == board.id)
        ).all()
        by_stage = {}
        for stage, position in rows:
            by_stage.setdefault(stage, []).append(position)
        for positions in by_stage.values():
            assert sorted(positions) == list(range(len(positions)))


def test_load_demo_refuses_a_database_with_data(demo):
    with pytest.raises(ValueError):
        load_demo()


def test_load_demo_command_refuses_twice_and_replaces_when_told(app, runner):
    first = runner.invoke(args=["load-demo"])
    assert first.exit_code == 0, first.output
    assert "leder@tiltag.example" in first.output
    second = runner.invoke(args=["load-demo"])
    assert second.exit_code != 0
    assert "--replace" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == 2
    third = runner.invoke(args=["load-demo", "--replace", "--yes"])
    assert third.exit_code == 0, third.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == 2
    quiet = runner.invoke(args=["load-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "allerede data" in quiet.output


def _count(model) -> int:
    db.session.rollback()  # see what the command committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_load_demo_replace_asks_before_it_deletes_anything(app, runner):
    factories.make_board(title="Rigtig tavle")
    factories.make_user("rigtig@norddjurs.dk")
    declined = runner.invoke(args=["load-demo", "--replace"], input="n\n")
    assert declined.exit_code != 0
    assert "Slet alt" in declined.output
    assert [b.title for b in db.session.scalars(sa.select(Board))] == ["Rigtig tavle"]
    assert _count(User) == 1
    confirmed = runner.invoke(args=["load-demo", "--replace"], input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert _count(Board) == 2 and _count(User) == 3
    unasked = runner.invoke(args=["load-demo", "--replace", "--yes"])
    assert unasked.exit_code == 0, unasked.output
    assert "Slet alt" not in unasked.output


@pytest.fixture
def production_app(make_app, monkeypatch):
    """An app as TILTAG_ENV=production makes it (a real-length SECRET_KEY)."""
    monkeypatch.setenv("TILTAG_ENV", "production")
    app = make_app(SECRET_KEY="p" * 48)
    assert app.config["ENV_NAME"] == "production"
    with app.app_context():
        yield app


def test_load_demo_replace_is_refused_in_production(production_app):
    factories.make_board(title="Rigtig tavle")
    factories.make_user("rigtig@norddjurs.dk")
    runner = production_app.test_cli_runner()
    for args in (["--replace", "--yes"], ["--replace"], []):
        result = runner.invoke(args=["load-demo", *args], input="y\n")
        assert result.exit_code != 0, (args, result.output)
        assert "TILTAG_ENV=production" in result.output
    assert [b.title for b in db.session.scalars(sa.select(Board))] == ["Rigtig tavle"]
    assert [u.email for u in db.session.scalars(sa.select(User))] == ["rigtig@norddjurs.dk"]


def test_no_demo_user_is_ever_created_in_production(production_app):
    runner = production_app.test_cli_runner()
    # An empty database: `make run` says `load-demo --if-empty`; it succeeds
    # (so `make run` goes on) but loads nothing.
    quiet = runner.invoke(args=["load-demo", "--if-empty"])
    assert quiet.exit_code == 0, quiet.output
    assert "TILTAG_ENV=production" in quiet.output
    refused = runner.invoke(args=["load-demo"])
    assert refused.exit_code != 0
    assert _count(User) == 0 and _count(Board) == 0
    # Nor through the function itself.
    with pytest.raises(ValueError, match="production"):
        load_demo()
    assert _count(User) == 0


def _make(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_clean_leaves_the_database_and_clean_db_asks_first(tmp_path):
    assert "sqlite3" not in _make("-n", "clean").stdout
    database = tmp_path / "instance" / "tiltagstavlen.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"boards")
    declined = _make("-C", str(tmp_path), "clean-db", stdin="nej\n")
    assert declined.returncode != 0
    assert "Skriv ja" in declined.stdout + declined.stderr
    assert database.read_bytes() == b"boards"
    confirmed = _make("-C", str(tmp_path), "clean-db", stdin="ja\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert not database.exists()
