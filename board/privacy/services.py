"""Removing personal data (GDPR art. 17), for administrators.

* `redact_initiative_value`: "Fjern persondata" for one value a tiltag's
  text field has had (today or in its history). It blanks the value in the
  card, in every Event of the card that holds it and in the published
  reports' frozen rows of the card, and records an `initiative.redacted`
  Event (who, when, which field, why: never the text). Rewriting the
  payloads is the one sanctioned exception to "Events are never updated"
  (docs/ARCHITECTURE.md, "The Event log"): the municipality must keep the
  record that a change happened, but not a person's name or CPR number in it.
* `anonymise_user`: "Anonymisér bruger" for someone who has left. The user
  row's name and e-mail become "Tidligere medarbejder #<id>", so the card
  history, comments and reports (which show the row's name) show that; the
  id stays, so the audit trail still tells one person's actions apart. The
  user is deactivated and loses their password and board roles.

Both take model objects and an `actor`, raise `Refused`, and leave the
commit to the caller.
"""

from __future__ import annotations

import copy
import logging

import sqlalchemy as sa

from ..auth.accounts import deactivate_user, new_session_nonce
from ..errors import Refused
from ..event_kinds import FIELD_LABELS
from ..events import record_event
from ..extensions import db
from ..locks import lock_board
from ..models import Event, Initiative, LoginSession, PublishedReport, RoundItem, User
from ..reports import checkpoints

log = logging.getLogger(__name__)

# The card's free-text fields, where a name or a CPR number can be typed.
REDACTABLE_FIELDS = ("title", "description", "status_note", "responsible", "timeline")
# A card needs a title; a redacted one reads as this everywhere.
REDACTED_TITLE = "(Titel fjernet af hensyn til persondata)"
REASON_MAX = 500


def blank_for(field: str) -> str:
    return REDACTED_TITLE if field == "title" else ""


def _card_events(initiative: Initiative) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.board_id == initiative.board_id, Event.initiative_id == initiative.id)
            .order_by(Event.id)
        )
    )


