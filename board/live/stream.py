"""One Server-Sent Events stream: a board's Events, in order, as they commit.

The view checks access and works out where to start, releases its database
session and returns `event_stream(...)`. From then on the stream holds no
database connection while it waits. When woken it takes the messages after
its cursor from the board's feed (`feed.py`): one of the board's streams
reads the Events (borrowing a pooled connection briefly, in a new app
context) for all of them.

A round happens when the broker says the board may have news, when the
viewer count changed, and at least every LIVE_ACCESS_CHECK_SECONDS, when
the stream also checks that its viewer may still watch (membership, active
user, session not ended; or the share link not revoked or expired). If not,
it sends `event: closed` and ends; the page then stops reconnecting.
Heartbeat comments keep proxies from closing an idle stream; after
LIVE_MAX_STREAM_SECONDS the stream ends quietly and the browser reconnects
with Last-Event-ID (so threads are recycled and access is re-checked).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import sqlalchemy as sa

from ..access import share_link_is_live
from ..auth.sessions import login_is_open
from ..errors import database_unavailable, log_database_unavailable
from ..extensions import db
from ..models import Membership, ShareLink, User
from . import presence
from .feed import Messages
from .messages import build_messages, format_sse, load_events

BATCH = 200


@dataclass(frozen=True)
class StreamSpec:
    """Who watches which board from where: plain values, no ORM objects, so
    nothing ties the stream to the request's session."""

    board_id: int
    after_id: int
    user_id: int | None = None
    session_nonce: str | None = None
    # SHA-256 of the login's token (board/auth/sessions.py): logging out ends
    # the login, and with it the streams it opened.
    login_token_hash: str | None = None
    share_link_id: int | None = None
    show_comments: bool = True
    # A meeting page's stream also gets the `meeting.*` kinds (Audience.MEETING).
    meetings: bool = False


def still_allowed(spec: StreamSpec) -> bool:
    if spec.share_link_id is not None:
        link = db.session.get(ShareLink, spec.share_link_id)
        return (
            link is not None
            and link.board_id == spec.board_id
            and share_link_is_live(link)
            and link.show_comments == spec.show_comments
        )
    user = db.session.get(User, spec.user_id)
    if user is None or not user.active or user.session_nonce != spec.session_nonce:
        return False
    if spec.login_token_hash is not None and not login_is_open(user.id, spec.login_token_hash):
        return False
    return user.is_admin or db.session.get(Membership, (user.id, spec.board_id)) is not None


def read_round(spec: StreamSpec, cursor: int) -> tuple[Messages, int]:
    """The messages for Events after `cursor` (all of them, in batches), as
    (event id, bytes to send), and the cursor after them."""
    out: Messages = []
    while True:
        events = load_events(
            spec.board_id,
            cursor,
            show_comments=spec.show_comments,
            limit=BATCH,
            meetings=spec.meetings,
        )
        for event_id, data in build_messages(events):
            out.append((event_id, format_sse(event_id, "change", data).encode()))
        if events:
            cursor = events[-1].id
        if len(events) < BATCH:
            return out, cursor


def read_round_in_context(app, spec: StreamSpec, cursor: int) -> tuple[Messages, int]:
    with app.app_context():  # a session (and pooled connection) just for this read
        return read_round(spec, cursor)


def event_stream(runtime, spec: StreamSpec) -> Iterator[bytes]:
    app = runtime.app
    board_id = spec.board_id
    stream_id = secrets.token_hex(16)
    runtime.stream_opened(board_id)
    try:
        with app.app_context():
            presence.add(
                stream_id,
                board_id=board_id,
                user_id=spec.user_id,
                share_link_id=spec.share_link_id,
                process_key=runtime.process_key,
            )
        runtime.kick()
        yield from _follow(runtime, spec)
    except sa.exc.SQLAlchemyError as error:
        # The database went away (restart, lost connection): end the stream
        # cleanly with one log line; the browser reconnects after `retry`
        # with Last-Event-ID and misses nothing.
        if not database_unavailable(error):
            raise
        log_database_unavailable(error, f"live stream of board {board_id}")
    finally:
        runtime.stream_closed(board_id)
        try:
            with app.app_context():
                presence.remove(stream_id, board_id)
        except sa.exc.SQLAlchemyError as error:
            if not database_unavailable(error):
                raise
            # The row goes stale and the watcher deletes it later.
            log_database_unavailable(error, f"live stream of board {board_id}, closing")
        finally:
            runtime.kick()


def _follow(runtime, spec: StreamSpec) -> Iterator[bytes]:
    """The stream's rounds, until it ends (see the module docstring)."""
    app = runtime.app
    config = app.config
    broker = runtime.broker
    board_id = spec.board_id
    heartbeat = config["LIVE_HEARTBEAT_SECONDS"]
    check_every = config["LIVE_ACCESS_CHECK_SECONDS"]
    max_seconds = config["LIVE_MAX_STREAM_SECONDS"]
    started = last_write = last_check = time.monotonic()
    cursor = spec.after_id
    sent_viewers = None
    # The first bytes: the reconnect delay, and headers flushed at once.
    yield f"retry: {config['LIVE_RETRY_MS']}\n: connected\n\n".encode()
    need_events = True
    feed_key = (board_id, spec.show_comments, spec.meetings)
    read_after = partial(read_round_in_context, app, spec)
    while True:
        seen = broker.seen(board_id)  # before reading: no wake-up is lost
        now = time.monotonic()
        if broker.closing or now - started >= max_seconds:
            return
        out: list[bytes] = []
        check_now = now - last_check >= check_every
        if check_now:
            with app.app_context():
                allowed = still_allowed(spec)
            last_check = now
            if not allowed:
                yield format_sse(None, "closed", {"reason": "access"}).encode()
                return
        if check_now or need_events:
            # Woken with the board's other streams: one read for all of them,
            # kept in the board's feed. Now and then (`check_now`) the feed is
            # read again whatever the wake-ups said, once for all streams.
            messages, cursor = runtime.feeds.read(
                feed_key,
                cursor,
                seen.events,
                lambda: broker.seen(board_id).events,
                read_after,
                max_age=check_every / 2 if check_now else None,
            )
            if messages:
                out.append(messages)
        viewers = broker.viewers(board_id)
        if viewers is not None and viewers != sent_viewers:
            out.append(format_sse(None, "presence", {"viewers": viewers}).encode())
            sent_viewers = viewers
        if out:
            yield b"".join(out)
            last_write = time.monotonic()
        elif time.monotonic() - last_write >= heartbeat:
            yield b": heartbeat\n\n"
            last_write = time.monotonic()
        now = time.monotonic()
        timeout = min(
            heartbeat - (now - last_write),
            check_every - (now - last_check),
            max_seconds - (now - started),
        )
        after = broker.wait(board_id, seen, timeout)
        need_events = after.events != seen.events
