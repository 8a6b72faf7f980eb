"""Shared helpers for the benchmarks: a fresh database built by the
migrations, and a board filled with N synthetic tiltag."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from board import create_app  # noqa: E402
from board.clock import utcnow  # noqa: E402
from board.config import normalize_database_url  # noqa: E402
from board.extensions import db  # noqa: E402
from board.models import (  # noqa: E402
    STAGES,
    Board,
    Comment,
    Initiative,
    Membership,
    Objective,
    Theme,
    User,
)


class FreshDatabase:
    """A new SQLite file, or a new database on the PostgreSQL server given as
    `postgres_url`; dropped again by `drop()`."""

    def __init__(self, postgres_url: str | None = None):
        self.admin_engine = None
        if postgres_url:
            admin_url = sa.engine.make_url(normalize_database_url(postgres_url))
            self.name = f"tiltag_bench_{uuid.uuid4().hex[:8]}"
            self.admin_engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with self.admin_engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
            self.url = admin_url.set(database=self.name).render_as_string(hide_password=False)
        else:
            self.dir = tempfile.mkdtemp(prefix="tiltag-bench-")
            self.url = f"sqlite:///{os.path.join(self.dir, 'bench.sqlite3')}"

    def make_app(self, **config):
        from flask_migrate import upgrade

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": "bench", **config})
        with app.app_context():
            upgrade()
        return app

    def drop(self):
        if self.admin_engine is not None:
            with self.admin_engine.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.admin_engine.dispose()


def fill_board(
    n_cards: int,
    *,
    themes: int = 4,
    objectives_per_theme: int = 4,
    comments_every: int = 5,
    title: str | None = None,
) -> Board:
    """A board with `n_cards` tiltag spread over themes, objectives and the
    four columns, with realistic text lengths and a comment on every
    `comments_every`-th card. Bulk inserts: the benchmark measures reading."""
    board = Board(
        title=title or f"Benchmark-tavle med {n_cards} tiltag",
        theme_label="Pejlemærke",
        objective_label="Målsætning",
    )
    db.session.add(board)
    db.session.flush()
    objective_ids = []
    for t in range(themes):
        theme = Theme(board_id=board.id, position=t, title=f"Pejlemærke {t + 1}")
        db.session.add(theme)
        db.session.flush()
        for o in range(objectives_per_theme):
            objective = Objective(
                theme_id=theme.id,
                position=o,
                number=f"{t + 1}.{o + 1}",
                title=f"Målsætning {t + 1}.{o + 1} om at gøre hverdagen bedre for borgerne",
            )
            db.session.add(objective)
            db.session.flush()
            objective_ids.append((theme.id, objective.id))
    now = utcnow()
    positions = {str(s): 0 for s in STAGES}
    rows = []
    for i in range(n_cards):
        theme_id, objective_id = objective_ids[i % len(objective_ids)]
        stage = str(STAGES[i % 4])
        rows.append(
            dict(
                board_id=board.id,
                theme_id=theme_id,
                objective_id=objective_id,
                title=f"Tiltag {i + 1}: gennemgang og tilpasning af arbejdsgange på området",
                description="Beskrivelse af tiltaget. " * 10,
                timeline="1. kvartal: forberedelse\n2. kvartal: gennemførelse",
                status_note="Arbejdet foregår i samarbejde med afdelingerne.\nNæste skridt.",
                responsible="Socialchefen",
                stage=stage,
                position=positions[stage],
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        positions[stage] += 1
    db.session.execute(sa.insert(Initiative), rows)
    user = User(email=f"bench-{board.id}@example.dk", name="Bench Leder", password_hash="")
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, board_id=board.id, role="leder"))
    ids = db.session.scalars(sa.select(Initiative.id).where(Initiative.board_id == board.id)).all()
    db.session.execute(
        sa.insert(Comment),
        [
            dict(initiative_id=iid, author_id=user.id, body="En kommentar", created_at=now)
            for iid in ids[::comments_every]
        ],
    )
    db.session.commit()
    return board, user
