"""Domain functions of the reports area: the status of a board on a date,
the changes since a date, and publishing a frozen report. Tests call these
without HTTP; the views only parse the request and render."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..errors import Refused
from ..event_kinds import FIELD_LABELS, stage_label
from ..events import record_event
from ..extensions import db
from ..formatting import danish_date
from ..locks import lock_board
from ..models import Board, Event, PublishedReport, Theme, User
from . import checkpoints
from .replay import CardState, end_of_day, structure_at
from .report import ReportObjective, ReportRow, ReportTheme, StatusReport

TITLE_MAX = 300


def parse_report_date(text: str | None, *, default: date | None = None, name="dato") -> date:
    """A YYYY-MM-DD date from the query string, not after today."""
    if not text:
        if default is None:
            raise Refused(f"Angiv en {name} (ÅÅÅÅ-MM-DD).")
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(
            f"«{text[:40]}» er ikke en gyldig {name}. Skriv den som ÅÅÅÅ-MM-DD, fx 2024-03-15."
        ) from None
    if day > today_local():
        raise Refused(f"Datoen {danish_date(day)} ligger efter i dag.")
    return day


def _row(card: CardState, owners: dict[int, str]) -> ReportRow:
    return ReportRow(
        id=card.id,
        title=card.title,
        description=card.description or "",
        timeline=card.timeline or "",
        status_note=card.status_note or "",
        responsible=card.responsible or "",
        stage=card.stage,
        health=card.health or None,
        owner=owners.get(card.owner_id, "") if card.owner_id else "",
    )


def owner_names(cards) -> dict[int, str]:
    """The names of the cards' owners (one query, none without owners)."""
    ids = {c.owner_id for c in cards if c.owner_id}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def status_as_of(board: Board, day: date, theme_id: int | None = None) -> StatusReport:
    """The status of every tiltag at the end of `day` (Copenhagen time),
    reconstructed from the Event log: cards archived later are included,
    cards archived by then are not. Grouped pejlemærke → målsætning → tiltag;
    målsætninger without tiltag are kept (the documents list them).
    `theme_id` limits the report to one pejlemærke. A fixed number of queries
    (five, one more for the owners' names when a card has one, plus loading
    `board` if expired), whatever the number of cards; from a checkpoint
    (checkpoints.py) when a report was published on or before `day`."""
    cutoff = end_of_day(day)
    themes = structure_at(board, cutoff)
    cards = [c for c in checkpoints.cards_at(board.id, cutoff).values() if not c.archived]
    cards.sort(key=lambda c: c.order)
    owners = owner_names(cards)

    groups: dict[int | None, ReportTheme] = {}
    objectives: dict[int, ReportObjective] = {}
    for theme in themes:
        group = ReportTheme(id=theme.id, title=theme.title)
        for objective in theme.objectives:
            item = ReportObjective(id=objective.id, number=objective.number, title=objective.title)
            group.objectives.append(item)
            objectives[objective.id] = item
        groups[theme.id] = group
    for card in cards:
        group = groups.get(card.theme_id)
        if group is None:  # its pejlemærke was removed without a trace
            group = groups.setdefault(None, ReportTheme(id=None, title="Uden placering"))
        objective = objectives.get(card.objective_id)
        if objective is not None and objective in group.objectives:
            objective.rows.append(_row(card, owners))
        else:
            group.rows.append(_row(card, owners))

    selected = list(groups.values())
    theme_title = None
    if theme_id is not None:
        selected = [g for g in selected if g.id == theme_id]
        theme_title = selected[0].title if selected else None
    return StatusReport(
        board_id=board.id,
        board_title=board.title,
        as_of=day,
        theme_label=board.theme_label,
        objective_label=board.objective_label,
        description=board.description or "",
        theme_filter=theme_title,
        themes=selected,
    )


# --------------------------------------------------------------- changes since
@dataclass
class CardChange:
    id: int
    title: str
    stage: str  # the column now
    added: bool = False
    moved: tuple[str, str] | None = None  # (from stage, to stage)
    status: tuple[str, str] | None = None  # (before, after)
    archived: bool = False
    restored: bool = False
    other_fields: list[str] = field(default_factory=list)  # Danish field names
    new_comments: int = 0

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)

    @property
    def moved_labels(self) -> tuple[str, str] | None:
        return (stage_label(self.moved[0]), stage_label(self.moved[1])) if self.moved else None


@dataclass
class ChangeGroup:
    theme_id: int | None
    title: str
    changes: list[CardChange] = field(default_factory=list)


@dataclass
class ChangesReport:
    board: Board
    since: date
    groups: list[ChangeGroup]

    @property
    def count(self) -> int:
        return sum(len(g.changes) for g in self.groups)

    @property
    def heading(self) -> str:
        return f"Ændringer siden {danish_date(self.since)}"


OTHER_FIELDS = (
    "title",
    "timeline",
    "description",
    "responsible",
    "owner_id",
    "health",
    "theme_id",
    "objective_id",
)


