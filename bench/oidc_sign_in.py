"""Sign-in with the organisation: the cost of the callback.

Starts the tests' OpenID Connect provider (its own process on 127.0.0.1),
and for a person in 1, 10 and 100 groups, each mapped to a role on a board
of its own, prints: the SQL statements of the first sign-in (roles created)
and of a repeat sign-in (nothing changes), and the median wall time of the
callback (code exchange over HTTP, id_token check against the cached JWKS,
user and roles) over repeated sign-ins.

    .venv/bin/python bench/oidc_sign_in.py
    .venv/bin/python bench/oidc_sign_in.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _setup import FreshDatabase

from board.extensions import db
from board.models import Board, GroupRoleMapping
from board.query_counter import count_queries
from tests.oidc_helpers import (
    ProviderProcess,
    app_path,
    oidc_settings,
    provider_login,
    start_flow,
)

GROUP_COUNTS = (1, 10, 100)
REPEATS = 15


def callback(app, provider_user: str):
    """One whole sign-in; returns (statements, seconds) of the callback."""
    client = app.test_client()
    url = provider_login(start_flow(client), provider_user)
    with app.app_context():
        with count_queries(db.engine) as counter:
            started = time.perf_counter()
            response = client.get(app_path(url))
            elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    return counter.count, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the provider serves http
    provider = ProviderProcess().start()
    database = FreshDatabase(args.postgres)
    try:
        provider.reset()
        app = database.make_app(**oidc_settings(provider))
        print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}")
        print("groups  first sign-in SQL  repeat sign-in SQL  callback median ms")
        for n in GROUP_COUNTS:
            groups = [f"gruppe-{n}-{i}" for i in range(n)]
            with app.app_context():
                for group in groups:
                    board = Board(title=f"Tavle for {group}")
                    db.session.add(board)
                    db.session.flush()
                    db.session.add(GroupRoleMapping(group=group, board_id=board.id, role="med"))
                db.session.commit()
            user = f"person-{n}"
            provider.add_user(user, email=f"{user}@norddjurs.dk", name=user, groups=groups)
            first, _ = callback(app, user)
            repeats = [callback(app, user) for _ in range(REPEATS)]
            again = repeats[-1][0]
            median_ms = statistics.median(seconds for _, seconds in repeats) * 1000
            print(f"{n:>6}  {first:>17}  {again:>18}  {median_ms:>18.1f}")
    finally:
        provider.stop()
        database.drop()


if __name__ == "__main__":
    main()