def _values_in(node, field: str, found: list) -> None:
    """Every string held under the key `field` anywhere in a payload:
    a snapshot's `{field: value}`, an update's `{field: [before, after]}`,
    a move's or archive's `{"title": ...}`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == field:
                for each in value if isinstance(value, list) else [value]:
                    if isinstance(each, str) and each and each not in found:
                        found.append(each)
            else:
                _values_in(value, field, found)
    elif isinstance(node, list):
        for each in node:
            _values_in(each, field, found)


def _scrub(node, field: str, value: str, blank: str):
    """`node` with every `value` held under the key `field` replaced by
    `blank`, and how many were replaced."""
    if isinstance(node, dict):
        out, count = {}, 0
        for key, item in node.items():
            if key == field and item == value:
                out[key], n = blank, 1
            elif key == field and isinstance(item, list):
                out[key] = [blank if each == value else each for each in item]
                n = sum(each == value for each in item)
            else:
                out[key], n = _scrub(item, field, value, blank)
            count += n
        return out, count
    if isinstance(node, list):
        pairs = [_scrub(each, field, value, blank) for each in node]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    return node, 0


def redactable_values(initiative: Initiative) -> dict[str, list[str]]:
    """Per field, every non-empty value it has had (oldest first, the
    current one included): what the admin page offers to remove."""
    events = _card_events(initiative)
    values: dict[str, list[str]] = {}
    for field in REDACTABLE_FIELDS:
        found: list[str] = []
        for event in events:
            _values_in(event.payload or {}, field, found)
        current = getattr(initiative, field) or ""
        if current and current not in found:
            found.append(current)
        values[field] = [v for v in found if v != blank_for(field)]
    return values


def _report_rows(snapshot: dict):
    for theme in snapshot.get("themes") or []:
        yield from theme.get("rows") or []
        for objective in theme.get("objectives") or []:
            yield from objective.get("rows") or []


def redact_initiative_value(
    initiative: Initiative, *, field: str, value: str, reason: str, actor: User
) -> Event:
    """Blank `value` of the card's `field` everywhere the application keeps
    it, and record the `initiative.redacted` Event. Refused: not an
    administrator (403), not a text field (400), a value the card never had,
    or no reason / a reason that repeats the text (422)."""
    lock_board(initiative.board_id, initiative)
    if actor is None or not actor.is_admin:
        raise Refused("Kun administratorer kan fjerne persondata.", 403)
    if field not in REDACTABLE_FIELDS:
        raise Refused("Det felt kan der ikke fjernes persondata fra.", 400)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Skriv en begrundelse.", 422, field="reason")
    if len(reason) > REASON_MAX:
        raise Refused(f"Begrundelsen må højst være {REASON_MAX} tegn.", 422, field="reason")
    if not value or value not in redactable_values(initiative)[field]:
        raise Refused("Tiltaget har ikke haft den værdi.", 422, field="choice")
    if value.casefold() in reason.casefold():
        raise Refused("Begrundelsen må ikke indeholde den tekst, der fjernes.", 422, field="reason")

    blank = blank_for(field)
    if getattr(initiative, field) == value:
        setattr(initiative, field, blank)
    # Open edit forms and dialogs hold the old text: they are stale now.
    initiative.version += 1

    events_changed = 0
    for event in _card_events(initiative):
        payload, count = _scrub(event.payload or {}, field, value, blank)
        if count:
            # A new object, so SQLAlchemy writes the JSON column (an in-place
            # change of the old dict would go unnoticed) on either database.
            event.payload = payload
            events_changed += 1

    reports_changed = 0
    reports = db.session.scalars(
        sa.select(PublishedReport).where(PublishedReport.board_id == initiative.board_id)
    )
    for report in reports:
        snapshot = copy.deepcopy(report.snapshot or {})
        count = 0
        for row in _report_rows(snapshot):
            if row.get("id") == initiative.id and row.get(field) == value:
                row[field] = blank
                count += 1
        if count:
            report.snapshot = snapshot
            reports_changed += 1
    # The replay checkpoints hold the card's texts too: the next reports
    # replay the rewritten log in full (and publishing makes new ones).
    checkpoints.forget(initiative.board_id)

    # A status round keeps the card's status texts per round (board/rounds).
    rounds_changed = 0
    if field == "status_note":
        rounds_changed = db.session.execute(
            sa.update(RoundItem)
            .where(RoundItem.initiative_id == initiative.id, RoundItem.status_text == value)
            .values(status_text=blank)
        ).rowcount

    return record_event(
        board_id=initiative.board_id,
        initiative_id=initiative.id,
        kind="initiative.redacted",
        payload={
            "field": field,
            "reason": reason,
            "events": events_changed,
            "reports": reports_changed,
            "rounds": rounds_changed,
        },
        actor=actor,
    )


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


# --------------------------------------------------------------- users


def anonymous_name(user_id: int) -> str:
    return f"Tidligere medarbejder #{user_id}"


def anonymous_email(user_id: int) -> str:
    # .invalid is reserved (RFC 2606): it can never reach anyone.
    return f"tidligere-medarbejder-{user_id}@anonymiseret.invalid"


def is_anonymised(user: User) -> bool:
    return user.email == anonymous_email(user.id)


def anonymise_user(user: User, *, actor: User | None) -> None:
    """Replace the user's name and e-mail, deactivate them, and remove their
    password and board roles. The id stays (Events, comments and share links
    refer to it). Refused: not an administrator (403), yourself, the last
    active administrator, or done already (409)."""
    if actor is not None and not actor.is_admin:
        raise Refused("Kun administratorer kan anonymisere brugere.", 403)
    if actor is not None and actor.id == user.id:
        raise Refused("Du kan ikke anonymisere dig selv. Bed en anden administrator om det.", 409)
    if is_anonymised(user):
        raise Refused("Brugeren er allerede anonymiseret.", 409)
    deactivate_user(user, actor=actor)  # refuses the last active administrator
    user.name = anonymous_name(user.id)
    user.email = anonymous_email(user.id)
    user.password_hash = ""
    user.is_admin = False
    user.active = False
    user.session_nonce = new_session_nonce()
    user.memberships.clear()  # delete-orphan: the rows go
    # Their logins too (the new nonce already ends them; no rows left behind).
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    log.info("user %s anonymised by %s", user.id, getattr(actor, "id", "cli"))
