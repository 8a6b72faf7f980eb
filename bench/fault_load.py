"""Moves under load with faults: nothing lost, nothing made up, no bare 500.

The move load of `move_load.py` (its server, clients and board set-up), with
50 clients and two faults in the middle of the run:

* a `kill -9` of one gunicorn worker (its in-flight requests die with it;
  the master starts a new worker);
* the database going away: on PostgreSQL the bench's own database refuses
  new connections and every connection to it is terminated
  (`pg_terminate_backend`), for `--outage` seconds, which is what a restart
  looks like to the app without restarting a cluster others may be using
  (`--restart-cluster` restarts the local cluster instead). SQLite has no
  server to restart: there only the worker is killed.

Each client moves only its own cards, as moves.js does: a 200 is saved, a
409 a conflict; anything else (a 5xx, a dropped connection) is an unknown
outcome, and the client asks the server what happened, re-reading both
columns from the live parts (`stage=`), retrying until the server answers,
and counts the move as saved if the card is in the target column with the
next version. Since nobody else moves its cards, that answer is exact.

Printed: moves answered 200, 409s, unknown outcomes and how the re-check
resolved them (saved / not saved), 503s with Retry-After, bare 500s
(a 5xx that is not the app's Danish page or notice), and the check against
the Event log:

* lost: moves reported saved (200, or saved by the re-check) without their
  `initiative.moved` Event;
* phantom: Events of moves not reported saved (a saved move that the page
  would have called unsaved);
* every card's version - 1 equals its number of moves; positions dense.

    .venv/bin/python bench/fault_load.py        # PostgreSQL on 127.0.0.1:5432, then SQLite
    .venv/bin/python bench/fault_load.py --no-sqlite --seconds 30
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import sqlalchemy as sa
from _setup import FreshDatabase
from move_load import (
    DEFAULT_POSTGRES,
    STAGES,
    Server,
    parse_board,
    setup,
    signed_in_clients,
    verify,
)

from board.config import normalize_database_url
from board.extensions import db
from board.models import Event

COLUMN_RE = re.compile(r'hx-swap-oob="innerHTML:#column-(\w+) \.card-list"')
CARD_RE = re.compile(r'<li class="card[^"]*" id="card-(\d+)"[^>]*data-version="(\d+)"')


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()
        self.saved: collections.Counter = collections.Counter()  # (card, to) reported saved
        self.bare: list[str] = []

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n


def is_danish_answer(text: str) -> bool:
    """The app's own error answer: its page (lang="da") or its notice."""
    return 'lang="da"' in text or "data-status=" in text


def card_where(text: str, card_id: int):
    """(stage, version) of `card_id` in a live parts answer with columns."""
    marks = [(m.start(), m.group(1)) for m in COLUMN_RE.finditer(text)]
    for m in CARD_RE.finditer(text):
        if int(m.group(1)) == card_id:
            stage = next((s for start, s in reversed(marks) if start < m.start()), None)
            return stage, int(m.group(2))
    return None, None


def recheck(client, board_id, card_id, from_stage, to_stage, tally, deadline):
    """Ask the server where the card is now, as moves.js does; retry until it
    answers. Returns (stage, version)."""
    path = f"/boards/{board_id}/live/parts?stage={from_stage}&stage={to_stage}"
    delay = 0.2
    while time.time() < deadline:
        try:
            status, text = client.request("GET", path, headers={"HX-Request": "true"})
        except Exception:  # noqa: BLE001 - the worker died or the server restarts
            tally.add("recheck retries")
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
            continue
        if status == 200:
            return card_where(text, card_id)
        if status >= 500 and not is_danish_answer(text):
            with tally.lock:
                tally.bare.append(f"GET parts {status}: {text[:80]!r}")
        tally.add("recheck retries")
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
    return None, None


def run_client(client, board_id, own, page, tally, deadline, seed, think):
    rng = random.Random(seed)
    known, counts = parse_board(page)
    headers = {"X-CSRFToken": client.csrf, "HX-Request": "true"}
    while time.time() < deadline:
        card_id = rng.choice(own)
        stage, version = known[card_id]
        target = rng.choice([s for s in STAGES if s != stage])
        position = rng.randint(0, max(0, counts.get(target, 0) - 20))
        form = {"stage": target, "position": position, "version": version, "from_stage": stage}
        try:
            status, text = client.request(
                "POST", f"/boards/{board_id}/initiatives/{card_id}/move", form, headers
            )
        except Exception:  # noqa: BLE001 - the answer was lost: unknown outcome
            status, text = None, ""
        if status == 200:
            tally.add("200")
            with tally.lock:
                tally.saved[(card_id, target)] += 1
            known[card_id] = [target, version + 1]
            counts.update(parse_board(text)[1])
        elif status == 409:
            tally.add("409")
            fresh, fresh_counts = parse_board(text)
            counts.update(fresh_counts)
            for other_id, (other_stage, other_version) in fresh.items():
                known[other_id] = [other_stage or known[other_id][0], other_version]
        elif status is not None and 400 <= status < 500:
            tally.add(f"HTTP {status}")
        else:
            tally.add("unknown outcomes")
            if status is not None:
                tally.add(f"HTTP {status}")
                if status == 503 and client.last_headers.get("Retry-After"):
                    tally.add("503 with Retry-After")
                if not is_danish_answer(text):
                    with tally.lock:
                        tally.bare.append(f"POST move {status}: {text[:80]!r}")
            now_stage, now_version = recheck(
                client, board_id, card_id, stage, target, tally, deadline + 60
            )
            if now_stage == target and now_version == version + 1:
                tally.add("re-check: saved")
                with tally.lock:
                    tally.saved[(card_id, target)] += 1
                known[card_id] = [target, now_version]
            elif now_stage is not None:
                tally.add("re-check: not saved")
                known[card_id] = [now_stage, now_version]
            else:
                tally.add("re-check: no answer")
        if think:
            time.sleep(rng.uniform(0.5, 1.5) * think)


