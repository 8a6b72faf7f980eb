"""Throttling of failed logins and failed password changes (OWASP's
"Authentication Cheat Sheet": delays rather than locking an account).

Failures are counted per key in the `login_throttles` table, so every worker
and every host counts the same ones:

* the (e-mail typed, client address) pair: after LOGIN_FREE_FAILURES failures
  each further one makes the pair wait LOGIN_FIRST_DELAY_SECONDS, doubling per
  failure up to LOGIN_MAX_DELAY_SECONDS. A stranger who knows an e-mail only
  slows down their own address: the owner, elsewhere, logs in as usual. A
  successful login forgets the pair; a pair with no failure for
  LOGIN_FORGET_SECONDS is forgotten too.
* the client address: LOGIN_ADDRESS_MAX_FAILURES failures within
  LOGIN_ADDRESS_WINDOW_SECONDS (counted from its first failure) make the
  address wait for the rest of the window. This stops password spraying
  (one guess at many accounts); it is high because colleagues share the
  municipality's address.
* a signed-in user's wrong current password (the password change): like a
  pair, per user.

While a key waits, its attempts are refused unchecked (the password is not
even compared) and not counted, so a person who retries too early does not
lengthen the wait. The keys are HMACs under SECRET_KEY: the table holds no
e-mail and no address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from babel.dates import format_timedelta
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..clock import utcnow
from ..database import is_postgresql
from ..extensions import db
from ..models import LoginThrottle
from .accounts import normalize_email


@dataclass(frozen=True)
class Key:
    digest: str
    windowed: bool  # an address: a fixed window, not exponential delays


def _key(*parts: str, windowed: bool = False) -> Key:
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    message = "\0".join(parts).encode("utf-8")
    return Key(hmac.new(secret, message, hashlib.sha256).hexdigest(), windowed)


def login_keys(email: str, address: str | None) -> tuple[Key, Key]:
    """The (e-mail, address) pair and the address of a login attempt."""
    address = address or "unknown"
    return (
        _key("login-pair", normalize_email(email), address),
        _key("login-address", address, windowed=True),
    )


def password_change_key(user_id: int) -> Key:
    return _key("password-change", str(user_id))


def _setting(name: str) -> int:
    return int(current_app.config[name])


def _delay(failures: int) -> float:
    """Seconds a pair waits after its `failures`-th failure."""
    over = failures - _setting("LOGIN_FREE_FAILURES")
    if over < 0:
        return 0
    first, cap = _setting("LOGIN_FIRST_DELAY_SECONDS"), _setting("LOGIN_MAX_DELAY_SECONDS")
    return min(cap, first * 2 ** min(over, 32))


def _wait(row: LoginThrottle, key: Key, now: datetime) -> float:
    if key.windowed:
        if row.failures < _setting("LOGIN_ADDRESS_MAX_FAILURES"):
            return 0
        until = row.first_failure_at + timedelta(seconds=_setting("LOGIN_ADDRESS_WINDOW_SECONDS"))
    else:
        until = row.last_failure_at + timedelta(seconds=_delay(row.failures))
    return max(0.0, (until - now).total_seconds())


def seconds_to_wait(keys, now: datetime | None = None) -> int:
    """Whole seconds (rounded up) before any of `keys` may try again; 0: now."""
    now = now or utcnow()
    by_digest = {key.digest: key for key in keys}
    rows = db.session.scalars(
        sa.select(LoginThrottle).where(LoginThrottle.key.in_(by_digest))
    ).all()
    return math.ceil(max((_wait(row, by_digest[row.key], now) for row in rows), default=0))


def record_failure(keys, now: datetime | None = None) -> None:
    """Count a failure for each key, atomically (an upsert), so concurrent
    workers never lose one. Forgotten keys start afresh."""
    now = now or utcnow()
    forget = timedelta(seconds=_setting("LOGIN_FORGET_SECONDS"))
    window = timedelta(seconds=_setting("LOGIN_ADDRESS_WINDOW_SECONDS"))
    for key in keys:
        stale = (
            LoginThrottle.first_failure_at < now - window
            if key.windowed
            else LoginThrottle.last_failure_at < now - forget
        )
        db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key.digest, stale))
    # Rows nobody has failed on for a long time: keep the table small.
    oldest = now - max(forget, window)
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < oldest))
    insert = (postgresql if is_postgresql(db.session) else sqlite).insert
    for key in keys:
        statement = insert(LoginThrottle).values(
            key=key.digest, failures=1, first_failure_at=now, last_failure_at=now
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[LoginThrottle.key],
                set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
            )
        )


def forget(key: Key) -> None:
    """A success: the pair (or user) starts with a clean slate."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key.digest))


def danish_duration(seconds: int) -> str:
    """ "15 sekunder", "2 minutter": never less than the real wait."""
    if seconds >= 60:
        seconds = 60 * math.ceil(seconds / 60)
    return format_timedelta(timedelta(seconds=seconds), threshold=1, locale="da")
