"""Where a move's time goes: one client, no contention, in-process.

Builds a board of N tiltag in a fresh database, signs a leader in and moves
cards one after the other through the app's test client (the whole request:
session, access, the move, the Event, the commit, the rendered answer; no
network and no gunicorn). Prints the CPU ms per move, the SQL statements per
move (and which), and cProfile's top functions by cumulative and by own time.

This is the profile behind bench/move_load.py's figures: under contention a
move waits for the ones before it, so its latency is at least the CPU of the
moves queued ahead of it.

    .venv/bin/python bench/move_profile.py [--cards 60] [--moves 300]
    .venv/bin/python bench/move_profile.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import gc
import io
import os
import pstats
import random
import re
import time

import sqlalchemy as sa
from _setup import FreshDatabase, fill_board

from board.auth.sessions import start_login_session
from board.extensions import db
from board.models import STAGES, Initiative
from board.query_counter import count_queries


def card_states(app, board_id):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Initiative.id, Initiative.stage, Initiative.version).where(
                Initiative.board_id == board_id
            )
        ).all()
    return {r.id: [str(r.stage), r.version] for r in rows}


def moves(client, board_id, known, n, rng, times=None):
    """`n` moves of random cards to another column's top, as a client would;
    each move's wall ms appended to `times`."""
    headers = {"HX-Request": "true"}
    for _ in range(n):
        start = time.perf_counter()
        card_id = rng.choice(list(known))
        stage, version = known[card_id]
        target = rng.choice([str(s) for s in STAGES if str(s) != stage])
        answer = client.post(
            f"/boards/{board_id}/initiatives/{card_id}/move",
            data={"stage": target, "position": 0, "version": version, "from_stage": stage},
            headers=headers,
        )
        if answer.status_code != 200:
            raise SystemExit(f"move answered {answer.status_code}: {answer.text[:300]}")
        known[card_id] = [target, version + 1]
        if times is not None:
            times.append((time.perf_counter() - start) * 1000)


class GcPauses:
    """The garbage collector's pauses while active, per generation."""

    def __init__(self):
        self.pauses = collections.defaultdict(list)
        self._start = 0.0

    def _callback(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._start) * 1000)

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        return ", ".join(
            f"gen{gen} {len(ms)}x max {max(ms):.1f} ms" for gen, ms in sorted(self.pauses.items())
        )


def timed_moves(client, board_id, known, n, rng):
    """CPU and wall ms per move, the moves' wall ms sorted, the GC's pauses."""
    times = []
    with GcPauses() as pauses:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        moves(client, board_id, known, n, rng, times)
        cpu = (time.process_time() - cpu0) * 1000 / n
        wall = (time.perf_counter() - wall0) * 1000 / n
    return cpu, wall, sorted(times), pauses


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL")
    parser.add_argument("--cards", type=int, default=60)
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    database = FreshDatabase(args.postgres)
    try:
        app = database.make_app(WTF_CSRF_ENABLED=False)
        with app.app_context():
            board, user = fill_board(args.cards)
            board_id, session_id = board.id, start_login_session(user)
            db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
        client.get(f"/boards/{board_id}")
        known = card_states(app, board_id)
        rng = random.Random(1)
        moves(client, board_id, known, 20, rng)  # warm-up: templates, statement caches

        with app.app_context():
            engine = db.engine
        with count_queries(engine) as counter:
            moves(client, board_id, known, 10, rng)
        shapes = collections.Counter(
            re.sub(r"\s+", " ", s.strip())[:110] for s in counter.statements
        )

        cpu, wall, times, pauses = timed_moves(client, board_id, known, args.moves, rng)
        # As gunicorn.conf.py does in each worker once the app is loaded.
        gc.freeze()
        frozen = timed_moves(client, board_id, known, args.moves, rng)
        gc.unfreeze()

        profile = cProfile.Profile()
        profile.enable()
        moves(client, board_id, known, args.moves, rng)
        profile.disable()

        kind = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"One move at a time, {kind}, {args.cards} cards, {args.moves} moves, "
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print(
            f"per move: {cpu:.2f} ms CPU, {wall:.2f} ms wall (this process; the database "
            f"server's own CPU not counted on PostgreSQL)"
        )
        for label, (_, _, ms, gc_pauses) in (
            ("", (cpu, wall, times, pauses)),
            (" after gc.freeze()", frozen),
        ):
            print(
                f"wall ms per move{label}: p50 {ms[len(ms) // 2]:.1f}, "
                f"p95 {ms[int(len(ms) * 0.95)]:.1f}, max {ms[-1]:.1f}; "
                f"GC pauses: {gc_pauses.summary()}"
            )
        print(f"SQL statements per move: {counter.count / 10:.1f}")
        for shape, count in shapes.most_common():
            print(f"  {count / 10:4.1f}  {shape}")
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats(order).print_stats(args.top)
            print(f"\n--- cProfile by {order} ({args.moves} moves) ---")
            text = out.getvalue()
            print(text.split("\n\n", 2)[-1] if "ncalls" in text else text)
    finally:
        database.drop()


if __name__ == "__main__":
    main()
