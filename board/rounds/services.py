"""Domain functions of the status round: open a round, complete a tiltag's
part of it, remind those missing, close it (which publishes its report).

Each takes the board's lock first, records its Event in the caller's
transaction and raises `Refused` for what the rules do not allow; the
caller commits, so a refused step leaves nothing half-written.

Who does a tiltag's part: its owner (`Initiative.owner`, while they have a
role on the board), or, for a tiltag without one, the board's leaders.
Leaders and administrators may do any tiltag's part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..clock import today_local, utcnow
from ..editing.services import check_health, update_initiative
from ..errors import Refused
from ..events import record_event
from ..extensions import db
from ..formatting import danish_date
from ..locks import lock_board
from ..models import (
    Board,
    Initiative,
    Membership,
    Role,
    RoundItem,
    Stage,
    StatusRound,
    User,
)
from ..moves.services import move_initiative
from . import mail
from .report import publish_round_report

TITLE_MAX = StatusRound.TITLE_MAX
TEXT_MAX = Initiative.TEXT_MAX


# --------------------------------------------------------------- who is asked
def board_leaders(board_id: int) -> list[User]:
    """The active leaders of a board (one query)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.board_id == board_id,
                Membership.role == Role.LEDER.value,
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def member_roles(board_id: int) -> dict[int, str]:
    """{user id: role} of the board's members (one query)."""
    return dict(
        db.session.execute(
            sa.select(Membership.user_id, Membership.role).where(Membership.board_id == board_id)
        ).all()
    )


def asked_for(initiative: Initiative, roles: dict[int, str], leaders: list[User]) -> list[User]:
    """Who is asked for this tiltag's part: its owner while they are an active
    member, else the board's leaders."""
    owner = initiative.owner
    if owner is not None and owner.active and owner.id in roles:
        return [owner]
    return leaders


def may_complete(item: RoundItem, user) -> bool:
    """The owner of the tiltag (with a role on the board), a leader of the
    board, or an administrator."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    role = db.session.scalar(
        sa.select(Membership.role).where(
            Membership.board_id == item.round.board_id, Membership.user_id == user.id
        )
    )
    if role == Role.LEDER.value:
        return True
    return role is not None and item.initiative.owner_id == user.id


# --------------------------------------------------------------- opening
def parse_day(text: str | None, *, label: str, field: str) -> date:
    """A YYYY-MM-DD date typed into a form (422 next to the field)."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise Refused(f"Skriv {label} som ÅÅÅÅ-MM-DD, fx 2027-03-15.", 422, field=field) from None


def open_round_of(board_id: int) -> StatusRound | None:
    return db.session.scalar(
        sa.select(StatusRound).where(
            StatusRound.board_id == board_id, StatusRound.closed_at.is_(None)
        )
    )


def previous_texts(board_id: int, initiative_ids) -> dict[int, str]:
    """Each tiltag's text in the newest closed round it was completed in
    (one query): where a new round's text starts."""
    newest = (
        sa.select(
            RoundItem.initiative_id,
            RoundItem.status_text,
            sa.func.row_number()
            .over(
                partition_by=RoundItem.initiative_id,
                order_by=(StatusRound.closed_at.desc(), StatusRound.id.desc()),
            )
            .label("n"),
        )
        .join(StatusRound, StatusRound.id == RoundItem.round_id)
        .where(
            StatusRound.board_id == board_id,
            StatusRound.closed_at.is_not(None),
            RoundItem.completed_at.is_not(None),
            RoundItem.initiative_id.in_(list(initiative_ids)),
        )
        .subquery()
    )
    return dict(
        db.session.execute(
            sa.select(newest.c.initiative_id, newest.c.status_text).where(newest.c.n == 1)
        ).all()
    )


