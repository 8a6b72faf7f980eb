"""The data model: boards, their themes and objectives, tiltag (initiatives),
people and their roles, comments, share links, published reports, and the
append-only Event log.

Every change to an initiative (and to the board's structure) is recorded as an
`Event` in the same transaction as the change: see `board/events.py`.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import utcnow
from .extensions import db


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the offset (timestamptz); SQLite keeps none, so values are
    normalised to UTC on the way in and tagged as UTC on the way out. Naive
    datetimes are refused: they are a bug waiting to show the wrong hour.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Stage(enum.StrEnum):
    """The four columns, in board order. The value is stored; the label is shown."""

    IKKE_IVAERKSAT = "ikke_ivaerksat"
    PLANLAGT = "planlagt"
    IGANGSAT = "igangsat"
    AFSLUTTET = "afsluttet"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.IKKE_IVAERKSAT: "Ikke iværksat",
    Stage.PLANLAGT: "Planlagt",
    Stage.IGANGSAT: "Igangsat",
    Stage.AFSLUTTET: "Afsluttet",
}
STAGES = tuple(Stage)


class Role(enum.StrEnum):
    """A member's role on one board."""

    LEDER = "leder"  # edit and move
    MED = "med"  # read and comment

    @property
    def label(self) -> str:
        return {Role.LEDER: "Leder", Role.MED: "MED-repræsentant"}[self]


class Health(enum.StrEnum):
    """A tiltag's vurdering (KL's traffic light), separate from its column.
    Shown as a word and a symbol, never by colour alone (WCAG 1.4.1)."""

    GROEN = "groen"
    GUL = "gul"
    ROED = "roed"

    @property
    def label(self) -> str:
        return HEALTH_LABELS[self]

    @property
    def symbol(self) -> str:
        # Plain text characters with different shapes, so they read without
        # colour and survive a .csv, a screen reader announces the label.
        return {Health.GROEN: "●", Health.GUL: "▲", Health.ROED: "■"}[self]


HEALTH_LABELS = {
    Health.GROEN: "På rette spor",
    Health.GUL: "Udfordret",
    Health.ROED: "Kritisk / forsinket",
}


def health_label(value: str | None) -> str:
    """The Danish word of a stored vurdering ("" for none or an unknown value)."""
    try:
        return Health(value).label if value else ""
    except ValueError:
        return ""


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The names of the two levels differ per board: "Pejlemærke"/"Målsætning"
    # for the 2024 strategy, "Udviklingsspor" and no objective level for 2023.
    theme_label: Mapped[str] = mapped_column(sa.String(60), default="Pejlemærke")
    objective_label: Mapped[str | None] = mapped_column(sa.String(60))  # None: no such level
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    themes: Mapped[list[Theme]] = relationship(
        back_populates="board", order_by="Theme.position", cascade="all, delete-orphan"
    )

    @property
    def has_objectives(self) -> bool:
        return bool(self.objective_label)


class Theme(db.Model):
    """Pejlemærke / udviklingsspor: the top grouping of a board."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))

    board: Mapped[Board] = relationship(back_populates="themes")
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="theme", order_by="Objective.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.Index("ix_themes_board_position", "board_id", "position"),)


class Objective(db.Model):
    """Målsætning: a numbered objective under a theme ("2.2")."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    number: Mapped[str] = mapped_column(sa.String(20), default="")
    title: Mapped[str] = mapped_column(sa.String(500))

    theme: Mapped[Theme] = relationship(back_populates="objectives")

    __table_args__ = (sa.Index("ix_objectives_theme_position", "theme_id", "position"),)

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def board_id(self) -> int:
        """The board this objective belongs to (through its theme), so that
        access checks treat it like every other board-owned row."""
        return self.theme.board_id


