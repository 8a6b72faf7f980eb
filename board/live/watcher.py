"""The watcher thread: one per server process while it has open streams.

Every round it reads, for the boards this process has streams for, the
newest Event id and the number of viewers (two indexed queries, whatever the
number of streams), wakes the streams of boards with news, and every
LIVE_PRESENCE_TOUCH_SECONDS marks this process's presence rows as alive.

On SQLite this poll is how changes made by other processes arrive
(LIVE_POLL_SECONDS). On PostgreSQL, LISTEN/NOTIFY brings them at once and the
poll (LIVE_PG_POLL_SECONDS) only catches what a lost listener connection
missed: the Event table is the truth, a missed wake-up costs latency only.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa

from ..errors import database_unavailable, log_database_unavailable
from ..extensions import db
from ..models import Event
from . import presence

log = logging.getLogger(__name__)


def newest_event_ids(board_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Event.board_id, sa.func.max(Event.id))
        .where(Event.board_id.in_(board_ids))
        .group_by(Event.board_id)
    )
    return dict(rows.all())


def watch(runtime) -> None:
    app = runtime.app
    config = app.config
    interval = config["LIVE_POLL_SECONDS"]
    if runtime.is_postgresql:
        interval = config["LIVE_PG_POLL_SECONDS"]  # NOTIFY does the work
    touch_every = config["LIVE_PRESENCE_TOUCH_SECONDS"]
    stale = config["LIVE_PRESENCE_STALE_SECONDS"]
    broker = runtime.broker
    last_touch = time.monotonic()
    while not runtime.should_stop("watcher"):
        boards = broker.active_boards()
        try:
            with app.app_context():
                newest = newest_event_ids(boards)
                viewers = presence.count_viewers(boards, stale)
            for board_id in boards:
                event_id = newest.get(board_id, 0)
                if event_id > broker.latest_id(board_id):
                    broker.wake(board_id, event_id)
                broker.set_viewers(board_id, viewers.get(board_id, 0))
            if time.monotonic() - last_touch >= touch_every:
                with app.app_context():
                    presence.touch(runtime.process_key)
                    presence.delete_stale(stale)
                last_touch = time.monotonic()
        except Exception as error:  # the database may be restarting: try again next round
            if database_unavailable(error):
                log_database_unavailable(error, "live watcher")
            else:
                log.exception("live watcher round failed")
        runtime.wait_for_kick(interval)
