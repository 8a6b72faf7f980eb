"""Board page render benchmark.

Fills a fresh database with boards of 50, 500, 2,000 and 5,000 tiltag,
renders the board page repeatedly through the app (server time, no network)
and prints, per size: median and p95 render time, page size, bytes per card,
and SQL queries per render. The query count must not grow with the cards.

It also times the floor: a bare Jinja loop (no macros, no app) that emits,
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

from _setup import FreshDatabase, fill_board
from flask import template_rendered
from jinja2 import Environment

from board.auth.sessions import start_login_session
from board.extensions import db
from board.query_counter import count_queries

SIZES = (50, 500, 2000, 5000)

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
            f"{'B/card':>7} {'queries':>8} {'floor ms':>9} {'page/floor':>11} {'cold ms':>8}"
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
            client.get(url)  # templates compiled
            app.extensions.pop("tiltag_card_cache", None)
            start = time.perf_counter()
            client.get(url)  # no card rendered yet: the first load after a start
            cold = (time.perf_counter() - start) * 1000
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
            card_bytes = sum(len(m) for m in CARD_MARKUP.findall(body)) / size
            floor, _ = floor_ms(page_cards(app, client, url), card_bytes, repeat)
            median = statistics.median(times)
            print(
                f"{size:>6} {median:>10.1f} {percentile(times, 95):>8.1f} "
                f"{len(body) / 1024:>9.1f} {len(body) // size:>7} "
                f"{'/'.join(map(str, sorted(queries))):>8} {floor:>9.1f} "
                f"{median / floor:>10.2f}x {cold:>8.1f}"
            )
    finally:
        database.drop()


if __name__ == "__main__":
    main()