initiative_related_objectives = sa.Table(
    "initiative_related_objectives",
    db.metadata,
    sa.Column(
        "initiative_id",
        sa.ForeignKey("initiatives.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "objective_id",
        sa.ForeignKey("objectives.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Initiative(db.Model):
    """Tiltag: a card on the board."""

    __tablename__ = "initiatives"

    # Field lengths, shared by forms, the importer and validation messages.
    TITLE_MAX = 500
    RESPONSIBLE_MAX = 200
    TEXT_MAX = 10_000

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id"))
    objective_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objectives.id"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    timeline: Mapped[str] = mapped_column(sa.Text, default="")  # "Iværksættelse"
    status_note: Mapped[str] = mapped_column(sa.Text, default="")  # "Status"
    responsible: Mapped[str] = mapped_column(sa.String(RESPONSIBLE_MAX), default="")
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    stage: Mapped[str] = mapped_column(sa.String(20), default=Stage.IKKE_IVAERKSAT.value)
    # 0-based order within (board, stage), dense among non-archived cards.
    position: Mapped[int] = mapped_column(default=0)
    # Bumped on every change; a write carrying an older version gets 409.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The tiltag's owner: a user with a role on the board (who is asked in a
    # status round). `responsible` stays, free text for people without an account.
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    health: Mapped[str | None] = mapped_column(sa.String(10))  # a Health value or None

    theme: Mapped[Theme] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    objective: Mapped[Objective | None] = relationship()
    related_objectives: Mapped[list[Objective]] = relationship(
        secondary=initiative_related_objectives, order_by="Objective.position"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "stage IN ('ikke_ivaerksat', 'planlagt', 'igangsat', 'afsluttet')",
            name="stage_valid",
        ),
        sa.CheckConstraint("position >= 0", name="position_nonnegative"),
        sa.CheckConstraint(
            "health IS NULL OR health IN ('groen', 'gul', 'roed')", name="health_valid"
        ),
        # Not `position`: a move shifts the positions of many cards, and with
        # position in no index PostgreSQL updates those rows in place (HOT;
        # migration 5e0c2d7a9b14 also leaves room on the pages for it).
        sa.Index("ix_initiatives_board_stage", "board_id", "stage"),
        sa.Index("ix_initiatives_theme", "theme_id"),
        sa.Index("ix_initiatives_objective", "objective_id"),
    )

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[Stage(self.stage)]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def health_label(self) -> str:
        return health_label(self.health)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session id (see `get_id`): changing it (deactivation,
    # password reset) ends every open session of the user.
    session_nonce: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sign-in with the organisation (board/auth/oidc_users.py): the
    # provider's subject once linked, and whether `is_admin` came from an
    # OIDC_ADMIN_GROUPS group (then each sign-in re-applies or removes it).
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    admin_from_group: Mapped[bool] = mapped_column(default=False)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # The login this object was loaded for or signed in with (a LoginSession's
    # token, set by board/auth/sessions.py): not a column.
    login_token = None

    def get_id(self) -> str:
        """The session id: "<id>:<nonce>:<login token>". The loader checks
        all three, so a new nonce ends every session of the user and logout
        (deleting the LoginSession) ends this one."""
        return f"{self.id}:{self.session_nonce}:{self.login_token or ''}"


class LoginSession(db.Model):
    """One login (one browser's session and its remember-me cookie). Logout
    deletes the row, so a copy of the cookies stops working too."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token in the cookie: a copy of the database signs no one in.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginThrottle(db.Model):
    """Failed attempts counted per key (board/auth/throttle.py): an (e-mail,
    address) pair, an address, or a user's password change. In the database
    so every worker and host counts the same failures."""

    __tablename__ = "login_throttles"

    # HMAC-SHA256 of what is counted: no e-mail or address is stored.
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Membership(db.Model):
    """A user's role on one board."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    board_id: Mapped[int] = mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(10))
    # Given by a group mapping (GroupRoleMapping) at sign-in, not by hand:
    # each sign-in re-applies or removes it; a role given by hand stays.
    from_group: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    board: Mapped[Board] = relationship()

    __table_args__ = (sa.CheckConstraint("role IN ('leder', 'med')", name="role_valid"),)


class Comment(db.Model):
    """An entry in a card's comment log. Never deleted: deletion and GDPR
    redaction blank the text and record who, when (and why)."""

    __tablename__ = "comments"

    BODY_MAX = 5000

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    redaction_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    initiative: Mapped[Initiative] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])
    redacted_by: Mapped[User | None] = relationship(foreign_keys=[redacted_by_id])

    __table_args__ = (sa.Index("ix_comments_initiative_created", "initiative_id", "created_at"),)

    @property
    def board_id(self) -> int:
        """The board of the comment's card (for access checks)."""
        return self.initiative.board_id


class ShareLink(db.Model):
    """A read-only link to one board. Only the token's hash is stored."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)  # last valid day
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who revoked it; None when revoked from the command line.
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    show_comments: Mapped[bool] = mapped_column(default=False)

    board: Mapped[Board] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class PublishedReport(db.Model):
    """A status report as of a date, frozen when published so it always
    downloads the same content."""

    __tablename__ = "published_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(300))
    as_of: Mapped[date] = mapped_column(sa.Date)
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="SET NULL"))
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    published_by: Mapped[User | None] = relationship()


class Event(db.Model):
    """Append-only record of a change: the audit log, the card history, the
    live feed and the source of point-in-time reports. Never updated or
    deleted by the application, except a removal of personal data (see
    `board/events.py`)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    initiative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.Index("ix_events_board_id_id", "board_id", "id"),
        sa.Index("ix_events_initiative_id_id", "initiative_id", "id"),
    )


class LivePresence(db.Model):
    """One open live stream (a board page someone has open right now), for
    "4 ser med". A row is added when a stream opens and removed when it ends;
    the serving process refreshes `seen_at` of its rows, so rows of a process
    that died stop counting once they are stale (see `board/live/presence.py`)."""

    __tablename__ = "live_presence"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random per stream
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    share_link_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("share_links.id", ondelete="CASCADE")
    )
    process_key: Mapped[str] = mapped_column(sa.String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_live_presence_board_seen", "board_id", "seen_at"),
        sa.Index("ix_live_presence_process", "process_key"),
    )


