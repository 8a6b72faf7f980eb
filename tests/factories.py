"""Small builders for test data. Each returns committed model objects."""

from __future__ import annotations

from board.auth.passwords import hash_password
from board.editing.services import create_initiative
from board.extensions import db
from board.models import Board, Membership, Objective, Role, Theme, User

PASSWORD = "korrekt-hest-batteri"


def make_board(
    title: str = "Testtavle",
    themes=(("Borgeren først", ("1.1 Vi taler med borgeren", "1.2 Fælles redskaber")),),
    theme_label: str = "Pejlemærke",
    objective_label: str | None = "Målsætning",
) -> Board:
    """A board with themes and objectives. `themes` is a sequence of
    (title, objective labels) where a label is "<number> <title>"."""
    board = Board(title=title, theme_label=theme_label, objective_label=objective_label)
    db.session.add(board)
    db.session.flush()
    for t_pos, (theme_title, objectives) in enumerate(themes):
        theme = Theme(board_id=board.id, position=t_pos, title=theme_title)
        db.session.add(theme)
        db.session.flush()
        for o_pos, label in enumerate(objectives):
            number, _, rest = label.partition(" ")
            db.session.add(Objective(theme_id=theme.id, position=o_pos, number=number, title=rest))
    db.session.commit()
    return board


_HASHES: dict[str, str] = {}


def _password_hash(password: str) -> str:
    """scrypt is slow on purpose; tests hash each password once per run
    (the salt is then shared, which only matters outside tests)."""
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def make_user(
    email: str = "leder@example.dk",
    *,
    name: str | None = None,
    board: Board | None = None,
    role: Role | str | None = None,
    is_admin: bool = False,
    password: str = PASSWORD,
    active: bool = True,
) -> User:
    user = User(
        email=email.lower(),
        name=name or email.split("@")[0].capitalize(),
        password_hash=_password_hash(password),
        is_admin=is_admin,
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    if board is not None and role is not None:
        db.session.add(Membership(user_id=user.id, board_id=board.id, role=Role(role).value))
    db.session.commit()
    return user


def make_initiative(
    board: Board,
    title: str = "Et tiltag",
    *,
    stage="ikke_ivaerksat",
    theme: Theme | None = None,
    objective: Objective | None = None,
    **fields,
):
    theme = theme or board.themes[0]
    initiative = create_initiative(
        theme=theme, objective=objective, title=title, stage=stage, **fields
    )
    db.session.commit()
    return initiative
