"""Sending the outbox over SMTP: `deliver_due()` is one pass (what
`flask deliver-mail --once` runs), `run_deliverer()` the loop.

Each message goes through three short transactions, and no transaction is
open while the SMTP server is talked to:

1. **Claim** one due message with one conditional UPDATE (state `pending`
   and due, or a `sending` claim older than MAIL_CLAIM_LEASE_SECONDS) that
   sets state `sending`, a random claim token and `claimed_at`, and commit.
   On PostgreSQL the UPDATE picks its row with `SELECT ... FOR UPDATE SKIP
   LOCKED`, so two deliverers never wait for or take the same row; on
   SQLite the UPDATE holds the database's write lock, so it is atomic.
   Whoever's UPDATE returned the row owns it; nobody else sees it as due.
2. **Send** it (smtplib, one connection per pass).
3. **Mark** it `sent` in its own commit right after the server accepted it
   (`WHERE claim_token = ours`). A failure is marked the same way: a 5xx for
   this message makes it `failed` (kept, shown in /admin/outbox); a 4xx or a
   lost connection puts it back to `pending` with a growing delay.

A mail server that cannot be reached changes nothing: no message is claimed
before the connection is open, so the outbox waits and the loop backs off.

**The window between send and mark.** If the deliverer dies (kill -9, the
host goes down) after the server accepted a message and before the mark
commits, the row stays `sending`. The lease decides: after it, another
deliverer takes the row over and sends it again, with the same Message-ID
and Date (mail clients and many servers drop a second copy by its
Message-ID). So a crash at that instant can mean one duplicate, never a lost
message; the far likelier crash, during the SMTP conversation, is exactly a
message that was not sent. If only the database fails at the mark, the
deliverer keeps retrying the mark (up to half the lease) before claiming
anything else, so an outage of the database alone doubles nothing. A lost
connection after the message's data was sent but before the server's reply
is SMTP's own ambiguity (RFC 1047); it is treated as not sent.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from ..clock import utcnow
from ..errors import database_unavailable, log_database_unavailable
from ..extensions import db
from ..models import User
from .compose import compose
from .models import MailState, OutboxMessage

log = logging.getLogger("board.mail")


@dataclass
class PassResult:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    server_error: str | None = None  # the SMTP server could not be used
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.cancelled


class ServerUnavailable(Exception):
    """The SMTP server could not be reached or refused the session (not one
    message): the pass stops and the outbox waits."""


def smtp_configured(config=None) -> bool:
    return bool((config or current_app.config).get("SMTP_HOST"))


def retry_delay(attempts: int, config=None) -> timedelta:
    """Backoff after a temporary failure: doubling from the first delay."""
    config = config or current_app.config
    first = config["MAIL_RETRY_FIRST_SECONDS"]
    seconds = min(first * 2 ** max(attempts - 1, 0), config["MAIL_RETRY_MAX_SECONDS"])
    return timedelta(seconds=seconds)


def _due(now: datetime, lease: timedelta):
    return sa.or_(
        sa.and_(
            OutboxMessage.state == MailState.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        ),
        sa.and_(
            OutboxMessage.state == MailState.SENDING.value,
            OutboxMessage.claimed_at < now - lease,
        ),
    )


def due_count(now: datetime | None = None) -> int:
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["MAIL_CLAIM_LEASE_SECONDS"])
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(_due(now, lease))
    )
    db.session.rollback()  # end the read: nothing stays open while we talk SMTP
    return count


@dataclass(frozen=True)
class Claim:
    """A message this deliverer owns until it records the outcome: plain
    values, so nothing is read from the database while SMTP is talked to."""

    id: int
    token: str
    attempts: int
    kind: str
    address: str
    mail: EmailMessage


def claim_next(now: datetime, sender: str, result: PassResult | None = None) -> Claim | None:
    """Claim the next due message for this deliverer and commit, or None
    when none is due. Messages found for a deactivated user are cancelled
    on the way (counted in `result`)."""
    lease = timedelta(seconds=current_app.config["MAIL_CLAIM_LEASE_SECONDS"])
    token = secrets.token_hex(16)
    due = _due(now, lease)
    pick = (
        sa.select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing
    )
    taken_over = OutboxMessage.state == MailState.SENDING.value
    claimed_id = db.session.execute(
        sa.update(OutboxMessage)
        # `id = (subquery)`, not `id IN (...)`: PostgreSQL runs an
        # uncorrelated scalar subquery once (an InitPlan), while IN may be
        # re-run per row and claim more than one.
        .where(OutboxMessage.id == pick.scalar_subquery(), due)
        .values(
            state=MailState.SENDING.value,
            claim_token=token,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
            last_error=sa.case(
                (taken_over, "Afsendelsen blev afbrudt; sendes igen med samme Message-ID."),
                else_=OutboxMessage.last_error,
            ),
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed_id is None:
        db.session.rollback()
        return None
    message = db.session.get(OutboxMessage, claimed_id, populate_existing=True)
    recipient = (
        db.session.get(User, message.recipient_user_id) if message.recipient_user_id else None
    )
    if recipient is not None and not recipient.active:
        # Deactivated after the mail was queued: they get nothing.
        _finish(message.id, token, state=MailState.CANCELLED, error="Modtageren er deaktiveret.")
        if result is not None:
            result.cancelled += 1
        return claim_next(now, sender, result)
    claim = Claim(
        id=message.id,
        token=token,
        attempts=message.attempts,
        kind=message.kind,
        address=message.recipient_address,
        mail=compose(message, sender=sender),
    )
    db.session.commit()
    return claim


def _finish(message_id: int, token: str, *, state: MailState, error=None, retry_at=None) -> bool:
    """Record the outcome of our claim and commit; False if the claim was no
    longer ours (the lease ran out and another deliverer took it)."""
    values = {"state": state.value, "claim_token": None, "last_error": error}
    if state is MailState.SENT:
        values["sent_at"] = utcnow()
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    done = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return done == 1


def _finish_with_retry(message_id: int, token: str, **outcome) -> None:
    """`_finish`, retried while the database is unavailable (for up to half
    the lease), so a database outage alone never makes a sent message look
    unsent."""
    deadline = time.monotonic() + current_app.config["MAIL_CLAIM_LEASE_SECONDS"] / 2
    delay = 0.5
    while True:
        try:
            if not _finish(message_id, token, **outcome):
                log.error("mail %s: claim lost before its outcome was recorded", message_id)
            return
        except sa.exc.SQLAlchemyError as error:
            db.session.rollback()
            if not database_unavailable(error) or time.monotonic() + delay > deadline:
                raise
            log_database_unavailable(error, f"marking mail {message_id}")
            time.sleep(delay)
            delay = min(delay * 2, 30)


def open_smtp(config=None) -> smtplib.SMTP:
    """A connected (and, when configured, STARTTLS-secured and logged-in)
    SMTP session, or ServerUnavailable."""
    config = config or current_app.config
    try:
        smtp = smtplib.SMTP(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"]
        )
        try:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
    except (OSError, smtplib.SMTPException) as error:
        raise ServerUnavailable(f"{type(error).__name__}: {error}") from error
    return smtp


def _send(smtp: smtplib.SMTP, claim: Claim) -> None:
    smtp.send_message(claim.mail, to_addrs=[claim.address])


def _error_text(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())[:1000]


def _permanent(error: smtplib.SMTPException) -> bool:
    """A refusal of this message for good (5xx), not a passing one (4xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def deliver_due(*, limit: int | None = None, now: datetime | None = None) -> PassResult:
    """One pass: send every due message (at most `limit`) over one SMTP
    connection. Needs SMTP_HOST; without it, nothing is touched."""
    config = current_app.config
    result = PassResult()
    if not smtp_configured(config):
        return result
    if due_count(now) == 0:
        return result
    try:
        smtp = open_smtp(config)
    except ServerUnavailable as error:
        result.server_error = str(error)
        return result
    sender = config["MAIL_FROM"]
    try:
        while limit is None or result.handled < limit:
            claim = claim_next(now or utcnow(), sender, result)
            if claim is None:
                break
            try:
                _send(smtp, claim)
            except smtplib.SMTPException as error:
                if isinstance(error, smtplib.SMTPServerDisconnected) or not _permanent(error):
                    retry_at = utcnow() + retry_delay(claim.attempts, config)
                    _finish_with_retry(
                        claim.id,
                        claim.token,
                        state=MailState.PENDING,
                        error=_error_text(error),
                        retry_at=retry_at,
                    )
                    result.retried += 1
                    if isinstance(error, smtplib.SMTPServerDisconnected):
                        result.server_error = _error_text(error)
                        break
                else:
                    _finish_with_retry(
                        claim.id, claim.token, state=MailState.FAILED, error=_error_text(error)
                    )
                    result.failed += 1
                result.errors.append(f"mail {claim.id}: {_error_text(error)}")
                continue
            except OSError as error:  # the connection broke mid-message
                retry_at = utcnow() + retry_delay(claim.attempts, config)
                _finish_with_retry(
                    claim.id,
                    claim.token,
                    state=MailState.PENDING,
                    error=_error_text(error),
                    retry_at=retry_at,
                )
                result.retried += 1
                result.server_error = _error_text(error)
                break
            _finish_with_retry(claim.id, claim.token, state=MailState.SENT)
            result.sent += 1
            log.info("mail %s sent (%s)", claim.id, claim.kind)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return result


def run_deliverer(
    stop: threading.Event,
    *,
    interval: float = 10.0,
    max_backoff: float = 300.0,
    report=None,
) -> None:
    """Deliver until `stop` is set: a pass, then a wait of `interval` seconds
    (none when the pass had more to do); while the SMTP server or the
    database is unavailable, waits that double up to `max_backoff`."""
    backoff = interval
    while not stop.is_set():
        try:
            result = deliver_due(limit=100)
        except sa.exc.SQLAlchemyError as error:
            db.session.rollback()
            if not database_unavailable(error):
                raise
            log_database_unavailable(error, "deliver-mail")
            result = PassResult(server_error="database unavailable")
        if report is not None:
            report(result)
        if result.server_error:
            stop.wait(backoff)
            backoff = min(backoff * 2, max_backoff)
            continue
        backoff = interval
        if result.handled < 100:
            stop.wait(interval)
