"""Concurrent moves against a real server, and a check that none was lost.

For each database (a fresh SQLite file; then a fresh PostgreSQL database,
created and dropped here) this starts the app as in production
(`gunicorn -c gunicorn.conf.py wsgi:app` on a free 127.0.0.1 port, with
DATABASE_URL pointing at that database), fills boards of 60 and 2,000
tiltag, and lets 20 client threads (`--clients`), each signed in as its own leader with a
keep-alive HTTP connection and the CSRF token from the board page, move cards
between columns for a bounded time.

Each client moves its own share of the cards (so most moves are real), and
now and then a card of anyone (so some carry a version another client has
already changed: the server answers 409, which is an expected conflict, not
an error; the client takes the card's fresh version from the answer).
Positions are random within what the client last saw of the target column.

Before each board's moves the same clients GET `/healthz` without pause
for `--healthz` seconds: the trivial baseline (no session, no template, one
`SELECT 1`), i.e. what any request costs on this machine at this moment.

The first `--warmup` seconds of moves are not timed (they are checked):
each worker compiles the move's templates and statements on its first
moves, once in its life, which would otherwise be the p95 of a short run.

Printed per run: moves/s (answers 200), client-side p50/p95 latency, the
server's own time per move from gunicorn's access log (%(D)s), how long each
move held the board's lock (p50/p95), the CPU time its thread used while
holding it, and its wait for the lock (p95), from the server's
`Server-Timing` header (SERVER_TIMING=1, board/lock_timing.py), 409s,
errors (anything else, and exceptions), the 1-minute load average (the
machine may be shared), and the check:

* the number of `initiative.moved` Events equals the number of 200 answers,
  and the multiset of (card, to-column) of the Events equals that of the 200
  answers: no move lost, none applied without a 200;
* every card's version - 1 equals its number of moves;
* every column's positions are dense (0..n-1) and each card sits in the
  column of its last move.

    .venv/bin/python bench/move_load.py
    .venv/bin/python bench/move_load.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/move_load.py --no-sqlite --sizes 2000 --seconds 5
    .venv/bin/python bench/move_load.py --think 1   # people, not a flood
    .venv/bin/python bench/move_load.py --clients 10 --seconds 10  # issue 17's flood

By default the clients move without pause: a flood that measures
throughput and shows the queueing behind the per-board lock. `--think T`
makes each client pause 0.5-1.5 x T seconds between its moves, like 20
people in a meeting; that is the load the DESIGN's "p95 under 25 ms with 20
concurrent users" is about.
"""

from __future__ import annotations

import argparse
import collections
import html
import http.client
import os
import random
import re
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import sqlalchemy as sa
from _setup import FreshDatabase, fill_board

from board.auth.passwords import hash_password
from board.extensions import db
from board.models import Event, Initiative, Membership, User

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("ikke_ivaerksat", "planlagt", "igangsat", "afsluttet")
PASSWORD = "bench-adgangskode-1"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

CARD_RE = re.compile(r'<li class="card[^"]*" id="card-(\d+)"[^>]*data-version="(\d+)"')
COUNT_RE = re.compile(r'id="count-(\w+)"[^>]*>(\d+)<')
SECTION_RE = re.compile(r'<section class="column[^"]*" id="column-(\w+)"')


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the server ------------------------------------------------------------------


class Server:
    """gunicorn as in production (gunicorn.conf.py), on a free port, with an
    access log that records each request's own time in microseconds."""

    def __init__(self, database_url: str):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="tiltag-access-", suffix=".log", delete=False)
        # The error log goes to a file: a pipe nobody reads would stall the
        # server once it fills (a fault run logs a line per failure).
        self.errors = tempfile.TemporaryFile()
        env = dict(
            os.environ,
            DATABASE_URL=database_url,
            SECRET_KEY="bench-secret-" + "x" * 40,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_ACCESSLOG=self.log.name,
            SERVER_TIMING="1",  # lock wait / held / CPU per request (board/lock_timing.py)
        )
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start: " + self.error_log()[-2000:])

    def error_log(self) -> str:
        self.errors.seek(0)
        return self.errors.read().decode("utf-8", "replace")

    def move_times_ms(self, since: int) -> tuple[list[float], int]:
        """Server time (ms) of the move requests logged after byte `since`."""
        with open(self.log.name, "rb") as f:
            f.seek(since)
            lines = f.read().decode("utf-8", "replace").splitlines()
        times = []
        for line in lines:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "POST" and parts[1].endswith("/move"):
                times.append(int(parts[3]) / 1000)
        return times, os.path.getsize(self.log.name)

    def log_size(self) -> int:
        return os.path.getsize(self.log.name)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        os.unlink(self.log.name)


