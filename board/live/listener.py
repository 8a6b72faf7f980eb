"""The PostgreSQL listener thread: one per server process while it has open
streams.

It holds its own autocommit psycopg connection (not one from the app's pool:
LISTEN needs a session of its own that is never inside a transaction) and
receives the notifications sent by `publisher.py` on commit, from every
process on every host:

* `e:<board id>:<event id>` wakes this process's streams of that board;
* `p:<board id>` (viewers changed) makes the watcher recount now.

After (re)connecting it wakes every stream once, since anything committed
while it was not listening was not announced to it.
"""

from __future__ import annotations

import logging
import time

import psycopg
import sqlalchemy as sa

from ..errors import one_line
from .publisher import CHANNEL

log = logging.getLogger(__name__)


def conninfo(database_uri: str) -> str:
    """The SQLAlchemy URL as a plain libpq URL for psycopg."""
    url = sa.engine.make_url(database_uri).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def handle(runtime, payload: str) -> None:
    kind, _, rest = payload.partition(":")
    try:
        if kind == "e":
            board_id, _, event_id = rest.partition(":")
            runtime.broker.wake(int(board_id), int(event_id))
        elif kind == "p":
            runtime.kick()
    except ValueError:
        log.warning("ignoring live notification %r", payload)


def listen(runtime) -> None:
    dsn = conninfo(runtime.app.config["SQLALCHEMY_DATABASE_URI"])
    backoff = 0.5
    while not runtime.should_stop("listener"):
        try:
            with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                backoff = 0.5
                runtime.broker.wake_all()
                runtime.kick()
                while True:
                    for notification in conn.notifies(timeout=1.0):
                        handle(runtime, notification.payload)
                    if runtime.broker.open_streams() == 0 or runtime.broker.closing:
                        break
        except psycopg.OperationalError as error:  # a restart: one line, then again
            log.warning("live listener lost its connection (%s); reconnecting", one_line(error))
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
        except Exception:
            log.exception("live listener lost its connection; reconnecting")
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
