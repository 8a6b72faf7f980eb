"""Who is watching a board right now ("4 ser med").

One `LivePresence` row per open stream, in the database so that every server
process counts the same viewers. A stream adds its row when it opens and
removes it when it ends. The process serving the stream refreshes `seen_at`
of all its rows now and then (one UPDATE per process, see `watcher.py`), so
the rows of a process that died stop counting once they are stale, and are
deleted by the next cleanup.

People, not tabs: a member with two tabs open counts once; every share-link
stream counts as one person (share visitors are anonymous).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..clock import utcnow
from ..extensions import db
from ..models import LivePresence
from .publisher import notify_presence


def add(
    stream_id: str,
    *,
    board_id: int,
    user_id: int | None,
    share_link_id: int | None,
    process_key: str,
) -> None:
    db.session.add(
        LivePresence(
            id=stream_id,
            board_id=board_id,
            user_id=user_id,
            share_link_id=share_link_id,
            process_key=process_key,
        )
    )
    notify_presence(db.session, board_id)
    db.session.commit()


def remove(stream_id: str, board_id: int) -> None:
    db.session.execute(sa.delete(LivePresence).where(LivePresence.id == stream_id))
    notify_presence(db.session, board_id)
    db.session.commit()


def touch(process_key: str) -> None:
    """This process's streams are still open."""
    db.session.execute(
        sa.update(LivePresence)
        .where(LivePresence.process_key == process_key)
        .values(seen_at=utcnow())
    )
    db.session.commit()


def delete_stale(stale_seconds: float) -> None:
    """Forget the streams of processes that stopped refreshing their rows."""
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    db.session.execute(sa.delete(LivePresence).where(LivePresence.seen_at < cutoff))
    db.session.commit()


def count_viewers(board_ids: list[int], stale_seconds: float) -> dict[int, int]:
    """People watching each board: distinct members plus share-link streams.
    One query for all the boards."""
    if not board_ids:
        return {}
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    rows = db.session.execute(
        sa.select(
            LivePresence.board_id,
            sa.func.count(sa.distinct(LivePresence.user_id)),
            sa.func.count(LivePresence.share_link_id),
        )
        .where(LivePresence.board_id.in_(board_ids), LivePresence.seen_at >= cutoff)
        .group_by(LivePresence.board_id)
    )
    counts = {board_id: 0 for board_id in board_ids}
    for board_id, members, share_viewers in rows:
        counts[board_id] = members + share_viewers
    return counts
