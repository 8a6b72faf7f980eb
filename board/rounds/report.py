"""The report a closed round publishes: the board's structure with the
round's tiltag only, each with its round text, vurdering and confirmed
column, frozen as a PublishedReport like any published status report (so
its downloads and share-link pages are the reports area's own)."""

from __future__ import annotations

from ..clock import today_local
from ..events import record_event
from ..extensions import db
from ..models import Board, PublishedReport, StatusRound
from ..reports.services import status_as_of

NOT_UPDATED = "Ikke opdateret i statusrunden."


def round_report(status_round: StatusRound, progress):
    """A StatusReport "pr." the round's status date: today's structure of
    the board, the round's tiltag in it, their values from the round."""
    board = db.session.get(Board, status_round.board_id)
    report = status_as_of(board, today_local())
    report.as_of = status_round.status_date
    items = {i.initiative_id: i for i in progress.done}
    missing = {m.item.initiative_id for m in progress.missing}

    def keep(rows):
        kept = []
        for row in rows:
            item = items.get(row.id)
            if item is not None:
                row.status_note = item.status_text
                row.health = item.health
                row.stage = item.stage or row.stage
            elif row.id in missing:
                row.status_note = NOT_UPDATED
            else:
                continue  # not part of the round
            kept.append(row)
        return kept

    for theme in report.themes:
        theme.rows = keep(theme.rows)
        for objective in theme.objectives:
            objective.rows = keep(objective.rows)
    return report


def publish_round_report(status_round: StatusRound, progress, *, actor) -> PublishedReport:
    report = round_report(status_round, progress)
    published = PublishedReport(
        board_id=status_round.board_id,
        title=status_round.title,
        as_of=status_round.status_date,
        snapshot=report.to_json(),
        published_by_id=getattr(actor, "id", None),
    )
    db.session.add(published)
    db.session.flush()
    record_event(
        board_id=status_round.board_id,
        kind="report.published",
        payload={
            "report_id": published.id,
            "title": status_round.title,
            "as_of": status_round.status_date.isoformat(),
            "round_id": status_round.id,
        },
        actor=actor,
    )
    return published