# --------------------------------------------------------------- status rounds
# (board/rounds/): the half-yearly "status til udvalget" as a workflow.


class StatusRound(db.Model):
    """A status round on a board: each of its tiltag is asked for a round
    text, a vurdering and its column confirmed, until the round is closed
    (which publishes the round's report as a frozen PublishedReport)."""

    __tablename__ = "status_rounds"

    TITLE_MAX = 300

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    status_date: Mapped[date] = mapped_column(sa.Date)  # "Status pr."
    deadline: Mapped[date] = mapped_column(sa.Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("published_reports.id", ondelete="SET NULL")
    )

    items: Mapped[list[RoundItem]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundItem.id"
    )
    report: Mapped[PublishedReport | None] = relationship()

    __table_args__ = (sa.Index("ix_status_rounds_board", "board_id", "closed_at"),)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RoundItem(db.Model):
    """One tiltag in a round: its round text, vurdering and confirmed
    column, and when (and by whom) it was completed."""

    __tablename__ = "round_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("status_rounds.id", ondelete="CASCADE"))
    initiative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    status_text: Mapped[str] = mapped_column(sa.Text, default="")
    health: Mapped[str | None] = mapped_column(sa.String(10))
    stage: Mapped[str | None] = mapped_column(sa.String(20))  # the column confirmed
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    round: Mapped[StatusRound] = relationship(back_populates="items")
    initiative: Mapped[Initiative] = relationship()
    completed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("round_id", "initiative_id", name="round_item_once"),
        sa.CheckConstraint(
            "health IS NULL OR health IN ('groen', 'gul', 'roed')", name="health_valid"
        ),
    )

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def board_id(self) -> int:
        return self.round.board_id


# --- sign-in with the organisation (OpenID Connect, board/auth/oidc*.py) -------


