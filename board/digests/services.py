"""Digests: one mail per user and board, holding what happened since their
previous digest on the tiltag they were notified about with "daily" or
"weekly" delivery.

* Built from the Event log with the logic of "Ændringer siden"
  (reports.services.changes_between): the net change per card, from the
  cards as they were after the last Event the previous digest covered to the
  cards now, in the log's own order (`cards_after_event_and_now`).
* What is pending is the notification rows (made in the change's
  transaction, so only for others' actions and only for people who could see
  the board then). A digest takes them (`digested_at`); running the command
  again finds nothing pending, and the mail's dedupe key (user, board,
  frequency, last Event) makes a second queueing of the same digest a no-op
  even when two runs overlap.
* Due: daily once per Copenhagen day, weekly seven days after the last.
* A user no longer on the board (or deactivated) gets nothing: their
  pending rows are passed over.
* Comments are counted, never quoted: a digest holds no comment text, so a
  deleted or redacted comment's text cannot be in one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template

from ..clock import LOCAL_TZ, utcnow
from ..extensions import db
from ..mail.outbox import queue_mail
from ..models import Board, Event, Membership, User
from ..notifications.kinds import DAILY, DELIVERIES, WEEKLY
from ..notifications.links import absolute_url, card_url, unsubscribe_headers
from ..notifications.models import DigestRun, Notification
from ..notifications.settings import unsubscribe_key
from ..reports.replay import cards_after_event_and_now
from ..reports.services import changes_between

WEEK = timedelta(days=7)


@dataclass
class DigestResult:
    queued: int = 0
    empty: int = 0
    no_access: int = 0


def is_due(run: DigestRun | None, frequency: str, now: datetime) -> bool:
    if run is None:
        return True
    if frequency == DAILY:
        return run.sent_at.astimezone(LOCAL_TZ).date() < now.astimezone(LOCAL_TZ).date()
    return now - run.sent_at >= WEEK - timedelta(hours=1)  # cron's minutes may wander


def _pending(frequency: str):
    """(user_id, board_id, first event id, last event id) with rows waiting."""
    return db.session.execute(
        sa.select(
            Notification.user_id,
            Notification.board_id,
            sa.func.min(Notification.event_id),
            sa.func.max(Notification.event_id),
        )
        .where(Notification.delivery == frequency, Notification.digested_at.is_(None))
        .group_by(Notification.user_id, Notification.board_id)
        .order_by(Notification.user_id, Notification.board_id)
    ).all()


def _can_see(user: User | None, board_id: int) -> bool:
    if user is None or not user.active:
        return False
    return db.session.get(Membership, (user.id, board_id)) is not None


def send_due_digests(now: datetime | None = None) -> DigestResult:
    """Queue every due digest; each in its own transaction (committed here)."""
    now = now or utcnow()
    result = DigestResult()
    for frequency in (DAILY, WEEKLY):
        for user_id, board_id, first_id, last_id in _pending(frequency):
            run = db.session.get(DigestRun, (user_id, board_id, frequency))
            if not is_due(run, frequency, now):
                continue
            user = db.session.get(User, user_id)
            if not _can_see(user, board_id):
                _take(user_id, board_id, frequency, last_id, now)
                result.no_access += 1
            else:
                board = db.session.get(Board, board_id)
                if _queue_digest(user, board, frequency, first_id, last_id, now):
                    result.queued += 1
                else:
                    result.empty += 1
                _mark_run(run, user_id, board_id, frequency, last_id, now)
            db.session.commit()
    return result


def _take(user_id: int, board_id: int, frequency: str, last_id: int, now: datetime) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.board_id == board_id,
            Notification.delivery == frequency,
            Notification.digested_at.is_(None),
            Notification.event_id <= last_id,
        )
        .values(digested_at=now)
    )


def _mark_run(run, user_id, board_id, frequency, last_id, now) -> None:
    if run is None:
        db.session.add(
            DigestRun(
                user_id=user_id,
                board_id=board_id,
                frequency=frequency,
                sent_at=now,
                last_event_id=last_id,
            )
        )
    else:
        run.sent_at = now
        run.last_event_id = max(run.last_event_id, last_id)


def _queue_digest(user, board, frequency, first_id, last_id, now) -> bool:
    """Queue one digest (and take its rows); False when the net change is
    nothing (a card moved away and back)."""
    rows = db.session.execute(
        sa.select(Notification.initiative_id, Notification.category).where(
            Notification.user_id == user.id,
            Notification.board_id == board.id,
            Notification.delivery == frequency,
            Notification.digested_at.is_(None),
            Notification.event_id <= last_id,
        )
    ).all()
    card_ids = {initiative_id for initiative_id, _ in rows if initiative_id is not None}
    mentions = sum(1 for _, category in rows if category == "mention")
    after_id = first_id - 1
    then, now_cards = cards_after_event_and_now(board.id, after_id, card_ids)
    comments = Counter(
        db.session.scalars(
            sa.select(Event.initiative_id).where(
                Event.board_id == board.id,
                Event.kind == "comment.added",
                Event.id > after_id,
                Event.id <= last_id,
                Event.initiative_id.in_(sorted(card_ids)),
                Event.actor_id != user.id,
            )
        )
    )
    since_event = db.session.get(Event, first_id)
    since = (since_event.created_at if since_event else now).astimezone(LOCAL_TZ).date()
    report = changes_between(
        board, then, {i: c for i, c in now_cards.items() if i in card_ids}, comments, since=since
    )
    _take(user.id, board.id, frequency, last_id, now)
    if report.count == 0:
        return False
    unsubscribe_url = absolute_url(
        "notifications.unsubscribe", key=unsubscribe_key(user.id, frequency)
    )
    text = render_template(
        "digests/digest.txt",
        report=report,
        board=board,
        frequency_label=DELIVERIES[frequency],
        mentions=mentions,
        card_url=lambda card_id: card_url(board.id, card_id),
        unsubscribe_url=unsubscribe_url,
        settings_url=absolute_url("notifications.account"),
    )
    word = "Dagens" if frequency == DAILY else "Ugens"
    queue_mail(
        to_user=user,
        subject=f"{word} ændringer på {board.title}",
        text=text.strip() + "\n",
        headers=unsubscribe_headers(unsubscribe_url),
        kind=f"digest.{frequency}",
        dedupe_key=f"digest:{frequency}:{user.id}:{board.id}:{last_id}",
    )
    return True
