"""Domain functions that create and change tiltag. Each takes the board's
lock first (board/locks.py) and appends its Event in the caller's
transaction; the caller commits."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ..clock import utcnow
from ..errors import Refused, StaleVersion
from ..events import CARD_RATING_FIELDS, CARD_VALUE_FIELDS, record_event, snapshot, to_json_value
from ..extensions import db
from ..locks import lock_board
from ..models import Health, Initiative, Membership, Objective, Stage, Theme

OWNER_NOT_MEMBER = "Den ansvarlige person skal have en rolle på tavlen."
HEALTH_UNKNOWN = "Vælg en vurdering: På rette spor, Udfordret eller Kritisk / forsinket."


def check_owner(board_id: int, owner_id: int | None) -> None:
    """An owner must have a role on the board (one query); None is no owner."""
    if owner_id is None:
        return
    role = db.session.scalar(
        sa.select(Membership.role).where(
            Membership.board_id == board_id, Membership.user_id == owner_id
        )
    )
    if role is None:
        raise Refused(OWNER_NOT_MEMBER, 422, field="owner")


def check_health(health: str | None) -> str | None:
    """A stored vurdering: a Health value or None."""
    if health in (None, ""):
        return None
    try:
        return Health(health).value
    except ValueError:
        raise Refused(HEALTH_UNKNOWN, 422, field="health") from None


def next_position(board_id: int, stage: str) -> int:
    """The position after the last live card of a column."""
    last = db.session.scalar(
        sa.select(sa.func.max(Initiative.position)).where(
            Initiative.board_id == board_id,
            Initiative.stage == stage,
            Initiative.archived_at.is_(None),
        )
    )
    return 0 if last is None else last + 1


def create_initiative(
    *,
    theme: Theme,
    title: str,
    objective: Objective | None = None,
    related_objectives: list[Objective] = (),
    description: str = "",
    timeline: str = "",
    status_note: str = "",
    responsible: str = "",
    due_date: date | None = None,
    owner_id: int | None = None,
    health: str | None = None,
    stage: str = Stage.IKKE_IVAERKSAT,
    actor=None,
    at: datetime | None = None,
) -> Initiative:
    """A new card at the bottom of its column, with its `initiative.created`
    Event. `at` backdates the card (demo data dated to its document)."""
    stage = Stage(stage).value
    lock_board(theme.board_id, theme, objective, *related_objectives)
    if objective is not None and objective.theme_id != theme.id:
        raise Refused("Målsætningen skal høre under det valgte pejlemærke.")
    check_owner(theme.board_id, owner_id)
    health = check_health(health)
    when = at or utcnow()
    initiative = Initiative(
        board_id=theme.board_id,
        theme=theme,
        theme_id=theme.id,
        objective=objective,
        objective_id=objective.id if objective else None,
        title=title,
        description=description,
        timeline=timeline,
        status_note=status_note,
        responsible=responsible,
        due_date=due_date,
        owner_id=owner_id,
        health=health,
        stage=stage,
        position=next_position(theme.board_id, stage),
        version=1,
        created_at=when,
        updated_at=when,
    )
    initiative.related_objectives = [o for o in related_objectives if o is not objective]
    db.session.add(initiative)
    db.session.flush()  # assigns the id the Event refers to
    record_event(
        board_id=initiative.board_id,
        initiative_id=initiative.id,
        kind="initiative.created",
        payload={"snapshot": snapshot(initiative)},
        actor=actor,
        at=when,
    )
    return initiative


# --- editing, archiving, restoring -------------------------------------------


STALE_EDIT = (
    "Tiltaget er blevet ændret af en anden, mens du arbejdede. "
    "Du ser nu de gældende værdier; dine ændringer er ikke gemt."
)


# The card fields `update_initiative` may change. Stage (the column) is not
# among them: a column change is a move (board/moves), an `initiative.moved`.
EDITABLE_FIELDS = (
    *CARD_VALUE_FIELDS,
    *CARD_RATING_FIELDS,
    "theme",
    "objective",
    "related_objectives",
)


def check_version(initiative: Initiative, expected_version: int | None) -> None:
    if expected_version is None or initiative.version != expected_version:
        raise StaleVersion(initiative, STALE_EDIT)


def _check_structure(
    initiative: Initiative,
    theme: Theme,
    objective: Objective | None,
    related: list[Objective],
) -> None:
    if theme.board_id != initiative.board_id:
        raise Refused("Pejlemærket hører ikke til denne tavle.")
    if objective is not None and objective.theme_id != theme.id:
        raise Refused("Målsætningen skal høre under det valgte pejlemærke.")
    for other in related:
        if other.theme.board_id != initiative.board_id:
            raise Refused("En relateret målsætning hører ikke til denne tavle.")


def _value_of(initiative: Initiative, field: str):
    """A field's value as stored in an Event (ids for theme and objectives)."""
    if field == "theme":
        return initiative.theme_id
    if field == "objective":
        return initiative.objective_id
    if field == "related_objectives":
        return sorted(o.id for o in initiative.related_objectives)
    return to_json_value(getattr(initiative, field))