# --- a client ----------------------------------------------------------------------


class Client:
    """One leader with a keep-alive connection and the session cookie."""

    def __init__(self, port: int, email: str):
        self.port = port
        self.email = email
        self.cookies: dict[str, str] = {}
        self.conn = None
        self.csrf = ""

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.conn

    def request(self, method, path, form=None, headers=None):
        body = urllib.parse.urlencode(form) if form is not None else None
        hdrs = dict(headers or {})
        if body is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=hdrs)
            response = conn.getresponse()
            text = response.read().decode("utf-8")
            self.last_headers = response.headers
        except Exception:
            conn.close()
            self.conn = None  # a fresh connection next time; never resend
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, text

    def login(self):
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        status, _ = self.request(
            "POST",
            "/login",
            {"csrf_token": token.group(1), "email": self.email, "password": PASSWORD},
        )
        assert status == 302, f"login failed for {self.email}: {status}"

    def open_board(self, board_id: int) -> dict:
        status, page = self.request("GET", f"/boards/{board_id}")
        assert status == 200, status
        self.csrf = html.unescape(
            re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        )
        return page


def parse_board(page: str):
    """Card id -> [stage, version], and the column counts, from board HTML."""
    cards = {}
    sections = [(m.start(), m.group(1)) for m in SECTION_RE.finditer(page)]
    for m in CARD_RE.finditer(page):
        stage = next((s for start, s in reversed(sections) if start < m.start()), None)
        cards[int(m.group(1))] = [stage, int(m.group(2))]
    counts = {stage: int(n) for stage, n in COUNT_RE.findall(page)}
    return cards, counts


def server_timing(header: str) -> dict[str, float]:
    """{"lock": ms, "lock-wait": ms, "lock-cpu": ms} from a Server-Timing header."""
    found = {}
    for part in header.split(","):
        name, _, rest = part.strip().partition(";dur=")
        if rest:
            found[name] = float(rest)
    return found


def run_healthz(client: Client, stats: Stats, deadline: float) -> None:
    """The trivial baseline: GET /healthz without pause (no session, no
    template, one `SELECT 1`): what any request costs on this machine now."""
    while time.time() < deadline:
        start = time.perf_counter()
        try:
            status, _ = client.request("GET", "/healthz")
        except Exception as error:  # noqa: BLE001 - every failure is counted
            with stats.lock:
                stats.errors[type(error).__name__] += 1
            continue
        elapsed = (time.perf_counter() - start) * 1000
        with stats.lock:
            if status == 200:
                stats.ok_latency.append(elapsed)
            else:
                stats.errors[f"HTTP {status}"] += 1


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.measuring = True  # False during the warm-up: only `applied` is kept
        self.ok_latency: list[float] = []
        self.ok_bytes = 0
        self.conflicts = 0
        self.conflict_latency: list[float] = []
        self.errors: collections.Counter = collections.Counter()
        self.applied: collections.Counter = collections.Counter()  # (card, to_stage) of 200s
        self.lock_held: list[float] = []  # ms the board's lock was held, per 200 (Server-Timing)
        self.lock_wait: list[float] = []
        self.lock_cpu: list[float] = []


