"""Password hashing (scrypt via Werkzeug) and account look-up."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import User

# A hash to compare against when the e-mail is unknown, so a wrong e-mail
# costs the same time as a wrong password and reveals nothing.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, salted


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(
        sa.select(User).where(User.email == email.strip().lower())
    ).one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.password_hash or not check_password_hash(user.password_hash, password):
        return None
    if not user.active:
        return None
    return user
