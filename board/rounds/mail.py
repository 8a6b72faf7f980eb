"""The round's e-mails, queued in the outbox in the caller's transaction
(board/mail/outbox.py): a round that is not opened sends nothing, and a
scheduled reminder is queued once per person and occasion (the outbox's
dedupe key), however often `flask send-reminders` runs.

* Opening a round: one mail to each person asked, listing their tiltag and
  linking to "Mine opgaver" (PUBLIC_BASE_URL + /mine).
* Scheduled reminders (services.send_scheduled_reminders): once when the
  deadline is ROUND_REMINDER_DAYS days away or closer ("before"), and once
  on or after the deadline ("deadline"), to each person still missing one.
* A leader's "send a reminder now" ("now"): every press sends.

Deactivated users get nothing (queue_mail refuses them). Danish, plain text
and HTML (templates/rounds/mail/).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, render_template

from ..extensions import db
from ..formatting import danish_date
from ..mail.outbox import queue_mail
from ..models import Board, StatusRound

KIND_OPENED = "round.opened"
KIND_REMINDER = "round.reminder"


def mine_url() -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/mine"


def _queue(user, items, status_round, *, template, subject, kind, key, **extra) -> bool:
    context = dict(
        user=user,
        items=items,
        status_round=status_round,
        board=db.session.get(Board, status_round.board_id),
        mine_url=mine_url(),
        deadline=danish_date(status_round.deadline),
        **extra,
    )
    queued = queue_mail(
        to_user=user,
        subject=subject,
        text=render_template(f"rounds/mail/{template}.txt", **context),
        html=render_template(f"rounds/mail/{template}.html", **context),
        kind=kind,
        dedupe_key=key,
    )
    return queued is not None


def queue_opened_mails(status_round: StatusRound, recipients: dict) -> int:
    """One mail per person asked (`recipients`: {user id: (user, items)}).
    Returns how many were queued."""
    deadline = danish_date(status_round.deadline)
    return sum(
        _queue(
            user,
            items,
            status_round,
            template="opened",
            subject=f"Statusrunde: {status_round.title} (frist {deadline})",
            kind=KIND_OPENED,
            key=f"round:{status_round.id}:opened:{user.id}",
        )
        for user, items in recipients.values()
    )


def queue_reminder_mails(
    status_round: StatusRound, recipients: dict, *, occasion: str, today: date
) -> int:
    """One reminder per person still missing a tiltag. `occasion` is
    "before", "deadline" (each once per round and deadline) or "now" (a
    leader's press: always sent). Returns how many were queued."""
    deadline = danish_date(status_round.deadline)
    overdue = today > status_round.deadline
    subject = {
        "before": f"Påmindelse: status til {status_round.title} senest {deadline}",
        "deadline": (
            f"Fristen er overskredet: status til {status_round.title}"
            if overdue
            else f"Fristen er i dag: status til {status_round.title}"
        ),
        "now": f"Påmindelse: status til {status_round.title} (frist {deadline})",
    }[occasion]
    scheduled = occasion != "now"
    return sum(
        _queue(
            user,
            items,
            status_round,
            template="reminder",
            subject=subject,
            kind=KIND_REMINDER,
            key=(
                f"round:{status_round.id}:{occasion}:{status_round.deadline.isoformat()}:{user.id}"
                if scheduled
                else None
            ),
            occasion=occasion,
            overdue=overdue,
        )
        for user, items in recipients.values()
    )


def occasion_on(status_round: StatusRound, today: date, days_before: int) -> str | None:
    """Which scheduled reminder is due for the round on `today`, if any."""
    if today >= status_round.deadline:
        return "deadline"
    if today >= status_round.deadline - timedelta(days=days_before):
        return "before"
    return None
