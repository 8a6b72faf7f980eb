"""The demo boards match the two status documents (copies in tests/data/seeds/)."""

import pytest
import sqlalchemy as sa

from board.demo.loader import load_demo
from board.extensions import db
from board.models import Board, Event, Initiative, Objective, Theme


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
            sa.select(Event).where(
                Event.board_id == board.id, Event.kind.in_(["theme.created", "objective.created"])
            )
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
    third = runner.invoke(args=["load-demo", "--replace"])
    assert third.exit_code == 0, third.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == 2
    quiet = runner.invoke(args=["load-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "allerede data" in quiet.output
