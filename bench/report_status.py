"""Status report benchmark: the status of a date rebuilt from the Event log.

Fills a fresh database with boards of 50, 500 and 2,000 tiltag, each card
with a history of four events (created, two edits, one move), and prints per
size: median time of `status_as_of` (the page's domain function), of
`changes_since` (first by full replay, then from the replay checkpoint
that publishing a report as of 1 March writes: status as of 15 March and
changes since 1 March, the usual "since the last report"), of rendering
the .docx, .pdf and .xlsx (each whole, chart included), of the summary
chart alone, and the SQL queries of `status_as_of` (which must not grow
with the cards). The machine's load average is printed with the figures
(a shared machine's timings vary).

    .venv/bin/python bench/report_status.py
    .venv/bin/python bench/report_status.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from _setup import FreshDatabase, fill_board

from board.events import snapshot
from board.extensions import db
from board.models import Event, Initiative
from board.query_counter import count_queries
from board.reports.chart import summary_chart_png
from board.reports.document import summary
from board.reports.exports import to_docx, to_pdf, to_xlsx
from board.reports.services import changes_since, publish_report, status_as_of

SIZES = (50, 500, 2000)
START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def add_history(board) -> None:
    """created (10 Jan), status edit (1 Feb), move (1 Mar), edit (1 Apr)."""
    cards = db.session.scalars(sa.select(Initiative).where(Initiative.board_id == board.id)).all()
    rows = []
    for card in cards:
        snap = snapshot(card)
        common = dict(board_id=board.id, initiative_id=card.id)
        rows += [
            dict(common, kind="initiative.created", payload={"snapshot": snap}, created_at=START),
            dict(
                common,
                kind="initiative.updated",
                payload={"changes": {"status_note": [card.status_note, "Februar-status"]}},
                created_at=START + timedelta(days=22),
            ),
            dict(
                common,
                kind="initiative.moved",
                payload={
                    "title": card.title,
                    "from_stage": card.stage,
                    "from_position": card.position,
                    "to_stage": "igangsat",
                    "to_position": card.position,
                },
                created_at=START + timedelta(days=51),
            ),
            dict(
                common,
                kind="initiative.updated",
                payload={"changes": {"status_note": ["Februar-status", "April-status"]}},
                created_at=START + timedelta(days=82),
            ),
        ]
    # In time order, as a board's log is written (ids follow the clock).
    rows.sort(key=lambda row: row["created_at"])
    db.session.execute(sa.insert(Event), rows)
    db.session.commit()


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is created)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    database = FreshDatabase(args.postgres)
    try:
        app = database.make_app()
        kind = "PostgreSQL" if args.postgres else "SQLite"
        print(f"Status report as of 15 March 2024, {kind}, median ms")
        print(
            f"{'cards':>6} {'status full':>11} {'ckpt':>6} {'changes full':>12} {'ckpt':>6} "
            f"{'docx':>6} {'pdf':>6} {'xlsx':>6} {'chart':>6} {'queries':>7}  load average"
        )
        for size in (int(s) for s in args.sizes.split(",")):
            with app.app_context():
                board, _ = fill_board(size)
                add_history(board)
                repeat = max(3, min(20, 4000 // size))
                day = date(2024, 3, 15)
                db.session.expire_all()
                with count_queries(db.engine) as counter:
                    report = status_as_of(board, day)
                assert report.row_count == size, report.row_count
                status_ms, report = timed(lambda: status_as_of(board, day), repeat)  # noqa: B023
                changes_ms, _ = timed(
                    lambda: changes_since(board, date(2024, 3, 1)),  # noqa: B023
                    repeat,
                )
                publish_report(board, title="Status 1. marts", day=date(2024, 3, 1))
                db.session.commit()
                fast_status_ms, fast = timed(lambda: status_as_of(board, day), repeat)  # noqa: B023
                assert fast.to_json() == report.to_json()
                fast_changes_ms, _ = timed(
                    lambda: changes_since(board, date(2024, 3, 1)),  # noqa: B023
                    repeat,
                )
                files = max(3, repeat // 3)
                to_pdf(report), to_docx(report)  # imports and fonts loaded once per process
                docx_ms, _ = timed(lambda: to_docx(report), files)  # noqa: B023
                pdf_ms, _ = timed(lambda: to_pdf(report), files)  # noqa: B023
                xlsx_ms, _ = timed(lambda: to_xlsx(report), files)  # noqa: B023
                chart_ms, _ = timed(lambda: summary_chart_png(summary(report)), files)  # noqa: B023
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                print(
                    f"{size:>6} {status_ms:>11.1f} {fast_status_ms:>6.1f} {changes_ms:>12.1f} "
                    f"{fast_changes_ms:>6.1f} {docx_ms:>6.0f} {pdf_ms:>6.0f} {xlsx_ms:>6.0f} "
                    f"{chart_ms:>6.0f} {counter.count:>7}  {load}"
                )
    finally:
        database.drop()


if __name__ == "__main__":
    main()
