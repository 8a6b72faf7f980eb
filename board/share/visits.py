"""A share link's "last used", written after the page is made.

The access check only reads (board/access.py); the visit is noted here,
after the view, in a short transaction of its own, so that a committee
member's page never waits for or fails because of it.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import g

from ..clock import utcnow
from ..extensions import db
from ..models import ShareLink

# "Last used" is shown to the minute; writing it at most once a minute keeps
# a busy meeting (every filter click is a request) from queueing writes.
VISIT_RESOLUTION = timedelta(minutes=1)


def record_share_visit(response):
    """after_request: the share link this request was resolved for, if any
    (board/routing.py puts it in `g.access`), marked as used now."""
    access = g.get("access")
    if access is None or not access.is_share or not g.get("note_share_visit", False):
        return response
    link = access.share_link
    now = utcnow()
    if link.last_used_at is not None and now - link.last_used_at < VISIT_RESOLUTION:
        return response
    link_id = link.id
    # End the page's read transaction first: on SQLite a read transaction
    # that turns into a write fails when another write came in between (see
    # database.py); a fresh transaction that starts with the UPDATE waits.
    db.session.rollback()
    try:
        db.session.execute(
            sa.update(ShareLink).where(ShareLink.id == link_id).values(last_used_at=now)
        )
        db.session.commit()
    except sa.exc.OperationalError:
        # A convenience for the link list; never fail a committee member's
        # page because of it.
        db.session.rollback()
    return response
