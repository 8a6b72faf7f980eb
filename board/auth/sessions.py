"""Logins as rows (`LoginSession`), so logout ends a session on the server.

Flask's session is a signed cookie: without a row behind it, a copy taken
before logout would sign in for ever. Each login stores the SHA-256 of a
random token; the session id ("<user id>:<nonce>:<token>", `User.get_id`)
carries the token, in the session cookie and in the remember-me cookie
alike. Logout deletes the row, so both cookies and any copy of them stop
working; the user's other logins go on. A new nonce (password change,
deactivation) still ends all of them. A login lasts at most
REMEMBER_COOKIE_DURATION: older rows are deleted when the user logs in.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from ..clock import utcnow
from ..extensions import db
from ..models import LoginSession, User
from ..params import parse_id
from ..tokens import hash_token, new_token


def start_login_session(user: User) -> str:
    """A new login for `user`; returns the session id to sign in with."""
    cutoff = utcnow() - current_app.config["REMEMBER_COOKIE_DURATION"]
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < cutoff
        )
    )
    token = new_token()
    db.session.add(LoginSession(user_id=user.id, token_hash=hash_token(token)))
    user.login_token = token
    return user.get_id()


def end_login_session(user: User) -> None:
    """Logout: this login's row goes, and with it every copy of its cookies."""
    if user.login_token:
        db.session.execute(
            sa.delete(LoginSession).where(
                LoginSession.user_id == user.id,
                LoginSession.token_hash == hash_token(user.login_token),
            )
        )
    user.login_token = None


def user_for_session_id(session_id: str) -> User | None:
    """The user a session id signs in, or None: unknown, inactive, a stale
    nonce, or a login that has ended."""
    user_id, nonce, token = (session_id.split(":", 2) + ["", ""])[:3]
    user_id = parse_id(user_id)
    if user_id is None or not token:
        return None
    user = db.session.scalar(
        _USER_OF_LOGIN, {"user_id": user_id, **_login_params(hash_token(token))}
    )
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    user.login_token = token
    return user


def login_token_hash(user: User) -> str | None:
    """The stored hash of the login this request runs under (None when the
    user was not signed in through a login row, e.g. in a CLI context)."""
    return hash_token(user.login_token) if getattr(user, "login_token", None) else None


def login_is_open(user_id: int, token_hash: str) -> bool:
    """Whether that login still exists and has not expired (logout deletes it)."""
    query = sa.select(LoginSession.id).where(
        LoginSession.user_id == sa.bindparam("user_id"), *_OPEN_LOGIN
    )
    params = {"user_id": user_id, **_login_params(token_hash)}
    return db.session.scalar(query, params) is not None


# The conditions of a login that still signs in: this token's row, not older
# than the remember-me cookie may be (parameters from `_login_params`).
_OPEN_LOGIN = (
    LoginSession.token_hash == sa.bindparam("token_hash"),
    LoginSession.created_at >= sa.bindparam("cutoff", type_=LoginSession.created_at.type),
)
# The user and the login in one query, built once: every request runs it.
_USER_OF_LOGIN = (
    sa.select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(User.id == sa.bindparam("user_id"), *_OPEN_LOGIN)
)


def _login_params(token_hash: str) -> dict:
    cutoff = utcnow() - current_app.config["REMEMBER_COOKIE_DURATION"]
    return {"token_hash": token_hash, "cutoff": cutoff}
