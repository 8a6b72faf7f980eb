"""Live fan-out benchmark: one board open in many browsers, a series of moves.

Starts the servers as production runs them (gunicorn with gunicorn.conf.py:
the app on gthread workers, and the stream service, GUNICORN_ROLE=streams, a
gevent worker; `--serving threads` serves the streams from the app's threads
instead) on a fresh database, opens N event streams on one board (default
100) on the stream service, then makes
M card moves one after the other through the server's move route
(POST /boards/<id>/initiatives/<iid>/move, as the browser does). For every
move and every stream it records the time from the move's HTTP response to
the event's arrival on that stream, and prints p50/p95/max of those, of the
time until the *last* stream had each move, and whether every stream got
every event, in order, exactly once.

A page that gets an event then fetches the parts of the board it touched
(`GET /boards/<id>/live/parts`, built from the event as static/js/live.js
builds it). `--fetchers` of the streams (default 10) do that fetch for every
event, as the other viewers' browsers would, and the time and size of those
fetches are printed too. The whole run is made once per `--cards` size
(default 50 and 2,000), so the cost of a refresh can be compared across
board sizes: it should follow what changed, not how big the board is.

    .venv/bin/python bench/live_fanout.py --streams 1000   # SQLite
    .venv/bin/python bench/live_fanout.py --postgres postgresql://postgres@127.0.0.1:5432/test

It also prints the stream service's resident memory before and with the
streams open (per open stream), and the times of the moves and of a board
page loaded every 0.2 s meanwhile, with the machine's load average.

The arrival can precede the response (the server sends the response after
the commit that also wakes the streams), so small negative times are real.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import queue
import selectors
import socket
import statistics
import threading
import time
from urllib.parse import urlencode

from _setup import FreshDatabase, fill_board

from board.extensions import db
from board.models import STAGES, Initiative, Membership, User
from tests.server_processes import ServerProcess, SignedInClient, session_cookie


def server_rss_kib(server: ServerProcess) -> int:
    """Resident memory of the server's processes (master and workers), KiB."""
    total = 0
    for pid in process_group(server.process.pid):
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


IDLE_SECONDS = 3.0


def server_cpu_seconds(server: ServerProcess) -> float:
    """CPU time (user + system) used so far by the server's processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_group(server.process.pid):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


def process_group(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


class PageLoader(threading.Thread):
    """Another person opening the board page again and again while the
    streams are open and the moves go out: its times show what the open
    streams cost everybody else."""

    def __init__(self, base_url: str, path: str, cookie: str):
        super().__init__(daemon=True)
        self.host = base_url.split("//", 1)[1]
        self.path = path
        self.cookie = cookie
        self.times: list[float] = []
        self.failures = 0
        self.stop = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection(self.host, timeout=30)
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                conn.request("GET", self.path, headers={"Cookie": self.cookie})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    self.times.append(time.monotonic() - started)
                else:
                    self.failures += 1
            except (OSError, http.client.HTTPException):
                self.failures += 1
                conn.close()
                conn = http.client.HTTPConnection(self.host, timeout=30)
            self.stop.wait(0.2)
        conn.close()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def parts_query(data: dict) -> list[tuple[str, str]]:
    """The parts a page asks for after one `change` message: what
    static/js/live.js `partsFor` asks for (the page shows every card and has
    no filter)."""
    if data.get("scope") == "board":
        return [("all", "1"), ("filter", "1")]
    query = []
    if data.get("scope") == "column":
        if data.get("card") and data.get("initiative_id"):
            # The card at its new place, and the counts of its columns.
            query.append(("place", str(data["initiative_id"])))
            query += [("count", stage) for stage in data.get("stages") or []]
        else:
            query += [("stage", stage) for stage in data.get("stages") or []]
        return query + ([("filter", "1")] if data.get("filter") else [])
    if data.get("initiative_id"):
        return [("card", str(data["initiative_id"]))]
    return []


class PartsFetcher(threading.Thread):
    """A viewer's parts fetches, on a keep-alive connection of their own, so
    the stream is read on time while a fetch is under way."""

    def __init__(self, base_url: str, parts_path: str, cookie: str):
        super().__init__(daemon=True)
        self.host = base_url.split("//", 1)[1]
        self.parts_path = parts_path
        self.cookie = cookie
        self.todo: queue.Queue = queue.Queue()
        self.fetches: list[tuple[int, float, int]] = []  # (HTTP status, seconds, bytes)
        self.errors: list[str] = []
        self.retried = 0  # requests sent again after the server closed an idle connection

    def run(self):
        self.conn = http.client.HTTPConnection(self.host, timeout=30)
        while True:
            query = self.todo.get()
            if query is None:
                break
            started = time.monotonic()
            path = f"{self.parts_path}?{urlencode(query)}"
            try:
                try:
                    status, body = self.get(path)
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    # The server closed the kept-alive connection (idle past
                    # gunicorn's `keepalive`, which happens when events come
                    # more than 5 s apart): a browser sends the request again
                    # on a new connection, so does this.
                    self.retried += 1
                    self.conn.close()
                    status, body = self.get(path)
                self.fetches.append((status, time.monotonic() - started, len(body)))
            except (OSError, http.client.HTTPException) as error:
                self.fetches.append((0, time.monotonic() - started, 0))
                self.errors.append(repr(error))
                self.conn.close()
            finally:
                self.todo.task_done()
        self.conn.close()

    def get(self, path: str) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers={"Cookie": self.cookie})
        response = self.conn.getresponse()
        return response.status, response.read()


class StreamReader(threading.Thread):
    """Reads every open stream in one thread with a selector and notes the
    time each message's bytes came off the socket. (A thread per stream, as
    before, made the arrival times include the wait of 1,000 threads for
    this process's GIL after each event: the bench's queue, not the
    server's.)"""

    def __init__(self):
        super().__init__(daemon=True)
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.pending: list[StreamClient] = []
        self.stop = False

    def add(self, client: StreamClient) -> None:
        with self.lock:
            self.pending.append(client)

    def run(self):
        while not self.stop:
            with self.lock:
                pending, self.pending = self.pending, []
            for client in pending:
                self.selector.register(client.sock, selectors.EVENT_READ, client)
            for key, _ in self.selector.select(0.05):
                client = key.data
                try:
                    data = client.sock.recv(65536)
                except OSError as error:
                    data, client.error = b"", client.error or repr(error)
                now = time.monotonic()
                if data:
                    try:
                        client.feed(data, now)
                        continue
                    except Exception as error:  # a benchmark reports, it does not crash
                        client.error = repr(error)
                # The stream ended (or was closed by `StreamClient.close`).
                self.selector.unregister(client.sock)
                client.sock.close()
                client.connected.set()