def run_client(
    client: Client,
    board_id: int,
    own: list[int],
    everyone: list[int],
    seen,
    stats,
    deadline: float,
    shared_fraction: float,
    rng: random.Random,
    think: float,
):
    """Moves until `deadline`. `seen` is the client's (cards, column counts)
    as its pages showed them, kept up to date from the answers."""
    known, counts = seen
    headers = {"X-CSRFToken": client.csrf, "HX-Request": "true"}
    while time.time() < deadline:
        if think:
            # A person looks at the board before each move, so the clients
            # do not all start at the same instant either (20 simultaneous
            # first moves would measure a burst, not a meeting).
            time.sleep(rng.uniform(0.5, 1.5) * think)
            if time.time() >= deadline:
                break
        card_id = rng.choice(everyone) if rng.random() < shared_fraction else rng.choice(own)
        stage, version = known[card_id]
        target = rng.choice([s for s in STAGES if s != stage])
        # What the client last saw of the target column, less a margin for
        # the moves of others since then (a position past the end is a 400).
        position = rng.randint(0, max(0, counts.get(target, 0) - 20))
        form = {"stage": target, "position": position, "version": version, "from_stage": stage}
        start = time.perf_counter()
        try:
            status, text = client.request(
                "POST", f"/boards/{board_id}/initiatives/{card_id}/move", form, headers
            )
        except Exception as error:  # noqa: BLE001 - every failure is counted
            with stats.lock:
                stats.errors[type(error).__name__] += 1
            continue
        elapsed = (time.perf_counter() - start) * 1000
        if status in (200, 409):
            fresh, fresh_counts = parse_board(text)
            counts.update(fresh_counts)
            for other_id, (other_stage, other_version) in fresh.items():
                known[other_id] = [other_stage or known[other_id][0], other_version]
            if status == 200:
                known[card_id][0] = target  # the 200 answer holds only the card
        timing = server_timing(client.last_headers.get("Server-Timing", ""))
        with stats.lock:
            if status == 200:
                stats.applied[(card_id, target)] += 1  # for the check, warm-up included
            if not stats.measuring:
                pass
            elif status == 200:
                stats.ok_latency.append(elapsed)
                stats.ok_bytes += len(text.encode("utf-8"))
                if "lock" in timing:
                    stats.lock_held.append(timing["lock"])
                    stats.lock_wait.append(timing.get("lock-wait", 0.0))
                    stats.lock_cpu.append(timing.get("lock-cpu", 0.0))
            elif status == 409:
                stats.conflicts += 1
                stats.conflict_latency.append(elapsed)
            else:
                stats.errors[f"HTTP {status}"] += 1


