"""Settings, read from environment variables.

`create_app()` builds a config from `Config` and the environment; tests pass a
mapping of overrides instead. Nothing here touches the database.
"""

import os
from datetime import timedelta

# The development key is public on purpose: it lets `make run` work with no
# setup, and `check_production_settings` refuses to start production with it.
DEV_SECRET_KEY = "dev-only-not-secret"

# Until a deployment names its own statement, the footer links to the
# Agency for Digital Government's register of statements, where it is found.
DEFAULT_ACCESSIBILITY_STATEMENT_URL = "https://www.was.digst.dk/"


class ConfigError(RuntimeError):
    """Raised at start-up when the settings are not fit to serve real users."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip() else default


LOGIN_THROTTLE_DEFAULTS = {
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_FIRST_DELAY_SECONDS": 15,
    "LOGIN_MAX_DELAY_SECONDS": 15 * 60,
    "LOGIN_FORGET_SECONDS": 24 * 60 * 60,
    "LOGIN_ADDRESS_MAX_FAILURES": 100,
    "LOGIN_ADDRESS_WINDOW_SECONDS": 15 * 60,
}


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip() else None


# Live-feed timings (seconds; see `Config`) that may be tuned per deployment.
LIVE_TIMINGS = (
    "LIVE_POLL_SECONDS",
    "LIVE_PG_POLL_SECONDS",
    "LIVE_HEARTBEAT_SECONDS",
    "LIVE_ACCESS_CHECK_SECONDS",
    "LIVE_MAX_STREAM_SECONDS",
)


def _live_timings() -> dict:
    return {name: float(os.environ[name]) for name in LIVE_TIMINGS if os.environ.get(name)}


def normalize_database_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` URLs and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _words(value: str | None) -> tuple[str, ...]:
    """A list setting: values separated by commas or spaces."""
    return tuple(word for word in (value or "").replace(",", " ").split() if word)


def _oidc() -> dict:
    """Sign-in with the organisation's identity provider (OpenID Connect,
    board/auth/oidc.py): off while OIDC_ISSUER is empty. The claim names
    say where the id_token carries the e-mail, the name and the groups."""
    return {
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": os.environ.get("OIDC_SCOPES", "openid email profile").strip(),
        "OIDC_EMAIL_CLAIM": os.environ.get("OIDC_EMAIL_CLAIM", "email").strip(),
        "OIDC_NAME_CLAIM": os.environ.get("OIDC_NAME_CLAIM", "name").strip(),
        "OIDC_GROUPS_CLAIM": os.environ.get("OIDC_GROUPS_CLAIM", "groups").strip(),
        "OIDC_DISPLAY_NAME": os.environ.get("OIDC_DISPLAY_NAME", "").strip() or "din organisation",
        "OIDC_ADMIN_GROUPS": _words(os.environ.get("OIDC_ADMIN_GROUPS")),
        # off: only administrators may log in with a password (break-glass).
        "LOCAL_LOGIN": _bool("LOCAL_LOGIN", True),
    }


def from_environment(instance_path: str) -> dict:
    """The settings for this process, from the environment with safe defaults."""
    default_db = "sqlite:///" + os.path.join(instance_path, "tiltagstavlen.sqlite3")
    production = os.environ.get("TILTAG_ENV", "development") == "production"
    return _live_timings() | {
        **_oidc(),  # sign-in with the organisation
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        # Base URL used for links printed by the CLI (share links).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        # Open event streams one process accepts before answering 503, so
        # streams can never take every thread (gunicorn.conf.py sets it from
        # its thread count). None: no limit (development server).
        "LIVE_MAX_STREAMS": _int_or_none(os.environ.get("LIVE_MAX_STREAMS")),
        # Throttling of failed logins (board/auth/throttle.py), counted in
        # the database: per (e-mail, address) pair the failures allowed
        # before delays start, the first delay (doubling per failure) and its
        # cap, and when a quiet pair is forgotten; per address a cap on
        # failures within a window (password spraying).
        **{name: _int(name, default) for name, default in LOGIN_THROTTLE_DEFAULTS.items()},
        # Number of reverse proxies in front of the app whose X-Forwarded-For
        # / -Proto headers are trusted (the client address for login throttling,
        # https for Secure cookies). 0: none, the app is reached directly.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Strict-Transport-Security max-age (seconds) sent in production, on
        # every response; 0 turns it off. Development serves plain http.
        "HSTS_MAX_AGE": int(os.environ.get("HSTS_MAX_AGE", "31536000")) if production else 0,
        # The accessibility statement (tilgængelighedserklæring) every page's
        # footer links to, as webtilgængelighedsloven requires: the address of
        # the municipality's statement for this site on was.digst.dk.
        "ACCESSIBILITY_STATEMENT_URL": os.environ.get(
            "ACCESSIBILITY_STATEMENT_URL", DEFAULT_ACCESSIBILITY_STATEMENT_URL
        ),
        # Outgoing mail (board/mail): `flask deliver-mail` sends the outbox
        # through this SMTP server. No SMTP_HOST: mail stays in the outbox
        # (/admin/outbox shows it), as in `make run`.
        "SMTP_HOST": os.environ.get("SMTP_HOST", "").strip() or None,
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Tiltagstavlen <tiltagstavlen@localhost>"),
    }


class Config:
    """Defaults that do not depend on the environment."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # A board stays open through a long meeting: the CSRF token must not expire
    # after an hour (Flask-WTF's default). It is still bound to the session.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # uploads (import of .csv/.xlsx)
    # Server-Sent Events: how often a stream polls the Event table when no
    # LISTEN/NOTIFY wake-up is available, and how often it sends a heartbeat.
    LIVE_POLL_SECONDS = 0.2
    LIVE_HEARTBEAT_SECONDS = 15
    # The rest of the live feed (see board/live/): PostgreSQL is woken by
    # LISTEN/NOTIFY and polls only as a safety net; a stream re-checks its
    # viewer's access, and ends after a while so the browser reconnects (with
    # Last-Event-ID) and threads are recycled; presence rows are refreshed and
    # count until stale; the browser's reconnect delay.
    LIVE_PG_POLL_SECONDS = 2.0
    LIVE_ACCESS_CHECK_SECONDS = 15
    LIVE_MAX_STREAM_SECONDS = 1800
    LIVE_PRESENCE_TOUCH_SECONDS = 20
    LIVE_PRESENCE_STALE_SECONDS = 60
    LIVE_RETRY_MS = 2000
    # Mail delivery (board/mail/delivery.py): the SMTP conversation's timeout,
    # how long a claimed message may stay claimed before another deliverer
    # takes it over (the deliverer died mid-send), and the retry backoff.
    SMTP_TIMEOUT_SECONDS = 30
    MAIL_CLAIM_LEASE_SECONDS = 15 * 60
    MAIL_RETRY_FIRST_SECONDS = 30
    MAIL_RETRY_MAX_SECONDS = 60 * 60


def check_oidc_settings(config) -> None:
    """Refuse settings that would lock everyone out or cannot sign anyone in."""
    issuer = config.get("OIDC_ISSUER")
    if not config.get("LOCAL_LOGIN", True) and not issuer:
        raise ConfigError(
            "LOCAL_LOGIN=off needs OIDC_ISSUER: without a provider only "
            "administrators could log in."
        )
    if issuer and not config.get("OIDC_CLIENT_ID"):
        raise ConfigError("OIDC_ISSUER is set, but OIDC_CLIENT_ID is missing.")
    if issuer and "openid" not in config.get("OIDC_SCOPES", "").split():
        raise ConfigError('OIDC_SCOPES must include "openid".')


def check_production_settings(config) -> None:
    """Refuse to serve production with the development secret key."""
    check_oidc_settings(config)
    if config.get("ENV_NAME") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigError(
            "TILTAG_ENV=production needs a real SECRET_KEY (at least 32 random "
            "characters), e.g. SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )
