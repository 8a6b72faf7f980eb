"""Board page render benchmark.

Fills a fresh database with boards of 50, 500, 2,000 and 5,000 tiltag,
renders the board page repeatedly through the app (server time, no network)
and prints, per size: median and p95 render time, page size, bytes per card,
and SQL queries per render. The query count must not grow with the cards.

    .venv/bin/python bench/board_render.py                  # SQLite
    .venv/bin/python bench/board_render.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import statistics
import time

from _setup import FreshDatabase, fill_board

from board.auth.sessions import start_login_session
from board.extensions import db
from board.query_counter import count_queries

SIZES = (50, 500, 2000, 5000)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", help="PostgreSQL server URL (a database is created and dropped)"
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeat", type=int, default=0, help="renders per size (default: by size)")
    args = parser.parse_args()

    database = FreshDatabase(args.postgres)
    try:
        app = database.make_app(WTF_CSRF_ENABLED=False)
        kind = "PostgreSQL" if args.postgres else "SQLite"
        print(f"Board page render, {kind}, server time through the app (no network)")
        print(
            f"{'cards':>6} {'median ms':>10} {'p95 ms':>8} {'page KiB':>9} "
            f"{'B/card':>7} {'queries':>8}"
        )
        for size in (int(s) for s in args.sizes.split(",")):
            with app.app_context():
                board, user = fill_board(size)
                board_id, session_id = board.id, start_login_session(user)
                db.session.commit()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
            url = f"/boards/{board_id}"
            client.get(url)  # warm-up (templates compiled, caches filled)
            repeat = args.repeat or max(10, min(60, 30_000 // size))
            times, queries = [], set()
            for _ in range(repeat):
                with app.app_context(), count_queries(db.engine) as counter:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                queries.add(counter.count)
                assert response.status_code == 200
            body = response.get_data()
            cards = body.count(b"data-initiative-id=")
            assert cards == size, (cards, size)
            print(
                f"{size:>6} {statistics.median(times):>10.1f} {percentile(times, 95):>8.1f} "
                f"{len(body) / 1024:>9.1f} {len(body) // size:>7} "
                f"{'/'.join(map(str, sorted(queries))):>8}"
            )
    finally:
        database.drop()


if __name__ == "__main__":
    main()
