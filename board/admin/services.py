"""Accounts and board roles: plain functions used by the admin pages and the
command line. They take model objects and an `actor` (None from the command
line) and leave the commit to the caller.

None of this is a board Event (the Event log is the board's content history
and live feed, which committee members watch too); every change is written
to the application log with ids only, never a password.
"""

from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from ..auth.passwords import find_user_by_email, hash_password
from ..extensions import db
from ..models import Board, Membership, Role, User

log = logging.getLogger(__name__)

PASSWORD_MIN = 10
PASSWORD_MAX = 200
NAME_MAX = 200
EMAIL_MAX = 254


class AccountError(ValueError):
    """The change cannot be made; the message is Danish and shown to the user."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise AccountError(f"Adgangskoden skal være mindst {PASSWORD_MIN} tegn.")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"Adgangskoden må højst være {PASSWORD_MAX} tegn.")


def new_session_nonce() -> str:
    return secrets.token_hex(16)


def create_user(
    *, email: str, name: str, password: str, is_admin: bool = False, actor: User | None = None
) -> User:
    email = normalize_email(email)
    name = (name or "").strip()
    if not email or "@" not in email or len(email) > EMAIL_MAX:
        raise AccountError("Skriv en gyldig e-mailadresse.")
    if not name or len(name) > NAME_MAX:
        raise AccountError(f"Skriv et navn (højst {NAME_MAX} tegn).")
    check_password_rules(password)
    if find_user_by_email(email) is not None:
        raise AccountError(f"Der findes allerede en bruger med e-mailen {email}.")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        is_admin=is_admin,
        active=True,
        session_nonce=new_session_nonce(),
    )
    db.session.add(user)
    db.session.flush()
    log.info("user %s created by %s", user.id, getattr(actor, "id", "cli"))
    return user


def update_user(user: User, *, name: str, is_admin: bool, actor: User | None = None) -> None:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise AccountError(f"Skriv et navn (højst {NAME_MAX} tegn).")
    if user.is_admin and not is_admin:
        _refuse_losing_last_admin(user, actor, "fjerne administratorrettigheden fra")
    user.name = name
    user.is_admin = is_admin


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """A new password ends every open session of the user (new nonce),
    except that the caller may log the user in again."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_nonce = new_session_nonce()
    log.info("password of user %s reset by %s", user.id, getattr(actor, "id", "cli"))


def change_own_password(user: User, *, current: str, new: str) -> None:
    """A user replaces their own password, proving they know the current one.

    Like a reset it ends every other open session of the user (new nonce);
    the caller logs the user in again in this one. Raises AccountError with a
    Danish message (wrong current password, or a new one that breaks the
    rules), and nothing is changed then.
    """
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise AccountError("Den nuværende adgangskode er forkert.")
    if new == current:
        raise AccountError("Den nye adgangskode skal være en anden end den nuværende.")
    set_password(user, new, actor=user)


def deactivate_user(user: User, *, actor: User | None = None) -> None:
    """The user can no longer log in, and open sessions (and remember-me
    cookies) stop working at once: the session id includes the nonce."""
    if not user.active:
        return
    _refuse_losing_last_admin(user, actor, "deaktivere")
    user.active = False
    user.session_nonce = new_session_nonce()
    log.info("user %s deactivated by %s", user.id, getattr(actor, "id", "cli"))


def reactivate_user(user: User, *, actor: User | None = None) -> None:
    if user.active:
        return
    user.active = True
    user.session_nonce = new_session_nonce()
    log.info("user %s reactivated by %s", user.id, getattr(actor, "id", "cli"))


def _refuse_losing_last_admin(user: User, actor: User | None, verb: str) -> None:
    if actor is not None and actor.id == user.id:
        raise AccountError(f"Du kan ikke {verb} dig selv. Bed en anden administrator om det.")
    if user.is_admin and user.active:
        others = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.is_admin.is_(True), User.active.is_(True), User.id != user.id)
        )
        if not others:
            raise AccountError("Der skal være mindst én aktiv administrator.")


def set_board_role(
    user: User, board: Board, role: Role | str | None, *, actor: User | None = None
) -> bool:
    """Give `user` the role on `board` (None removes the membership).
    Returns whether anything changed."""
    new_role = Role(role).value if role else None
    membership = db.session.get(Membership, (user.id, board.id))
    old_role = membership.role if membership else None
    if old_role == new_role:
        return False
    if new_role is None:
        db.session.delete(membership)
    elif membership is None:
        db.session.add(Membership(user_id=user.id, board_id=board.id, role=new_role))
    else:
        membership.role = new_role
    log.info(
        "role of user %s on board %s: %s -> %s, by %s",
        user.id,
        board.id,
        old_role,
        new_role,
        getattr(actor, "id", "cli"),
    )
    return True


def roles_by_board(user: User) -> dict[int, Role]:
    return {
        m.board_id: Role(m.role)
        for m in db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id))
    }


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)))


def list_boards() -> list[Board]:
    return list(db.session.scalars(sa.select(Board).order_by(Board.created_at, Board.id)))


def board_members(board: Board) -> list[tuple[User, Role]]:
    rows = db.session.execute(
        sa.select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.board_id == board.id)
        .order_by(User.name)
    )
    return [(user, Role(role)) for user, role in rows]