def worker_pids(master_pid: int) -> list[int]:
    try:
        with open(f"/proc/{master_pid}/task/{master_pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def database_outage(url: str, seconds: float, restart_cluster: bool) -> str:
    if restart_cluster:
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
        )
        return "cluster restarted"
    target = sa.engine.make_url(normalize_database_url(url))
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{target.database}" ALLOW_CONNECTIONS false')
            ended = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = :name"
                ),
                {"name": target.database},
            ).scalar()
            time.sleep(seconds)  # the database is away this long
            conn.exec_driver_sql(f'ALTER DATABASE "{target.database}" ALLOW_CONNECTIONS true')
    finally:
        engine.dispose()
    return f"{ended} connections terminated, refused for {seconds:g} s"


def phantoms_and_lost(app, board_id, tally) -> tuple[int, int]:
    with app.app_context():
        events = db.session.execute(
            sa.select(Event.initiative_id, Event.payload).where(
                Event.board_id == board_id, Event.kind == "initiative.moved"
            )
        ).all()
    recorded = collections.Counter((e.initiative_id, e.payload["to_stage"]) for e in events)
    lost = sum((tally.saved - recorded).values())
    phantom = sum((recorded - tally.saved).values())
    return lost, phantom


def run(kind, database, args):
    app = database.make_app()
    [(size, board_id)], emails = setup(app, [args.cards], args.clients)
    server = Server(database.url)
    try:
        ids, clients, pages = signed_in_clients(app, server, board_id, emails)
        tally = Tally()
        start = time.time()
        deadline = start + args.seconds
        threads = [
            threading.Thread(
                target=run_client,
                args=(c, board_id, ids[i :: args.clients], pages[i], tally, deadline, i),
                kwargs={"think": args.think},
            )
            for i, c in enumerate(clients)
        ]
        for t in threads:
            t.start()
        faults = []
        time.sleep(args.seconds / 3)
        workers = worker_pids(server.process.pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            faults.append(f"kill -9 worker {workers[0]} at {time.time() - start:.1f} s")
        if database.admin_engine is not None:
            time.sleep(max(0.0, start + 2 * args.seconds / 3 - time.time()))
            at = time.time() - start
            faults.append(
                f"database away at {at:.1f} s: "
                + database_outage(database.url, args.outage, args.restart_cluster)
            )
        for t in threads:
            t.join()
        problems = verify(app, board_id, _Applied(tally.saved))
        lost, phantom = phantoms_and_lost(app, board_id, tally)
        log = server.error_log()
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
    c = tally.counts
    print(f"\n{kind}: {args.clients} clients, {size} cards, {args.seconds:g} s")
    for fault in faults:
        print(f"  fault: {fault}")
    print(
        f"  answers 200: {c['200']}, 409: {c['409']}, 503: {c['HTTP 503']}, "
        f"other 5xx: {sum(v for k, v in c.items() if k.startswith('HTTP 5') and k != 'HTTP 503')}, "
        f"unknown outcomes (5xx or connection lost): {c['unknown outcomes']}"
    )
    print(
        f"  re-check: saved {c['re-check: saved']}, not saved {c['re-check: not saved']}, "
        f"no answer {c['re-check: no answer']} (retries {c['recheck retries']})"
    )
    print(f"  lost moves: {lost}   phantom moves: {phantom}   bare 500s: {len(tally.bare)}")
    print(
        f"  503s with Retry-After: {c['503 with Retry-After']} of {c['HTTP 503']}; server log: "
        f"{log.count('database unavailable')} one-line database failures, "
        f"{log.count('Traceback')} tracebacks"
    )
    reported = c["re-check: saved"] + c["re-check: not saved"]
    print(
        f"  every unknown outcome resolved by the re-check: "
        f"{'yes' if reported == c['unknown outcomes'] else 'NO'}; "
        f"log check: {'OK' if not problems else '; '.join(problems)}"
    )
    for line in tally.bare[:5]:
        print(f"    bare: {line}")
    ok = (
        lost == 0
        and phantom == 0
        and not tally.bare
        and not problems
        and reported == c["unknown outcomes"]
        and c["503 with Retry-After"] == c["HTTP 503"]
    )
    return ok


class _Applied:
    """What `move_load.verify` reads: the (card, column) of the saved moves."""

    def __init__(self, saved):
        self.applied = saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cards", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=24)
    parser.add_argument("--think", type=float, default=0.3, help="mean pause between moves (s)")
    parser.add_argument("--outage", type=float, default=2.0, help="seconds the database is away")
    parser.add_argument(
        "--restart-cluster",
        action="store_true",
        help="restart the local PostgreSQL cluster instead (disturbs everyone using it)",
    )
    args = parser.parse_args()
    print(
        f"Moves with faults: {args.clients} clients, gunicorn gthread "
        f"{os.environ.get('GUNICORN_WORKERS', '2')} workers, {os.cpu_count()} CPUs"
    )
    runs = []
    if not args.no_postgres:
        runs.append(("PostgreSQL", args.postgres))
    if not args.no_sqlite:
        runs.append(("SQLite", None))
    ok = True
    for kind, url in runs:
        database = FreshDatabase(url)
        try:
            ok = run(kind, database, args) and ok
        finally:
            database.drop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
