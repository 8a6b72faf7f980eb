"""Loads the curated demo boards (board/demo/data/*.json) and demo users.

The JSON files are transcriptions of the two status documents in
shared/seeds/. Each card's column comes from `board.column_rule.propose_stage`
applied to its status text as of the document's date, unless the file
overrides it with an explicit "stage" and a "stage_reason".
Cards and their `initiative.created` Events are dated to the document's date,
so the status report "as of" that date reproduces the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..column_rule import propose_stage
from ..editing.services import create_initiative
from ..editing.structure import add_objective, add_theme
from ..events import record_event
from ..extensions import db
from ..locks import lock_board
from ..models import Board, Membership, Role, User

DATA_DIR = Path(__file__).parent / "data"
DEMO_FILES = ("strategi-2024.json", "udviklingsproces-2023.json")


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    password: str
    is_admin: bool = False
    role: Role | None = None  # role on every demo board


# Printed by `load-demo` and listed in the README. Demo only: never reuse.
DEMO_USERS = (
    DemoUser("admin@tiltag.example", "Anne Administrator", "demo-admin", is_admin=True),
    DemoUser("leder@tiltag.example", "Lars Leder", "demo-leder", role=Role.LEDER),
    DemoUser("med@tiltag.example", "Mette MED", "demo-med", role=Role.MED),
)


def read_board_file(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def database_has_data() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Board)) > 0 or (
        db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0
    )


def _document_time(as_of: date) -> datetime:
    return datetime.combine(as_of, time(9, 0), tzinfo=UTC)


def load_board(data: dict) -> Board:
    """Create one board from a demo/import data dict (see the JSON files)."""
    as_of = date.fromisoformat(data["as_of"])
    when = _document_time(as_of)
    board = Board(
        title=data["title"],
        description=data.get("description", ""),
        theme_label=data.get("theme_label") or "Pejlemærke",
        objective_label=data.get("objective_label"),
        created_at=when,
    )
    db.session.add(board)
    db.session.flush()
    lock_board(board.id)
    record_event(board_id=board.id, kind="board.created", payload={"title": board.title}, at=when)
    # Through the structure functions, so the board's Event log holds its
    # pejlemærker and målsætninger like every board built in the app.
    for theme_data in data["themes"]:
        theme = add_theme(board, title=theme_data["title"], actor=None, at=when)
        for card in theme_data.get("initiatives", []):
            _create_card(theme, None, card, as_of, when)
        for objective_data in theme_data.get("objectives", []):
            objective = add_objective(
                theme,
                number=objective_data.get("number", ""),
                title=objective_data["title"],
                actor=None,
                at=when,
            )
            for card in objective_data.get("initiatives", []):
                _create_card(theme, objective, card, as_of, when)
    return board


def _create_card(theme, objective, card: dict, as_of: date, when: datetime):
    stage = (
        card.get("stage")
        or propose_stage(card.get("status_note", ""), card.get("timeline", ""), as_of).stage
    )
    return create_initiative(
        theme=theme,
        objective=objective,
        title=card["title"],
        description=card.get("description", ""),
        timeline=card.get("timeline", ""),
        status_note=card.get("status_note", ""),
        responsible=card.get("responsible", ""),
        stage=stage,
        at=when,
    )


def is_production() -> bool:
    return current_app.config.get("ENV_NAME") == "production"


def load_demo(*, replace: bool = False) -> tuple[list[Board], list[DemoUser]]:
    """Load both demo boards and the demo users in one transaction.

    Refuses (ValueError) when the database already has boards or users,
    unless `replace` is set, which first deletes everything; and always with
    TILTAG_ENV=production: the demo users' passwords are published in the
    README, so they must never exist where real people log in, and nothing
    there may be replaced by demo data.
    """
    from ..auth.passwords import hash_password

    if is_production():
        raise ValueError("demo data are never loaded in production")
    if database_has_data():
        if not replace:
            raise ValueError("database has data")
        _delete_everything()
    boards = [load_board(read_board_file(name)) for name in DEMO_FILES]
    for demo in DEMO_USERS:
        user = User(
            email=demo.email,
            name=demo.name,
            password_hash=hash_password(demo.password),
            is_admin=demo.is_admin,
        )
        db.session.add(user)
        db.session.flush()
        if demo.role is not None:
            for board in boards:
                db.session.add(Membership(user_id=user.id, board_id=board.id, role=demo.role))
    db.session.commit()
    return boards, list(DEMO_USERS)


def _delete_everything() -> None:
    """Empty every table (children first), for `load-demo --replace`."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