def open_round(
    board: Board,
    *,
    title: str,
    deadline: date,
    status_date: date | None = None,
    initiative_ids=None,
    actor=None,
) -> StatusRound:
    """Open a round on `board` for `initiative_ids` (None: every live tiltag).
    Each tiltag's round text starts as its text of the previous round (or,
    in its first round, the card's status text). One open round per board."""
    title = (title or "").strip()
    if not title:
        raise Refused(
            "Giv runden en titel, fx «Status til Områdeudvalget, marts 2027».", 422, field="title"
        )
    if len(title) > TITLE_MAX:
        raise Refused(f"Titlen må højst være {TITLE_MAX} tegn.", 422, field="title")
    status_date = status_date or today_local()
    if deadline < today_local():
        raise Refused(f"Fristen {danish_date(deadline)} ligger før i dag.", 422, field="deadline")
    lock_board(board.id, board)
    if open_round_of(board.id) is not None:
        raise Refused("Tavlen har allerede en åben statusrunde. Luk den, før en ny åbnes.", 409)
    live = list(
        db.session.scalars(
            sa.select(Initiative)
            .where(Initiative.board_id == board.id, Initiative.archived_at.is_(None))
            .order_by(Initiative.id)
        )
    )
    if initiative_ids is not None:
        wanted = set(initiative_ids)
        if wanted - {i.id for i in live}:
            raise Refused(
                "Et af de valgte tiltag findes ikke (længere) på tavlen.", 422, field="initiatives"
            )
        live = [i for i in live if i.id in wanted]
    if not live:
        raise Refused("Vælg mindst ét tiltag til runden.", 422, field="initiatives")

    earlier = previous_texts(board.id, [i.id for i in live])
    status_round = StatusRound(
        board_id=board.id,
        title=title,
        status_date=status_date,
        deadline=deadline,
        opened_by_id=getattr(actor, "id", None),
    )
    status_round.items = [
        RoundItem(initiative_id=i.id, status_text=earlier.get(i.id, i.status_note or ""))
        for i in live
    ]
    db.session.add(status_round)
    db.session.flush()
    mails = mail.queue_opened_mails(status_round, reminder_recipients(round_progress(status_round)))
    record_event(
        board_id=board.id,
        kind="round.opened",
        payload={
            "round_id": status_round.id,
            "title": title,
            "status_date": status_date.isoformat(),
            "deadline": deadline.isoformat(),
            "items": len(live),
            "mails": mails,
        },
        actor=actor,
    )
    return status_round


# --------------------------------------------------------------- completing
def complete_item(
    item: RoundItem,
    *,
    status_text: str,
    health: str | None,
    stage: str,
    actor,
) -> RoundItem:
    """A tiltag's part of the round: its round text, its vurdering and its
    column confirmed (a different column moves the card to the bottom of
    it). The card takes the text as its status and the vurdering as its
    own, each an Event of the card; the round records `round.item_completed`.
    Done again while the round is open, it replaces the earlier answer."""
    lock_board(item.round.board_id, item, item.round, item.initiative)
    status_round, initiative = item.round, item.initiative
    if not status_round.is_open:
        raise Refused(f"Statusrunden «{status_round.title}» er lukket.", 409)
    if not may_complete(item, actor):
        raise Refused(
            "Kun tiltagets ansvarlige person eller tavlens ledere kan give status i runden.", 403
        )
    if initiative.is_archived:
        raise Refused("Tiltaget er arkiveret og kan ikke få status i runden.", 409)
    text = (status_text or "").strip()
    if not text:
        raise Refused("Skriv en status til runden.", 422, field="status_text")
    if len(text) > TEXT_MAX:
        raise Refused(f"Højst {TEXT_MAX:,} tegn.".replace(",", "."), 422, field="status_text")
    if not health:
        raise Refused("Vælg en vurdering.", 422, field="health")
    health = check_health(health)
    try:
        stage = Stage(stage).value
    except ValueError:
        raise Refused("Vælg en af de fire kolonner.", 422, field="stage") from None

    update_initiative(
        initiative,
        expected_version=initiative.version,
        actor=actor,
        status_note=text,
        health=health,
    )
    if stage != initiative.stage:
        bottom = db.session.scalar(
            sa.select(sa.func.count()).where(
                Initiative.board_id == initiative.board_id,
                Initiative.stage == stage,
                Initiative.archived_at.is_(None),
            )
        )
        move_initiative(
            initiative, stage=stage, position=bottom, version=initiative.version, actor=actor
        )
    item.status_text = text
    item.health = health
    item.stage = stage
    item.completed_at = utcnow()
    item.completed_by_id = getattr(actor, "id", None)
    record_event(
        board_id=status_round.board_id,
        initiative_id=initiative.id,
        kind="round.item_completed",
        payload={
            "round_id": status_round.id,
            "round_title": status_round.title,
            "item_id": item.id,
            "health": health,
            "stage": stage,
        },
        actor=actor,
    )
    return item


# --------------------------------------------------------------- progress
@dataclass
class Missing:
    item: RoundItem
    asked: list[User]


@dataclass
class Progress:
    status_round: StatusRound
    done: list[RoundItem]
    missing: list[Missing]

    @property
    def total(self) -> int:
        return len(self.done) + len(self.missing)

    @property
    def text(self) -> str:
        return f"{len(self.done)} af {self.total} opdateret"