class GroupRoleMapping(db.Model):
    """A group of the organisation's identity provider that gives a role on
    one board: whoever signs in with the group in their groups claim gets
    it (marked `Membership.from_group`). Edited by administrators."""

    __tablename__ = "group_role_mappings"

    GROUP_MAX = 255

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[str] = mapped_column(sa.String(GROUP_MAX))  # compared case-insensitively
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[Board] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("group", "board_id", name="uq_group_role_mappings_group_board"),
        sa.CheckConstraint("role IN ('leder', 'med')", name="group_role_valid"),
    )


# --------------------------------------------------------------- report checkpoints
class ReplayCheckpoint(db.Model):
    """The state of every card of a board at a cutoff, as the Event log
    replayed it (board/reports/checkpoints.py): a point-in-time report starts
    from the newest checkpoint at or before its date and replays only the
    Events after it. A cache, never the truth: written when a report is
    published, deleted when personal data is removed from the log, and
    ignored when the replayed fields (`fields_key`) have changed since."""

    __tablename__ = "replay_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime)
    last_event_id: Mapped[int] = mapped_column(sa.Integer)  # the newest Event it includes
    fields_key: Mapped[str] = mapped_column(sa.String(64))
    cards: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_replay_checkpoints_board_cutoff", "board_id", "cutoff"),)


# --------------------------------------------------------------- meetings
# The leadership meeting (board/meetings): tiltag flagged "Til drøftelse",
# meetings with their attendees, agenda items, decisions and action points.
# Every change to these records its Event (kinds `initiative.flagged`,
# `meeting.*` in board/event_kinds.py).


class DiscussionFlag(db.Model):
    """A tiltag flagged "Til drøftelse" by a member (MED included): it goes on
    the next meeting's agenda. One flag per card; unflagging deletes it."""

    __tablename__ = "discussion_flags"

    initiative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    board_id: Mapped[int] = mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    flagged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    flagged_by: Mapped[User | None] = relationship()


meeting_attendees = sa.Table(
    "meeting_attendees",
    db.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(db.Model):
    """A meeting on a board: its agenda is `items`, the one shown on the
    projector is `items[current_position]`. Publishing the referat stores it
    in `referat_snapshot`; the meeting cannot be changed afterwards."""

    __tablename__ = "meetings"

    TITLE_MAX = 200

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    held_on: Mapped[date] = mapped_column(sa.Date)
    # The previous meeting's date when this one was created: "changed since".
    previous_held_on: Mapped[date | None] = mapped_column(sa.Date)
    current_position: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    referat_snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    referat_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referat_published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    attendees: Mapped[list[User]] = relationship(secondary=meeting_attendees, order_by="User.name")
    items: Mapped[list[MeetingItem]] = relationship(
        back_populates="meeting", order_by="MeetingItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.Index("ix_meetings_board_held_on", "board_id", "held_on"),)

    @property
    def is_published(self) -> bool:
        return self.referat_published_at is not None


class MeetingItem(db.Model):
    """One tiltag on a meeting's agenda, why it is there, what was decided."""

    __tablename__ = "meeting_items"

    DECISION_MAX = 5000

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    # Why it is on the agenda: "flag", "rating", "deadline", "changed", "added".
    reasons: Mapped[str] = mapped_column(sa.String(100), default="")
    # The card's column and vurdering when it was last on the screen.
    stage_seen: Mapped[str] = mapped_column(sa.String(20), default="")
    health_seen: Mapped[str] = mapped_column(sa.String(10), default="")
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    initiative: Mapped[Initiative] = relationship()
    actions: Mapped[list[ActionPoint]] = relationship(
        back_populates="item", order_by="ActionPoint.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "initiative_id", name="uq_meeting_items_card"),
        sa.Index("ix_meeting_items_initiative", "initiative_id"),
    )

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split(",") if r]

    @property
    def board_id(self) -> int:
        """The meeting's board (for access checks)."""
        return self.meeting.board_id


class ActionPoint(db.Model):
    """A handlingspunkt decided at a meeting: what, who, by when."""

    __tablename__ = "meeting_actions"

    TEXT_MAX = 1000

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting_items.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(TEXT_MAX))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[MeetingItem] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    @property
    def board_id(self) -> int:
        return self.item.meeting.board_id