def _structure_in(fields: dict) -> list:
    """The theme and objectives a change would give the card (to be read
    again under the lock: another user may have removed one meanwhile)."""
    return [fields.get("theme"), fields.get("objective"), *fields.get("related_objectives", ())]


EVENT_FIELD = {
    "theme": "theme_id",
    "objective": "objective_id",
    "related_objectives": "related_objective_ids",
}


def update_initiative(
    initiative: Initiative,
    *,
    expected_version: int | None,
    actor,
    **fields,
) -> dict:
    """Change a card's fields. Only fields that differ are written; they are
    recorded as one `initiative.updated` Event ({field: [before, after]}) and
    the version is bumped. Returns the changes ({} when nothing changed: no
    Event, no new version).

    Raises StaleVersion when `expected_version` is not the card's version,
    Refused for an archived card or a structure that does not fit.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    lock_board(initiative.board_id, initiative, *_structure_in(fields))
    check_version(initiative, expected_version)
    if initiative.is_archived:
        raise Refused("Tiltaget er arkiveret. Gendan det for at ændre det.", status=409)

    theme = fields.get("theme", initiative.theme)
    objective = fields.get("objective", initiative.objective)
    related = list(fields.get("related_objectives", initiative.related_objectives))
    if "theme" in fields and "objective" not in fields and objective is not None:
        if objective.theme_id != theme.id:
            objective = None  # a new theme drops an objective of the old one
            fields["objective"] = None
    if objective is not None and objective in related:
        # The card's own målsætning is not also a related one.
        related = [o for o in related if o is not objective]
        fields["related_objectives"] = related
    _check_structure(initiative, theme, objective, related)
    if "health" in fields:
        fields["health"] = check_health(fields["health"])
    if "owner_id" in fields and fields["owner_id"] != initiative.owner_id:
        check_owner(initiative.board_id, fields["owner_id"])

    changes = {}
    for field, new in fields.items():
        before = _value_of(initiative, field)
        if field == "related_objectives":
            after = sorted(o.id for o in new)
        elif field in ("theme", "objective"):
            after = new.id if new is not None else None
        else:
            after = to_json_value(new)
        if before != after:
            changes[EVENT_FIELD.get(field, field)] = [before, after]
            if field == "related_objectives":
                initiative.related_objectives = list(new)
            elif field == "theme":
                initiative.theme = new
                initiative.theme_id = new.id
            elif field == "objective":
                initiative.objective = new
                initiative.objective_id = new.id if new is not None else None
            else:
                setattr(initiative, field, new)
    if not changes:
        return {}
    _changed(initiative, "initiative.updated", actor, changes=changes)
    return changes


def _where(initiative: Initiative, position: int) -> dict:
    """What an archive or restore Event says of the card: which, and where."""
    return {"title": initiative.title, "stage": initiative.stage, "position": position}


def _changed(initiative: Initiative, kind: str, actor, **payload) -> None:
    """A change to the card is made: a new version, and its Event."""
    initiative.version += 1
    initiative.updated_at = utcnow()
    record_event(
        board_id=initiative.board_id,
        initiative_id=initiative.id,
        kind=kind,
        payload=payload,
        actor=actor,
    )


def _column(board_id: int, stage: str) -> list[Initiative]:
    """The live cards of a column in order, as they are now (cards already in
    the session are read again: they may have been loaded before the lock)."""
    return list(
        db.session.scalars(
            sa.select(Initiative)
            .where(
                Initiative.board_id == board_id,
                Initiative.stage == stage,
                Initiative.archived_at.is_(None),
            )
            .order_by(Initiative.position, Initiative.id)
            .execution_options(populate_existing=True)
        )
    )


def archive_initiative(
    initiative: Initiative, *, expected_version: int | None, actor
) -> Initiative:
    """Take a card off the board (it stays in history, reports and the list
    of archived cards). The cards below it in its column close the gap."""
    lock_board(initiative.board_id, initiative)
    check_version(initiative, expected_version)
    if initiative.is_archived:
        raise Refused("Tiltaget er allerede arkiveret.", status=409)
    column = _column(initiative.board_id, initiative.stage)
    old_position = initiative.position
    initiative.archived_at = utcnow()
    # Keep positions dense among the live cards of the column.
    for position, card in enumerate(c for c in column if c.id != initiative.id):
        if card.position != position:
            card.position = position
    _changed(initiative, "initiative.archived", actor, **_where(initiative, old_position))
    return initiative


def restore_initiative(
    initiative: Initiative, *, expected_version: int | None, actor
) -> Initiative:
    """Put an archived card back at the bottom of the column it left."""
    lock_board(initiative.board_id, initiative)
    check_version(initiative, expected_version)
    if not initiative.is_archived:
        raise Refused("Tiltaget er ikke arkiveret.", status=409)
    initiative.position = next_position(initiative.board_id, initiative.stage)
    initiative.archived_at = None
    _changed(initiative, "initiative.restored", actor, **_where(initiative, initiative.position))
    return initiative
