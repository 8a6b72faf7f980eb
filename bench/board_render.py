"""Board page render benchmark.

Fills a fresh database with boards of 50, 500, 2,000 and 5,000 tiltag,
renders the board page repeatedly through the app (server time, no network)
and prints, per size: median and p95 render time, page size, bytes per card,
and SQL queries per render. The query count must not grow with the cards.

Then the same for the search (`?q=`), as the search box asks for it (the
htmx answer with the columns only): a word in every card's title
("arbejdsgange"), a word only in the comments (one card in five), and a word
in no card. On PostgreSQL it also prints the plan of the search query at the
largest size (which index it uses, and its time).

    .venv/bin/python bench/board_render.py                  # SQLite
    .venv/bin/python bench/board_render.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import statistics
import time

import sqlalchemy as sa
from _setup import FreshDatabase, fill_board

from board.auth.sessions import start_login_session
from board.extensions import db
from board.query_counter import count_queries

SIZES = (50, 500, 2000, 5000)
# (label, query string, cards expected: a share of the size)
SEARCHES = (
    ("q=arbejdsgange", "?q=arbejdsgange", 1.0),
    ("q=kommentar", "?q=kommentar", 0.2),
    ("q=ingenting", "?q=ingenting", 0.0),
)
COLUMNS_ONLY = {"HX-Request": "true", "HX-Target": "columns"}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def print_search_plan(board_id: int) -> None:
    """EXPLAIN ANALYZE of the search query (PostgreSQL), abridged: the scan
    nodes and the execution time."""
    from board.boards import search

    terms = search.search_terms("kommentar")
    query = " & ".join(f"'{t}':*" for t in terms)
    sql = (
        "EXPLAIN ANALYZE SELECT id FROM initiatives WHERE board_id = :board "
        f"AND {search.CARD_DOCUMENT} @@ to_tsquery('danish'::regconfig, :query) "
        "UNION SELECT c.initiative_id FROM comments c JOIN initiatives i ON i.id = c.initiative_id "
        "WHERE i.board_id = :board AND c.deleted_at IS NULL AND c.redacted_at IS NULL "
        f"AND {search.COMMENT_DOCUMENT.replace('body', 'c.body')} "
        "@@ to_tsquery('danish'::regconfig, :query)"
    )
    plan = [row[0] for row in db.session.execute(sa.text(sql), {"board": board_id, "query": query})]
    print("Search query plan (q=kommentar, largest board):")
    for line in plan:
        if "Scan" in line or "Execution Time" in line:
            print("  " + line.strip())


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
            f"{'cards':>6} {'page':<15} {'median ms':>10} {'p95 ms':>8} {'page KiB':>9} "
            f"{'B/card':>7} {'queries':>8} {'shown':>6}"
        )
        for size in (int(s) for s in args.sizes.split(",")):
            with app.app_context():
                board, user = fill_board(size)
                board_id, session_id = board.id, start_login_session(user)
                db.session.commit()
                if args.postgres:
                    # Planner statistics for the bulk-inserted rows, as
                    # autovacuum would gather them on a live database; without
                    # them PostgreSQL guesses a board has a dozen cards and
                    # reads them all instead of the search index.
                    db.session.execute(sa.text("ANALYZE initiatives"))
                    db.session.execute(sa.text("ANALYZE comments"))
                    db.session.commit()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
            url = f"/boards/{board_id}"
            repeat = args.repeat or max(10, min(60, 30_000 // size))
            pages = [("board", url, {}, 1.0)] + [
                (label, url + query, COLUMNS_ONLY, share) for label, query, share in SEARCHES
            ]
            for label, page_url, headers, share in pages:
                client.get(page_url, headers=headers)  # warm-up (templates, caches)
                times, queries = [], set()
                for _ in range(repeat):
                    with app.app_context(), count_queries(db.engine) as counter:
                        start = time.perf_counter()
                        response = client.get(page_url, headers=headers)
                        times.append((time.perf_counter() - start) * 1000)
                    queries.add(counter.count)
                    assert response.status_code == 200
                body = response.get_data()
                cards = body.count(b"data-initiative-id=")
                assert cards == round(size * share), (label, cards, size)
                print(
                    f"{size:>6} {label:<15} {statistics.median(times):>10.1f} "
                    f"{percentile(times, 95):>8.1f} {len(body) / 1024:>9.1f} "
                    f"{len(body) // max(cards, 1):>7} "
                    f"{'/'.join(map(str, sorted(queries))):>8} {cards:>6}"
                )
        if args.postgres:
            with app.app_context():
                print_search_plan(board_id)
    finally:
        database.drop()


if __name__ == "__main__":
    main()