def round_progress(status_round: StatusRound) -> Progress:
    """Which tiltag are done and which are missing, with who is asked for
    each (a fixed number of queries)."""
    items = list(
        db.session.scalars(
            sa.select(RoundItem)
            .where(RoundItem.round_id == status_round.id)
            .options(
                selectinload(RoundItem.initiative).selectinload(Initiative.owner),
                selectinload(RoundItem.completed_by),
            )
            .order_by(RoundItem.id)
        )
    )
    roles = member_roles(status_round.board_id)
    leaders = board_leaders(status_round.board_id)
    done = [i for i in items if i.is_done]
    missing = [Missing(i, asked_for(i.initiative, roles, leaders)) for i in items if not i.is_done]
    return Progress(status_round, done, missing)


def reminder_recipients(progress: Progress) -> dict[int, tuple[User, list[RoundItem]]]:
    """{user id: (user, their missing items)}: one reminder per person."""
    out: dict[int, tuple[User, list[RoundItem]]] = {}
    for missing in progress.missing:
        for user in missing.asked:
            out.setdefault(user.id, (user, []))[1].append(missing.item)
    return out


def _reminded(status_round: StatusRound, occasion: str, mails: int, actor) -> None:
    record_event(
        board_id=status_round.board_id,
        kind="round.reminded",
        payload={
            "round_id": status_round.id,
            "title": status_round.title,
            "occasion": occasion,
            "recipients": mails,
        },
        actor=actor,
    )


def remind_now(status_round: StatusRound, *, actor) -> int:
    """A leader's "send a reminder now": one reminder mail to each person
    who still has a tiltag missing. Returns how many were queued."""
    lock_board(status_round.board_id, status_round)
    if not status_round.is_open:
        raise Refused(f"Statusrunden «{status_round.title}» er lukket.", 409)
    progress = round_progress(status_round)
    if not progress.missing:
        raise Refused("Alle tiltag i runden er opdateret: der er ingen at minde.", 409)
    recipients = reminder_recipients(progress)
    if not recipients:
        raise Refused(
            "Ingen kan mindes: de manglende tiltag har ingen ansvarlig person, "
            "og tavlen har ingen aktive ledere.",
            409,
        )
    mails = mail.queue_reminder_mails(status_round, recipients, occasion="now", today=today_local())
    _reminded(status_round, "now", mails, actor)
    return mails


def send_scheduled_reminders(
    status_round: StatusRound, *, today: date | None = None, days_before: int = 3
) -> int:
    """The reminders due for an open round on `today` (see mail.py): queued
    once per person, occasion and deadline, so running again (the same day
    or later) queues nothing new. Returns how many were queued; a run that
    queues any records `round.reminded`."""
    today = today or today_local()
    lock_board(status_round.board_id, status_round)
    if not status_round.is_open:
        return 0
    occasion = mail.occasion_on(status_round, today, days_before)
    if occasion is None:
        return 0
    recipients = reminder_recipients(round_progress(status_round))
    mails = mail.queue_reminder_mails(status_round, recipients, occasion=occasion, today=today)
    if mails:
        _reminded(status_round, occasion, mails, None)
    return mails


def open_rounds() -> list[StatusRound]:
    """Every open round, on every board."""
    return list(
        db.session.scalars(
            sa.select(StatusRound).where(StatusRound.closed_at.is_(None)).order_by(StatusRound.id)
        )
    )


# --------------------------------------------------------------- closing
def close_round(status_round: StatusRound, *, actor=None):
    """Close the round and publish its report: a frozen PublishedReport of
    the round's tiltag with each one's round text, vurdering and column (a
    tiltag not done says so). Returns the PublishedReport."""
    lock_board(status_round.board_id, status_round)
    if not status_round.is_open:
        raise Refused(f"Statusrunden «{status_round.title}» er allerede lukket.", 409)
    progress = round_progress(status_round)
    published = publish_round_report(status_round, progress, actor=actor)
    status_round.closed_at = utcnow()
    status_round.closed_by_id = getattr(actor, "id", None)
    status_round.report_id = published.id
    record_event(
        board_id=status_round.board_id,
        kind="round.closed",
        payload={
            "round_id": status_round.id,
            "title": status_round.title,
            "report_id": published.id,
            "done": len(progress.done),
            "total": progress.total,
        },
        actor=actor,
    )
    return published
