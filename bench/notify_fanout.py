"""Notification fan-out benchmark: what 200 followers add to a comment.

A board with two cards: one nobody follows, one followed by 200 members,
run twice: with everyone on their default (MED members a daily digest,
leaders the app: no mail at once for a comment), and with 20 of them
choosing mail "at once" for comments (20 mails queued per comment). Comments are posted over HTTP
(the Flask test client, as the page posts them with htmx) to the two cards in
turn, by a leader who follows neither; the script prints the median and p95
of each, the difference (what the fan-out adds: 200 notification rows in one
INSERT ... SELECT, 20 mails queued in the outbox), checks that nothing was
sent (the outbox holds the mails as pending; SMTP is not even configured),
and the machine's load average, since the figures depend on it.

    .venv/bin/python bench/notify_fanout.py
    .venv/bin/python bench/notify_fanout.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import sqlalchemy as sa
from _setup import FreshDatabase, fill_board

from board.auth.sessions import start_login_session
from board.extensions import db
from board.mail.models import OutboxMessage
from board.models import Initiative, Membership, User
from board.notifications.models import Follow, Notification, NotificationSetting

FOLLOWERS = 200
LEADERS = 50
ROUNDS = 40


def build(app, instant: int):
    with app.app_context():
        board, author = fill_board(2, comments_every=10_000)
        quiet, busy = db.session.scalars(
            sa.select(Initiative).where(Initiative.board_id == board.id).order_by(Initiative.id)
        ).all()
        users = [
            dict(email=f"f{i}@bench.test", name=f"Følger {i}", password_hash="")
            for i in range(FOLLOWERS)
        ]
        db.session.execute(sa.insert(User), users)
        ids = db.session.scalars(
            sa.select(User.id).where(User.email.like("f%@bench.test")).order_by(User.id)
        ).all()
        db.session.execute(
            sa.insert(Membership),
            [
                dict(user_id=uid, board_id=board.id, role="leder" if i < LEADERS else "med")
                for i, uid in enumerate(ids)
            ],
        )
        db.session.execute(
            sa.insert(Follow),
            [
                dict(user_id=uid, initiative_id=busy.id, following=True, reason="chosen")
                for uid in ids
            ],
        )
        if instant:
            db.session.execute(
                sa.insert(NotificationSetting),
                [
                    dict(user_id=uid, category="comment", delivery="instant")
                    for uid in ids[:instant]
                ],
            )
        session_id = start_login_session(author)
        db.session.commit()
        return board.id, quiet.id, busy.id, session_id


def run(db_url: str | None, instant: int) -> None:
    fresh = FreshDatabase(db_url)
    try:
        app = fresh.make_app(WTF_CSRF_ENABLED=False, PUBLIC_BASE_URL="https://tavle.bench")
        board_id, quiet_id, busy_id, session_id = build(app, instant)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        times: dict[int, list[float]] = {quiet_id: [], busy_id: []}
        for n in range(ROUNDS + 3):
            for card_id in (quiet_id, busy_id):
                started = time.perf_counter()
                answer = client.post(
                    f"/boards/{board_id}/initiatives/{card_id}/comments",
                    data={"body": f"Kommentar nummer {n} om fremdriften"},
                    headers={"HX-Request": "true"},
                )
                elapsed = time.perf_counter() - started
                assert answer.status_code == 200, answer.status_code
                if n >= 3:  # the first rounds warm caches and connections
                    times[card_id].append(elapsed * 1000)
        with app.app_context():
            notes = db.session.scalar(sa.select(sa.func.count(Notification.id)))
            pending = db.session.scalar(
                sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.state == "pending")
            )
            sent = db.session.scalar(
                sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.state == "sent")
            )
            db.engine.dispose()
        quiet, busy = sorted(times[quiet_id]), sorted(times[busy_id])
        q_median, b_median = statistics.median(quiet), statistics.median(busy)

        def p95(values):
            return values[int(len(values) * 0.95) - 1]

        name = "PostgreSQL" if db_url else "SQLite"
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{name}, {instant} of {FOLLOWERS} followers with mail at once: "
            f"comment request, {ROUNDS} each, load average {load}"
        )
        print(f"  no followers:   median {q_median:6.1f} ms  p95 {p95(quiet):6.1f} ms")
        print(f"  {FOLLOWERS} followers:  median {b_median:6.1f} ms  p95 {p95(busy):6.1f} ms")
        print(f"  added by the fan-out: median {b_median - q_median:+.1f} ms")
        print(
            f"  notification rows: {notes}, mails queued (pending): {pending}, sent inline: {sent}"
        )
    finally:
        fresh.drop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a fresh database is made)")
    args = parser.parse_args()
    for instant in (0, 20):
        run(args.postgres, instant)
