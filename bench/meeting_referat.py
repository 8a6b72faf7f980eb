"""Meeting benchmark: the projector page, its live part and the referat.

Fills a fresh database with a board of 2,000 tiltag whose cards each have
an `initiative.created` Event (so "changed since" replays a real log), holds
a first meeting, then a meeting with 10 and with 40 agenda items (flagged
cards), each with a decision and an action point, and prints per agenda
size: median time and SQL queries of the meeting page, its live part
(what every following page re-reads on each step), the referat .docx and
the referat PDF, as the app serves them (test client, signed in as leader).

    .venv/bin/python bench/meeting_referat.py
    .venv/bin/python bench/meeting_referat.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

import sqlalchemy as sa
from _setup import FreshDatabase, fill_board

from board.auth.sessions import start_login_session
from board.events import record_event, snapshot
from board.extensions import db
from board.meetings import services
from board.models import Initiative
from board.query_counter import count_queries

CARDS = 2000
AGENDAS = (10, 40)
RUNS = 5


def give_history(board) -> list[Initiative]:
    cards = db.session.scalars(sa.select(Initiative).where(Initiative.board_id == board.id)).all()
    for card in cards:
        record_event(
            board_id=board.id,
            initiative_id=card.id,
            kind="initiative.created",
            payload={"snapshot": snapshot(card)},
        )
    db.session.commit()
    return cards


def meeting_with(board, leader, cards, day: date):
    for card in cards:
        services.flag_for_discussion(card, actor=leader)
    meeting = services.create_meeting(
        board, title="Ledermøde", held_on=day, attendee_ids=[leader.id], actor=leader
    )
    db.session.flush()
    for item in meeting.items:
        services.record_decision(item, text="Godkendt med bemærkninger.", actor=leader)
        services.add_action(
            item, text="Følg op", owner_id=leader.id, deadline=date(2027, 3, 1), actor=leader
        )
    for card in cards:
        services.unflag(card, actor=leader)
    db.session.commit()
    return meeting.id


def measure(app, client, url: str) -> tuple[float, int]:
    times, queries = [], 0
    for _ in range(RUNS):
        with app.app_context(), count_queries(db.engine) as counter:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = counter.count
    return statistics.median(times) * 1000, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    database = FreshDatabase(args.postgres)
    try:
        app = database.make_app()
        with app.app_context():
            board, leader = fill_board(CARDS)
            cards = give_history(board)
            services.create_meeting(board, title="Forrige", held_on=date(2026, 12, 1), actor=None)
            db.session.commit()
            meetings = {}
            offset = 0
            for size, day in zip(AGENDAS, (date(2027, 1, 12), date(2027, 2, 9)), strict=True):
                meetings[size] = meeting_with(board, leader, cards[offset : offset + size], day)
                offset += size
            session_id = start_login_session(leader)
            db.session.commit()
            board_id = board.id
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"Board of {CARDS} tiltag ({'PostgreSQL' if args.postgres else 'SQLite'})")
        print(f"load average {load} on {os.cpu_count()} cores")
        print(f"{'items':>5} {'what':<14} {'median ms':>10} {'queries':>8}")
        for size, meeting_id in meetings.items():
            base = f"/boards/{board_id}/meetings/{meeting_id}"
            for what, path in (
                ("page", ""),
                ("live part", "/current"),
                ("referat.docx", "/referat.docx"),
                ("referat.pdf", "/referat.pdf"),
            ):
                ms, queries = measure(app, client, base + path)
                print(f"{size:>5} {what:<14} {ms:>10.1f} {queries:>8}")
    finally:
        database.drop()


if __name__ == "__main__":
    main()