def moves_until(deadline, clients, board, stats) -> None:
    """Every client moves (run_client) in its own thread until `deadline`."""
    board_id, ids, seen, rngs, shared_fraction, think = board
    n_clients = len(clients)
    threads = [
        threading.Thread(
            target=run_client,
            args=(
                client,
                board_id,
                ids[i::n_clients],
                ids,
                seen[i],
                stats,
                deadline,
                shared_fraction,
                rngs[i],
                think,
            ),
        )
        for i, client in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --- one run ------------------------------------------------------------------------


def setup(app, sizes, n_clients):
    """Boards of the given sizes and `n_clients` leaders on all of them."""
    with app.app_context():
        boards = []
        for size in sizes:
            board, _ = fill_board(size, title=f"Flyttetest {size}")
            boards.append((size, board.id))
        password_hash = hash_password(PASSWORD)
        emails = []
        for i in range(n_clients):
            email = f"leder{i}@bench.example"
            user = User(email=email, name=f"Leder {i}", password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            for _, board_id in boards:
                db.session.add(Membership(user_id=user.id, board_id=board_id, role="leder"))
            emails.append(user.email)
        db.session.commit()
    return boards, emails


def verify(app, board_id: int, stats: Stats) -> list[str]:
    """What would show a lost move, or one applied without a 200."""
    problems = []
    with app.app_context():
        events = db.session.scalars(
            sa.select(Event)
            .where(Event.board_id == board_id, Event.kind == "initiative.moved")
            .order_by(Event.id)
        ).all()
        recorded = collections.Counter((e.initiative_id, e.payload["to_stage"]) for e in events)
        ok = sum(stats.applied.values())
        if len(events) != ok:
            problems.append(f"{len(events)} move Events but {ok} answers 200")
        if recorded != stats.applied:
            problems.append("the Events' (card, column) differ from the 200 answers'")
        per_card = collections.Counter(e.initiative_id for e in events)
        last_stage = {e.initiative_id: e.payload["to_stage"] for e in events}
        cards = db.session.execute(
            sa.select(
                Initiative.id, Initiative.stage, Initiative.position, Initiative.version
            ).where(Initiative.board_id == board_id, Initiative.archived_at.is_(None))
        ).all()
        columns = collections.defaultdict(list)
        for card in cards:
            columns[card.stage].append(card.position)
            moves = per_card[card.id]
            if card.version - 1 != moves:
                problems.append(f"card {card.id}: version {card.version}, {moves} moves")
            if card.id in last_stage and card.stage != last_stage[card.id]:
                problems.append(f"card {card.id} in {card.stage}, moved to {last_stage[card.id]}")
        for stage, positions in columns.items():
            if sorted(positions) != list(range(len(positions))):
                problems.append(f"{stage}: positions not dense")
    return problems[:5]


def signed_in_clients(app, server, board_id: int, emails):
    """The board's card ids, and one signed-in client per e-mail with the
    board page it opened (its cards and CSRF token)."""
    with app.app_context():
        ids = db.session.scalars(
            sa.select(Initiative.id).where(Initiative.board_id == board_id)
        ).all()
    clients, pages = [], []
    for email in emails:
        client = Client(server.port, email)
        client.login()
        pages.append(client.open_board(board_id))
        clients.append(client)
    return ids, clients, pages


def baseline(kind: str, size: int, clients, seconds: float) -> dict:
    """Every client GETs /healthz without pause for `seconds`."""
    stats = Stats()
    deadline = time.time() + seconds
    threads = [threading.Thread(target=run_healthz, args=(c, stats, deadline)) for c in clients]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - started
    n = len(stats.ok_latency)
    return dict(
        kind=kind,
        size=size,
        what="/healthz",
        moves=n,
        rate=n / wall,
        p50=percentile(stats.ok_latency, 50),
        p95=percentile(stats.ok_latency, 95),
        sp50=float("nan"),
        sp95=float("nan"),
        kib=0.0,
        conflicts=0,
        c95=float("nan"),
        lock50=float("nan"),
        lock95=float("nan"),
        cpu50=float("nan"),
        wait95=float("nan"),
        errors=sum(stats.errors.values()),
        error_kinds=dict(stats.errors),
        load=os.getloadavg()[0],
        check="-",
    )


def run(
    kind: str,
    database: FreshDatabase,
    sizes,
    n_clients,
    seconds,
    shared_fraction,
    think,
    healthz_seconds=0.0,
    warmup=2.0,
):
    app = database.make_app()
    boards, emails = setup(app, sizes, n_clients)
    server = Server(database.url)
    rows = []
    try:
        for size, board_id in boards:
            ids, clients, pages = signed_in_clients(app, server, board_id, emails)
            for client in clients:
                client.conn.close()  # start the run on a fresh keep-alive connection
                client.conn = None
            if healthz_seconds:
                rows.append(baseline(kind, size, clients, healthz_seconds))
                print_row(rows[-1])
            stats = Stats()
            seen = [parse_board(page) for page in pages]
            rngs = [random.Random(1000 * size + i) for i in range(n_clients)]

            # Warm-up, not measured: each worker compiles the move's templates
            # and statements on its first moves, once in its life.
            stats.measuring = False
            board = (board_id, ids, seen, rngs, shared_fraction, think)
            moves_until(time.time() + warmup, clients, board, stats)
            stats.measuring = True
            log_start = server.log_size()
            started = time.time()
            moves_until(started + seconds, clients, board, stats)
            wall = time.time() - started
            server_ms, _ = server.move_times_ms(log_start)
            problems = verify(app, board_id, stats)
            rows.append(
                dict(
                    kind=kind,
                    size=size,
                    what="move",
                    moves=len(stats.ok_latency),
                    rate=len(stats.ok_latency) / wall,
                    p50=percentile(stats.ok_latency, 50),
                    p95=percentile(stats.ok_latency, 95),
                    sp50=percentile(server_ms, 50),
                    sp95=percentile(server_ms, 95),
                    kib=stats.ok_bytes / max(1, len(stats.ok_latency)) / 1024,
                    conflicts=stats.conflicts,
                    c95=percentile(stats.conflict_latency, 95),
                    lock50=percentile(stats.lock_held, 50),
                    lock95=percentile(stats.lock_held, 95),
                    cpu50=percentile(stats.lock_cpu, 50),
                    wait95=percentile(stats.lock_wait, 95),
                    errors=sum(stats.errors.values()),
                    error_kinds=dict(stats.errors),
                    load=os.getloadavg()[0],
                    check="OK" if not problems else "FAIL: " + "; ".join(problems),
                )
            )
            print_row(rows[-1])
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
    return rows


HEADER = (
    f"{'database':<10} {'cards':>5} {'request':<8} {'n':>6} {'per s':>7} {'p50 ms':>7} "
    f"{'p95 ms':>7} {'srv p50':>8} {'srv p95':>8} {'lock50':>7} {'lock95':>7} {'cpu50':>6} "
    f"{'wait95':>7} {'KiB':>4} {'409s':>5} {'409 p95':>8} {'errors':>6} {'load1':>6}  check"
)


def print_row(r):
    print(
        f"{r['kind']:<10} {r['size']:>5} {r['what']:<8} {r['moves']:>6} {r['rate']:>7.1f} "
        f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['sp50']:>8.1f} {r['sp95']:>8.1f} "
        f"{r['lock50']:>7.1f} {r['lock95']:>7.1f} {r['cpu50']:>6.1f} {r['wait95']:>7.1f} "
        f"{r['kib']:>4.1f} {r['conflicts']:>5} {r['c95']:>8.1f} {r['errors']:>6} "
        f"{r['load']:>6.1f}  {r['check']}" + (f"  {r['error_kinds']}" if r["errors"] else ""),
        flush=True,
    )


def gunicorn_settings() -> tuple[int, int]:
    """Workers and threads as gunicorn.conf.py gives them to the server
    (its defaults, or GUNICORN_WORKERS / GUNICORN_THREADS)."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return settings["workers"], settings["threads"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--sizes", default="60,2000")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--shared", type=float, default=0.1, help="share of moves on anyone's card (conflicts)"
    )
    parser.add_argument(
        "--healthz",
        type=float,
        default=3,
        help="seconds of GET /healthz by the same clients before each board's moves (0: none)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="mean pause (s) of each client between its moves; 0: move without pause",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2,
        help="seconds of moves before the measured ones, not counted in the times",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    workers, threads = gunicorn_settings()
    print(
        f"Moves under load: {args.clients} clients, {args.seconds:g} s per board, "
        f"pause between a client's moves {args.think:g} s (0.5-1.5x), "
        f"after {args.warmup:g} s of warm-up moves, "
        f"gunicorn gthread {workers} workers x {threads} threads, {os.cpu_count()} CPUs, "
        f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        "p50/p95: client-side per answer 200; srv: gunicorn's own time per request (%(D)s); "
        "lock50/lock95: ms the board's lock was held per move (Server-Timing), cpu50: CPU ms "
        "the holder used meanwhile, wait95: ms waited for it; /healthz rows: the same clients "
        f"on the trivial route for {args.healthz:g} s first; load1: 1-minute load average"
    )
    print(HEADER, flush=True)
    runs = []
    if not args.no_sqlite:
        runs.append(("SQLite", None))
    if not args.no_postgres:
        runs.append(("PostgreSQL", args.postgres))
    failed = False
    for kind, url in runs:
        database = FreshDatabase(url)
        try:
            rows = run(
                kind,
                database,
                sizes,
                args.clients,
                args.seconds,
                args.shared,
                args.think,
                args.healthz,
                args.warmup,
            )
            for row in rows:
                failed = failed or row["check"] not in ("OK", "-") or row["errors"] > 0
        finally:
            database.drop()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