def changes_since(board: Board, day: date, *, with_comments: bool = True) -> ChangesReport:
    """What changed after the end of `day` (Copenhagen time) until now: the
    difference between the status as of `day` and the status now, per card —
    added, moved (from → to), status text changed, archived or restored,
    other fields edited — plus the number of comments written since. A card
    moved away and back counts as not moved. Grouped by pejlemærke."""
    cutoff = end_of_day(day)
    then, now = checkpoints.cards_at_and_now(board.id, cutoff)
    comments: Counter[int] = Counter()
    if with_comments:
        comments.update(
            db.session.scalars(
                sa.select(Event.initiative_id).where(
                    Event.board_id == board.id,
                    Event.kind == "comment.added",
                    Event.created_at >= cutoff,
                    Event.initiative_id.is_not(None),
                )
            )
        )
    return changes_between(board, then, now, comments, since=day)


def changes_between(
    board: Board, then: dict, now: dict, comments: Counter, *, since: date
) -> ChangesReport:
    """The net change per card from the cards `then` to the cards `now`
    (replay's CardStates), with `comments` new comments per card: the logic
    of "Ændringer siden", shared with the digests (board/digests)."""
    # Only cards with an Event or a comment since are compared and sorted:
    # replay gives a card no Event changed one state object in both.
    touched = [card for iid, card in now.items() if then.get(iid) is not card or iid in comments]
    changes: list[tuple[CardState, CardChange]] = []
    for card in sorted(touched, key=lambda c: c.order):
        before = then.get(card.id)
        new_comments = comments.get(card.id, 0)
        if before is not None and not new_comments and before.__dict__ == card.__dict__:
            continue  # the same state (changed and back; a copy of an untouched card)
        change = CardChange(id=card.id, title=card.title, stage=card.stage)
        change.new_comments = new_comments
        if before is None:
            change.added = True
            change.archived = card.archived
        else:
            if before.stage != card.stage:
                change.moved = (before.stage, card.stage)
            if (before.status_note or "") != (card.status_note or ""):
                change.status = (before.status_note or "", card.status_note or "")
            change.archived = card.archived and not before.archived
            change.restored = before.archived and not card.archived
            change.other_fields = [
                FIELD_LABELS[name]
                for name in OTHER_FIELDS
                if (getattr(before, name) or None) != (getattr(card, name) or None)
            ]
            if before.archived and card.archived:
                continue  # archived all along: nothing to report
        if (
            change.added
            or change.moved
            or change.status
            or change.archived
            or change.restored
            or change.other_fields
            or change.new_comments
        ):
            changes.append((card, change))

    themes = structure_at(board, None)
    groups = {t.id: ChangeGroup(t.id, t.title) for t in themes}
    for card, change in changes:
        group = groups.get(card.theme_id)
        if group is None:
            group = groups.setdefault(None, ChangeGroup(None, "Uden placering"))
        group.changes.append(change)
    return ChangesReport(board=board, since=since, groups=[g for g in groups.values() if g.changes])


# --------------------------------------------------------------- publishing
def publish_report(
    board: Board, *, title: str, day: date, theme_id: int | None = None, actor=None
) -> PublishedReport:
    """Freeze the status of `day` as a named report. Its snapshot is what every
    later download shows, whatever happens to the board afterwards."""
    title = (title or "").strip()
    if not title:
        raise Refused("Giv rapporten et navn, fx «Status til Områdeudvalget, september 2024».", 422)
    if len(title) > TITLE_MAX:
        raise Refused(f"Navnet må højst være {TITLE_MAX} tegn.", 422)
    # The snapshot and its Event must not interleave with a change.
    lock_board(board.id, board)
    report = status_as_of(board, day, theme_id)
    if theme_id is not None and report.theme_filter is None:
        raise Refused("Det valgte pejlemærke findes ikke på tavlen.")
    published = PublishedReport(
        board_id=board.id,
        title=title,
        as_of=day,
        theme_id=theme_id,
        snapshot=report.to_json(),
        published_by_id=getattr(actor, "id", None),
    )
    db.session.add(published)
    # Later reports replay from here (only Events after the report's date).
    checkpoints.save(board.id, end_of_day(day))
    db.session.flush()
    record_event(
        board_id=board.id,
        kind="report.published",
        payload={"report_id": published.id, "title": title, "as_of": day.isoformat()},
        actor=actor,
    )
    return published


def board_themes(board: Board) -> list[Theme]:
    """The board's pejlemærker in their order (the filter's choices)."""
    return list(
        db.session.scalars(
            sa.select(Theme).where(Theme.board_id == board.id).order_by(Theme.position)
        )
    )


def last_published_day(board: Board) -> date | None:
    """The "status pr." day of the newest published report, if any."""
    return db.session.scalar(
        sa.select(PublishedReport.as_of)
        .where(PublishedReport.board_id == board.id)
        .order_by(PublishedReport.published_at.desc())
        .limit(1)
    )


def published_reports(board: Board) -> list[PublishedReport]:
    return list(
        db.session.scalars(
            sa.select(PublishedReport)
            .where(PublishedReport.board_id == board.id)
            .options(selectinload(PublishedReport.published_by))
            .order_by(PublishedReport.published_at.desc(), PublishedReport.id.desc())
        )
    )


def frozen_report(published: PublishedReport) -> StatusReport:
    board = db.session.get(Board, published.board_id)
    return StatusReport.from_json(
        published.snapshot,
        board_id=published.board_id,
        board_title=board.title,
        as_of=published.as_of.isoformat(),
        theme_label=board.theme_label,
        objective_label=board.objective_label,
    )
