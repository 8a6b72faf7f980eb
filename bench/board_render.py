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

For the board page it also times the floor: a bare Jinja loop (no macros, no app) that emits,
for each card of the same board, the same bytes as the page's card markup
with the same substitutions (every value the card shows, escaped), and
prints the page's median over the floor's. Cards are rendered once per
state and kept (board/boards/card_cache.py), so the repeated loads are the
usual case; "cold ms" is one load with no card rendered yet (the first after
a server start, or after every card changed). The page can't beat the floor by
much: what lies above it is the card macros, building the card summaries,
the SQL and the rest of the page.

    .venv/bin/python bench/board_render.py                  # SQLite
    .venv/bin/python bench/board_render.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

import sqlalchemy as sa
from _setup import FreshDatabase, fill_board
from flask import template_rendered
from jinja2 import Environment

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

# The card markup of the board page, written out as one literal loop: the
# same substitutions as templates/boards/_card_macros.html and
# moves/_card_controls.html for a leader; PAD makes each card as many bytes
# as the page's own cards.
FLOOR_CARD = (
    '<li class="card theme-c{{ c.colour }}" id="card-{{ c.id }}" data-initiative-id="{{ c.id }}"'
    ' data-theme-id="{{ c.theme_id }}" data-version="{{ c.version }}"'
    ' data-position="{{ c.position }}"><div class="card-meta"><span class="card-theme">'
    '{{ c.theme_title }}</span><span class="card-objective" title="{{ c.objective_label }}">'
    '{{ c.objective_number }}</span></div><h3 class="card-title"><a href="{{ url }}{{ c.id }}"'
    ' hx-get="{{ url }}{{ c.id }}" hx-target="#card-dialog-body">{{ c.title }}</a></h3>'
    '<p class="card-status">{{ c.status_first_line }}</p><p class="card-owner">{{ c.owner_name }}'
    '</p><p class="card-comments">{{ c.comment_count }} kommentarer</p><div class="move-controls">'
    '<button type="button" class="move-toggle" aria-expanded="false"'
    ' data-move-url="{{ url }}{{ c.id }}/move">Flyt<span class="visually-hidden"> {{ c.title }}'
    "</span></button></div>{{ pad }}</li>"
)
CARD_MARKUP = re.compile(rb'<li class="card .*?</li>', re.S)


def page_cards(app, client, url) -> list:
    """The card summaries the board page rendered (from its template context)."""
    seen = []

    def record(sender, template, context, **extra):
        view = context.get("view")
        if template.name == "boards/show.html" and view is not None:
            seen.extend(card for cards in view.columns.values() for card in cards)

    with template_rendered.connected_to(record, app):
        client.get(url)
    return seen


def floor_ms(cards, card_bytes: float, repeat: int) -> tuple[float, float]:
    """(median ms, bytes per card) of the bare loop over `cards`."""
    env = Environment(autoescape=True)
    probe = env.from_string("{% for c in cards %}" + FLOOR_CARD + "{% endfor %}")
    url = "/boards/1/initiatives/"
    unpadded = len(probe.render(cards=cards, url=url, pad="").encode()) / len(cards)
    pad = "x" * max(0, round(card_bytes - unpadded))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = probe.render(cards=cards, url=url, pad=pad)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(out.encode()) / len(cards)


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
            f"{'B/card':>7} {'queries':>8} {'shown':>6} {'floor ms':>9} {'page/floor':>11} "
            f"{'cold ms':>8}"
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
            client.get(url)  # templates compiled
            app.extensions.pop("tiltag_card_cache", None)
            start = time.perf_counter()
            client.get(url)  # no card rendered yet: the first load after a start
            cold = (time.perf_counter() - start) * 1000
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
                median = statistics.median(times)
                floor_columns = ""
                if label == "board":
                    card_bytes = sum(len(m) for m in CARD_MARKUP.findall(body)) / size
                    floor, _ = floor_ms(page_cards(app, client, url), card_bytes, repeat)
                    floor_columns = f" {floor:>9.1f} {median / floor:>10.2f}x {cold:>8.1f}"
                print(
                    f"{size:>6} {label:<15} {median:>10.1f} "
                    f"{percentile(times, 95):>8.1f} {len(body) / 1024:>9.1f} "
                    f"{len(body) // max(cards, 1):>7} "
                    f"{'/'.join(map(str, sorted(queries))):>8} {cards:>6}{floor_columns}"
                )
        if args.postgres:
            with app.app_context():
                print_search_plan(board_id)
    finally:
        database.drop()


if __name__ == "__main__":
    main()
