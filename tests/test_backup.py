"""`flask backup PATH` and `flask restore PATH` (board/backup.py): a backup,
a wipe, a restore, and every table as it was, on the database under test
(SQLite, or PostgreSQL with TEST_DATABASE_URL: pg_dump / pg_restore)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from board.comments.services import add_comment
from board.extensions import db
from board.models import Board, Initiative, User
from board.share.services import create_share_link
from tests import factories


def every_table() -> dict[str, list[str]]:
    """Every table of the database (alembic_version included), rows sorted."""
    db.session.rollback()
    contents = {}
    with db.engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            rows = conn.execute(sa.select(table)).all()
            contents[name] = sorted(json.dumps(list(row), default=str) for row in rows)
    return contents


def wipe() -> None:
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_backup_wipe_restore_gives_back_every_table(app, runner, demo, tmp_path):
    strategy, _ = demo
    card = db.session.scalars(
        sa.select(Initiative).where(Initiative.board_id == strategy.id)
    ).first()
    leder = db.session.scalars(sa.select(User).where(User.email == "leder@tiltag.example")).one()
    add_comment(card, actor=leder, body="Drøftet på mødet.")
    create_share_link(strategy, label="Udvalget", actor=leder)
    db.session.commit()
    before = every_table()
    assert {"alembic_version", "boards", "events", "users", "comments"} <= set(before)
    assert all(before[name] for name in ("boards", "events", "users", "comments", "share_links"))

    path = tmp_path / "tiltag.backup"
    made = runner.invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    assert path.stat().st_size > 0
    again = runner.invoke(args=["backup", str(path)])
    assert again.exit_code != 0 and "findes allerede" in again.output

    wipe()
    assert every_table() != before

    declined = runner.invoke(args=["restore", str(path)], input="n\n")
    assert declined.exit_code != 0
    assert every_table()["boards"] == []

    restored = runner.invoke(args=["restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert every_table() == before

    # The restored database goes on: new rows get new ids (sequences too).
    board_ids = {b.id for b in db.session.scalars(sa.select(Board))}
    assert factories.make_board(title="Efter gendannelsen").id not in board_ids


def test_restore_refuses_a_file_that_is_no_backup(app, runner, board, tmp_path):
    path = tmp_path / "noget.txt"
    path.write_text("ikke en sikkerhedskopi")
    before = every_table()
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code != 0
    assert "sikkerhedskopi" in result.output
    assert every_table() == before
