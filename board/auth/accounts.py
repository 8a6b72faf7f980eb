"""Accounts: creating users, their passwords, and (de)activation. Plain
functions used by the admin pages, the user's own password page and the
command line. They take model objects and an `actor` (None from the command
line), raise `Refused` with a Danish message, and leave the commit to the
caller.

Accounts are not board Events (the Event log is the board's content history
and live feed, which committee members watch too); every change is written
to the application log with ids only, never a password.
"""

from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from ..errors import Refused
from ..extensions import db
from ..models import User
from .passwords import find_user_by_email, hash_password

log = logging.getLogger(__name__)

PASSWORD_MIN = 10
PASSWORD_MAX = 200
NAME_MAX = 200
EMAIL_MAX = 254


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise Refused(f"Adgangskoden skal være mindst {PASSWORD_MIN} tegn.", 422, field="password")
    if len(password) > PASSWORD_MAX:
        raise Refused(f"Adgangskoden må højst være {PASSWORD_MAX} tegn.", 422, field="password")


def new_session_nonce() -> str:
    return secrets.token_hex(16)


def create_user(
    *, email: str, name: str, password: str, is_admin: bool = False, actor: User | None = None
) -> User:
    email = normalize_email(email)
    name = (name or "").strip()
    if not email or "@" not in email or len(email) > EMAIL_MAX:
        raise Refused("Skriv en gyldig e-mailadresse.", 422, field="email")
    if not name or len(name) > NAME_MAX:
        raise Refused(f"Skriv et navn (højst {NAME_MAX} tegn).", 422, field="name")
    check_password_rules(password)
    if find_user_by_email(email) is not None:
        raise Refused(f"Der findes allerede en bruger med e-mailen {email}.", 422, field="email")
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
        raise Refused(f"Skriv et navn (højst {NAME_MAX} tegn).", 422, field="name")
    if user.is_admin and not is_admin:
        _refuse_losing_last_admin(user, actor, "fjerne administratorrettigheden fra")
    user.name = name
    if is_admin != user.is_admin:
        user.admin_from_group = False  # given or taken by hand: groups leave it be
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
    the caller logs the user in again in this one. Raises Refused with a
    Danish message (wrong current password, or a new one that breaks the
    rules), and nothing is changed then.
    """
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise Refused("Den nuværende adgangskode er forkert.", 422, field="current_password")
    if new == current:
        raise Refused(
            "Den nye adgangskode skal være en anden end den nuværende.", 422, field="password"
        )
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
        raise Refused(f"Du kan ikke {verb} dig selv. Bed en anden administrator om det.", 409)
    if user.is_admin and user.active:
        others = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.is_admin.is_(True), User.active.is_(True), User.id != user.id)
        )
        if not others:
            raise Refused("Der skal være mindst én aktiv administrator.", 409)