class StreamClient:
    """One open board: its event stream (read by the `StreamReader`), with
    when each event came; with a `fetcher`, also fetches the parts each
    event touched."""

    def __init__(
        self,
        base_url: str,
        path: str,
        cookie: str,
        fetcher: PartsFetcher | None = None,
        reader: StreamReader | None = None,
    ):
        self.host, _, port = base_url.split("//", 1)[1].partition(":")
        self.port = int(port or 80)
        self.path = path
        self.cookie = cookie
        self.fetcher = fetcher
        self.reader = reader
        self.sock: socket.socket | None = None
        self.connected = threading.Event()
        self.arrivals: list[tuple[int, float]] = []  # (event id, monotonic time)
        self.error: str | None = None
        self._head = b""  # the response's head, until it is complete
        self._chunks = b""  # chunked transfer coding, not yet decoded
        self._text = b""  # decoded SSE text, not yet a whole message
        self._in_body = False

    def start(self):
        try:
            self.sock = socket.create_connection((self.host, self.port), timeout=30)
            self.sock.sendall(
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Cookie: {self.cookie}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            self.sock.setblocking(False)
        except OSError as error:
            self.error = repr(error)
            self.connected.set()
            return
        self.reader.add(self)

    def feed(self, data: bytes, now: float) -> None:
        if not self._in_body:
            self._head += data
            head, sep, rest = self._head.partition(b"\r\n\r\n")
            if not sep:
                return
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                self.error = f"HTTP {status}"
            self._in_body = True
            self.connected.set()
            data = rest
        self._chunks += data
        while True:  # chunked transfer coding: "<hex size>\r\n<data>\r\n"
            line, sep, rest = self._chunks.partition(b"\r\n")
            if not sep:
                break
            size = int(line, 16)
            if len(rest) < size + 2:
                break
            self._text += rest[:size]
            self._chunks = rest[size + 2 :]
        *messages, self._text = self._text.split(b"\n\n")
        for message in messages:
            fields = dict(
                line.split(": ", 1) for line in message.decode().split("\n") if ": " in line
            )
            if fields.get("event") == "change" and "id" in fields:
                self.arrivals.append((int(fields["id"]), now))
                if self.fetcher is not None and fields.get("data"):
                    self.fetcher.todo.put(parts_query(json.loads(fields["data"])))

    def close(self):
        """End the stream; the reader then sees its end and closes the socket."""
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def add_viewers(board, n: int) -> list[User]:
    """`n` more members of the board (each counts in "n ser med")."""
    viewers = [
        User(email=f"viewer-{board.id}-{i}@example.dk", name=f"Seer {i}", password_hash="")
        for i in range(n)
    ]
    db.session.add_all(viewers)
    db.session.flush()
    db.session.add_all(
        Membership(user_id=viewer.id, board_id=board.id, role="med") for viewer in viewers
    )
    db.session.commit()
    return viewers


def run(args, n_cards: int) -> dict | None:
    database = FreshDatabase(args.postgres)
    server = None
    servers: list[ServerProcess] = []
    clients: list[StreamClient] = []
    reader = None
    fetchers: list[PartsFetcher] = []
    try:
        app = database.make_app()
        with app.app_context():
            board, user = fill_board(n_cards, comments_every=1000)
            board_id = board.id
            cookie = session_cookie(user)
            viewer_cookies = [cookie] + [
                session_cookie(viewer) for viewer in add_viewers(board, args.viewers - 1)
            ]
            cards = [
                (c.id, c.stage, c.version)
                for c in Initiative.query.filter_by(board_id=board_id).order_by(Initiative.id)
            ]
        kind = "PostgreSQL" if args.postgres else "SQLite"
        live_env = {"LIVE_HEARTBEAT_SECONDS": "5"}
        server = ServerProcess(
            database.url,
            threads=args.threads,
            env={
                **live_env,
                "GUNICORN_WORKERS": str(args.workers),
                # Serving the streams too: room for all of them.
                "LIVE_MAX_STREAMS": str(args.streams + 100),
            },
        ).start()
        streams_server = server
        if args.serving == "split":
            streams_server = ServerProcess(
                database.url, env={**live_env, "GUNICORN_ROLE": "streams"}
            ).start()
            servers.append(streams_server)

        path = f"/boards/{board_id}/events"
        warm = SignedInClient(server.url, cookie, board_id)  # the worker has served a page
        warm.close()
        reader = StreamReader()
        reader.start()
        warm_stream = StreamClient(
            streams_server.url, f"/boards/{board_id}/events", cookie, reader=reader
        )
        warm_stream.start()  # the stream route's code is loaded and its threads run
        warm_stream.connected.wait(30)
        warm_stream.close()
        rss_before = server_rss_kib(streams_server)
        parts_path = f"/boards/{board_id}/live/parts"
        fetchers = [
            PartsFetcher(server.url, parts_path, cookie)
            for _ in range(min(args.fetchers, args.streams))
        ]
        for fetcher in fetchers:
            fetcher.start()
        clients = [
            StreamClient(
                streams_server.url,
                path,
                viewer_cookies[i % len(viewer_cookies)],
                fetchers[i] if i < len(fetchers) else None,
                reader,
            )
            for i in range(args.streams)
        ]
        open_cpu, open_started = server_cpu_seconds(streams_server), time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.connected.wait(30)
        open_seconds = time.monotonic() - open_started
        open_cpu = server_cpu_seconds(streams_server) - open_cpu
        failed = [c.error for c in clients if c.error]
        if failed:
            print(f"{len(failed)} streams failed to open: {failed[:3]}")
            return None
        time.sleep(1.0)  # every stream past its first round
        rss_streams = server_rss_kib(streams_server)
        # The stream service's CPU with the streams open and nothing
        # happening (heartbeats, access checks, the watcher's polls), so that
        # what the moves cost it can be told apart.
        idle_cpu, idle_started = server_cpu_seconds(streams_server), time.monotonic()
        time.sleep(IDLE_SECONDS)
        idle_rate = (server_cpu_seconds(streams_server) - idle_cpu) / (
            time.monotonic() - idle_started
        )

        browser = SignedInClient(server.url, cookie, board_id)
        cpu_before = (
            server_cpu_seconds(server),
            server_cpu_seconds(streams_server) if streams_server is not server else 0.0,
            time.process_time(),
        )
        moves_started = time.monotonic()
        pages = PageLoader(server.url, f"/boards/{board_id}", cookie)
        pages.start()
        sent: list[float] = []
        answered: list[float] = []
        state = {card_id: (stage, version) for card_id, stage, version in cards}
        stage_names = [str(s) for s in STAGES]
        order = [card_id for card_id, *_ in cards]
        for i in range(args.moves):
            card_id = order[i % len(order)]
            stage, version = state[card_id]
            target = stage_names[(stage_names.index(stage) + 1) % 4]
            status, request_sent, response_arrived = browser.move(card_id, target, version, stage)
            if status != 200:
                raise RuntimeError(f"move {i + 1}: HTTP {status}\n" + server.output()[-3000:])
            sent.append(request_sent)
            answered.append(response_arrived)
            state[card_id] = (target, version + 1)
            time.sleep(args.pause)

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if all(len(c.arrivals) >= args.moves for c in clients):
                break
            time.sleep(0.05)
        for fetcher in fetchers:
            fetcher.todo.join()
        pages.stop.set()
        pages.join()
        moves_seconds = time.monotonic() - moves_started
        cpu_app, cpu_streams, cpu_bench = (
            after - before
            for after, before in zip(
                (
                    server_cpu_seconds(server),
                    server_cpu_seconds(streams_server) if streams_server is not server else 0.0,
                    time.process_time(),
                ),
                cpu_before,
                strict=True,
            )
        )
        move_times = [a - s for s, a in zip(sent, answered, strict=True)]

        latencies, last_arrivals, from_request, complete, in_order = [], [], [], 0, 0
        event_ids = None
        for client in clients:
            ids = [event_id for event_id, _ in client.arrivals]
            if len(ids) == args.moves and len(set(ids)) == args.moves:
                complete += 1
            if ids == sorted(ids):
                in_order += 1
            if event_ids is None and len(ids) == args.moves:
                event_ids = ids
        for k in range(args.moves):
            arrivals = [c.arrivals[k][1] - answered[k] for c in clients if len(c.arrivals) > k]
            latencies.extend(arrivals)
            from_request.extend(c.arrivals[k][1] - sent[k] for c in clients if len(c.arrivals) > k)
            if len(arrivals) == len(clients):
                last_arrivals.append(max(arrivals))

        def ms(value):
            return f"{value * 1000:7.1f} ms"

        print(
            f"Live fan-out on {kind}: {n_cards} cards, {args.streams} streams on one board "
            f"(by {min(args.viewers, args.streams)} members), {args.moves} moves"
        )
        serving = f"gunicorn gthread, {args.workers} workers x {args.threads} threads"
        if args.serving == "split":
            serving += " for pages and moves; streams on a gevent stream service (1 worker)"
        print(
            f"  server: {serving}; pause between moves {args.pause * 1000:.0f} ms; "
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        per_stream = (rss_streams - rss_before) / args.streams
        print(
            f"  stream server memory: {rss_before / 1024:.0f} MiB before the streams, "
            f"{rss_streams / 1024:.0f} MiB with {args.streams} open: "
            f"{per_stream:.1f} KiB per open stream; opened in {open_seconds:.1f} s, "
            f"{open_cpu * 1000 / args.streams:.1f} ms of its CPU per stream"
        )
        print(
            f"  move request -> response, {args.moves} moves: "
            f"p50 {ms(statistics.median(move_times))}  p95 {ms(percentile(move_times, 95))}"
        )
        if pages.times:
            print(
                f"  board page meanwhile, {len(pages.times)} loads: "
                f"p50 {ms(statistics.median(pages.times))}  p95 {ms(percentile(pages.times, 95))}"
                f"; {pages.failures} failed"
            )
        if latencies:
            print(
                f"  response -> arrival, per stream: p50 {ms(statistics.median(latencies))}  "
                f"p95 {ms(percentile(latencies, 95))}  max {ms(max(latencies))}"
            )
        if from_request:
            print(
                f"  request sent -> arrival, per stream: "
                f"p50 {ms(statistics.median(from_request))}  "
                f"p95 {ms(percentile(from_request, 95))}  max {ms(max(from_request))}"
            )
        if last_arrivals:
            print(
                f"  response -> arrival on the last of {args.streams} streams: "
                f"p50 {ms(statistics.median(last_arrivals))}  "
                f"p95 {ms(percentile(last_arrivals, 95))}  max {ms(max(last_arrivals))}"
            )
        print(
            f"  streams that got every event exactly once: {complete}/{len(clients)}; "
            f"in order: {in_order}/{len(clients)}; "
            f"delivered {sum(len(c.arrivals) for c in clients)}/{args.streams * args.moves}"
        )
        fetches = [f for fetcher in fetchers for f in fetcher.fetches]
        fetch_times = [seconds for status, seconds, _ in fetches if status == 200]
        fetch_bytes = [size for status, _, size in fetches if status == 200]
        errors = [e for fetcher in fetchers for e in fetcher.errors]
        retried = sum(fetcher.retried for fetcher in fetchers)
        others = collections.Counter(status for status, _, _ in fetches if status != 200)
        if fetch_times:
            print(
                f"  parts fetch after an event, {len(fetchers)} viewers: "
                f"p50 {ms(statistics.median(fetch_times))}  "
                f"p95 {ms(percentile(fetch_times, 95))}  max {ms(max(fetch_times))}; "
                f"{statistics.median(fetch_bytes) / 1024:.1f} KiB p50; "
                f"{len(fetch_times)}/{len(fetches)} answered 200"
                + (f" (others: {dict(others)}; 0 = no answer)" if others else "")
                + (f"; {errors[:2]}" if errors else "")
                + (
                    f"; {retried} sent again on a new connection (the server had closed "
                    f"an idle one)"
                    if retried
                    else ""
                )
            )
        ok = (
            complete == len(clients)
            and in_order == len(clients)
            and len(fetch_times) == len(fetches) == len(fetchers) * args.moves
        )
        print(
            f"  CPU during the {moves_seconds:.1f} s of moves: app {cpu_app:.1f} s, "
            + (
                f"stream service {cpu_streams:.1f} s (idle with the streams open: "
                f"{idle_rate * 1000:.0f} ms/s; so "
                f"{(cpu_streams - idle_rate * moves_seconds) * 1000 / args.moves:.0f} ms "
                f"per move's event to {args.streams} streams), "
                if streams_server is not server
                else ""
            )
            + f"this bench's own clients {cpu_bench:.1f} s (of {os.cpu_count()} cores: "
            f"{os.cpu_count() * moves_seconds:.0f} s)"
        )
        print("  ALL STREAMS GOT ALL EVENTS" if ok else "  SOME EVENTS OR PARTS WERE MISSED")
        return {
            "database": kind,
            "cards": n_cards,
            "ok": ok,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": percentile(latencies, 95) * 1000,
            "parts_p50_ms": statistics.median(fetch_times) * 1000 if fetch_times else None,
            "parts_p95_ms": percentile(fetch_times, 95) * 1000 if fetch_times else None,
            "parts_p50_bytes": statistics.median(fetch_bytes) if fetch_bytes else None,
            "complete": complete,
            "kib_per_stream": per_stream,
            "move_p95_ms": percentile(move_times, 95) * 1000,
            "page_p95_ms": percentile(pages.times, 95) * 1000 if pages.times else None,
            "streams": len(clients),
            "cpu_app_s": cpu_app,
            "cpu_streams_s": cpu_streams,
            "cpu_streams_idle_per_s": idle_rate,
            "cpu_bench_s": cpu_bench,
            "moves_s": moves_seconds,
        }
    finally:
        for fetcher in fetchers:
            fetcher.todo.put(None)
        if reader is not None:
            reader.stop = True
        for client in clients:
            client.close()
        for other in servers:
            other.stop()
        if server is not None:
            server.stop()
        database.drop()


def run_all(args) -> int:
    results = []
    for n_cards in args.cards:
        result = run(args, n_cards)
        if result is None:
            return 1
        results.append(result)
    timed = [r for r in results if r["parts_p50_ms"]]
    if len(timed) > 1:
        small, large = timed[0], timed[-1]
        print(
            f"Parts fetch p50 at {large['cards']} cards / at {small['cards']} cards: "
            f"{large['parts_p50_ms'] / small['parts_p50_ms']:.2f}x "
            f"({large['parts_p50_ms']:.1f} / {small['parts_p50_ms']:.1f} ms)"
        )
    if args.json:
        print(json.dumps(results))
    return 0 if all(r["ok"] for r in results) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--pause", type=float, default=0.25, help="seconds between moves")
    parser.add_argument(
        "--cards", type=int, nargs="+", default=[50, 2000], help="board sizes, one run each"
    )
    parser.add_argument(
        "--fetchers", type=int, default=10, help="streams that fetch the parts of each event"
    )
    parser.add_argument(
        "--viewers",
        type=int,
        default=1,
        help="distinct members opening the streams (round-robin); each one that opens or "
        "closes a stream changes the board's viewer count",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=128)
    parser.add_argument(
        "--serving",
        choices=["split", "threads"],
        default="split",
        help="split: streams on the gevent stream service (GUNICORN_ROLE=streams), the rest on "
        "gthread; threads: everything on gthread, a thread per stream",
    )
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    raise SystemExit(run_all(parser.parse_args()))


if __name__ == "__main__":
    main()
