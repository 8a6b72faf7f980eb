"""The tables of notifications: who follows which tiltag, what each person
was told, how they want to hear of it, where their digests have got to,
their last visit per board and their private calendar feeds.

Kept in this area's own module (not board/models.py) so the area is one
place; the app imports it with the area's blueprint, so the metadata that
migrations and tests compare always holds these tables.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..models import Initiative, User, UTCDateTime


class Follow(db.Model):
    """A user following a tiltag. `following` False remembers an explicit
    "Følg ikke", so being its owner does not make the user follow it again;
    commenting or being mentioned does (they chose to take part)."""

    __tablename__ = "follows"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    following: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(sa.String(20), default="chosen")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # The fan-out reads a card's followers.
        sa.Index("ix_follows_initiative", "initiative_id", "following"),
    )


class Notification(db.Model):
    """One thing one person is told about: an Event, by kind (`category`).
    It holds ids only, never text: what it says is rendered from the Event
    and the current rows when shown, so a redacted comment's text is never
    in it. `delivery` is how it goes out, fixed when it was made."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    initiative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="CASCADE")
    )
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(sa.String(20))
    delivery: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a digest took it (or passed it over: the board no longer visible).
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    initiative: Mapped[Initiative | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "event_id", name="uq_notifications_user_event"),
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
        sa.Index("ix_notifications_digest", "delivery", "digested_at"),
    )


class NotificationSetting(db.Model):
    """A user's choice for one kind; without a row the default applies
    (board/notifications/kinds.py: MED members a daily digest)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    delivery: Mapped[str] = mapped_column(sa.String(10))


class DigestRun(db.Model):
    """The last digest of a user for a board at a frequency: due again the
    next day (daily) or seven days later (weekly)."""

    __tablename__ = "digest_runs"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    board_id: Mapped[int] = mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_event_id: Mapped[int] = mapped_column(default=0)


class BoardVisit(db.Model):
    """A member's visits to a board, for the "changed since your last visit"
    marker: cards with others' Events after `baseline_event_id` are marked.
    A visit is a run of page views with gaps under an hour; a new visit moves
    the baseline to the newest Event the previous one showed."""

    __tablename__ = "board_visits"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    board_id: Mapped[int] = mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    baseline_event_id: Mapped[int] = mapped_column(default=0)
    seen_event_id: Mapped[int] = mapped_column(default=0)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A private iCalendar feed: a user's own (board_id None: the tiltag they
    own or follow) or a board's for its leaders. Only the token's SHA-256 is
    stored (board/tokens.py), as for share links; renewing replaces it."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    board_id: Mapped[int | None] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.Index("ix_calendar_feeds_user_board", "user_id", "board_id"),)
