"""Status report benchmark: the status of a date rebuilt from the Event log.

Fills a fresh database with boards of 50, 500 and 2,000 tiltag, each card
with a history of four events (created, two edits, one move; the board and
its structure exist from before the first), and prints per size and
measure the median wall time and the median CPU time of this process:
`status_as_of` (the page's domain function) and `changes_since`, first by
full replay, then from the replay checkpoint that publishing a report as
of 1 March writes (status as of 15 March and changes since 1 March, the
usual "since the last report": every card changed after it, the worst
case), the .docx, .pdf and .xlsx (each whole, chart included), the summary
chart alone, and the SQL statements of each domain function (which must
not grow with the cards). On PostgreSQL the server's own CPU is not in the
CPU column. The machine's load average is printed with each line: on a
shared machine wall times vary with it, CPU times much less.

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
    """created (10 Jan), status edit (1 Feb), move (1 Mar), edit (1 Apr). The
    board dates from before them: its pejlemærker and målsætninger, which
    have no `created` events here, count as existing since the board does."""
    board.created_at = START - timedelta(days=1)
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
    """Median wall and median CPU milliseconds of `repeat` calls, and the
    last call's result."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def statements(fn) -> int:
    db.session.expire_all()
    with count_queries(db.engine) as counter:
        fn()
    return counter.count


def line(size: int, label: str, fn, times: int, sql: bool = True):
    """Print one measure: median wall and CPU ms, SQL statements (of the
    domain functions) and the load average; return `fn`'s result."""
    count = f"{statements(fn):>4}" if sql else f"{'':>4}"
    wall, cpu, result = timed(fn, times)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{size:>6}  {label:<34} {wall:>7.1f} {cpu:>7.1f} {count}  {load}", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is created)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    database = FreshDatabase(args.postgres)
    try:
        app = database.make_app()
        kind = "PostgreSQL" if args.postgres else "SQLite"
        print(f"Status report as of 15 March 2024, {kind}; medians, ms")
        print(f"{'cards':>6}  {'':<34} {'wall':>7} {'CPU':>7} {'SQL':>4}  load average")
        for size in (int(s) for s in args.sizes.split(",")):
            with app.app_context():
                board, _ = fill_board(size)
                add_history(board)
                repeat = max(3, min(20, 4000 // size))
                files = max(3, repeat // 3)
                day, since = date(2024, 3, 15), date(2024, 3, 1)

                def status():
                    return status_as_of(board, day)  # noqa: B023

                def changes():
                    return changes_since(board, since)  # noqa: B023

                report = line(size, "status_as_of, full replay", status, repeat)
                assert report.row_count == size, report.row_count
                line(size, "changes_since, full replay", changes, repeat)
                publish_report(board, title="Status 1. marts", day=since)
                db.session.commit()
                fast = line(size, "status_as_of, from checkpoint", status, repeat)
                assert fast.to_json() == report.to_json()
                line(size, "changes_since, from checkpoint", changes, repeat)
                to_pdf(report), to_docx(report)  # imports and fonts loaded once per process
                line(size, ".docx", lambda: to_docx(report), files, sql=False)  # noqa: B023
                line(size, ".pdf", lambda: to_pdf(report), files, sql=False)  # noqa: B023
                line(size, ".xlsx", lambda: to_xlsx(report), files, sql=False)  # noqa: B023
                line(
                    size,
                    "summary chart",
                    lambda: summary_chart_png(summary(report)),  # noqa: B023
                    files,
                    sql=False,
                )
    finally:
        database.drop()


if __name__ == "__main__":
    main()
