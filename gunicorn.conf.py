# Production serving: `gunicorn -c gunicorn.conf.py wsgi:app` (see README,
# "Deployment"). One file, two roles, chosen by GUNICORN_ROLE:
#
# * `app` (default): pages, moves, edits, exports. Threaded workers
#   (gthread): a request holds a thread while it runs.
# * `streams`: the Server-Sent Events streams only (`/boards/<id>/events`,
#   `/s/<token>/events`; the proxy routes those paths here, see README).
#   A gevent worker: an open stream is a greenlet waiting on its socket, not
#   a thread, so one process holds thousands of open boards in little memory
#   (psycopg 3 cooperates with gevent; docs/ARCHITECTURE.md, "Serving the
#   streams", says why this and not the alternatives).
#
# Without a separate stream service the `app` role serves streams too, one
# thread each: threads per worker then bound the open board pages per worker
# (size GUNICORN_WORKERS x GUNICORN_THREADS above the number of people who may
# have a board open at once, plus room for ordinary requests).
#
# Every worker process wakes its own streams: through PostgreSQL
# LISTEN/NOTIFY (one listening connection per worker), or on SQLite by a
# short poll of the Event table; so workers, and on PostgreSQL hosts, can be
# added freely.
import gc
import os
import signal

role = os.environ.get("GUNICORN_ROLE", "app")
if role not in ("app", "streams"):
    raise SystemExit(f"GUNICORN_ROLE must be 'app' or 'streams', not {role!r}")

if role == "streams":
    bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
    workers = int(os.environ.get("GUNICORN_WORKERS", "1"))
    worker_class = "gevent"
    # Open connections per worker: the streams, plus room for reconnects.
    worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "5000"))
    # A stream beyond LIVE_MAX_STREAMS gets 503 (the browser retries), before
    # the worker's connection limit would make it wait unanswered.
    os.environ.setdefault("LIVE_MAX_STREAMS", str(max(1, worker_connections - 100)))
else:
    bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
    workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
    worker_class = "gthread"
    threads = int(os.environ.get("GUNICORN_THREADS", "100"))
    # Kept-alive idle connections wait in the worker's poller, not in a thread.
    worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads + 100)))
    # Streams may take all but GUNICORN_RESERVED_THREADS threads of a worker; a
    # stream beyond that gets 503 (the browser retries), so page loads and moves
    # always find a free thread. The app reads LIVE_MAX_STREAMS (board/config.py).
    reserved = int(os.environ.get("GUNICORN_RESERVED_THREADS", "16"))
    os.environ.setdefault("LIVE_MAX_STREAMS", str(max(1, threads - reserved)))

# For gthread and gevent workers `timeout` is the worker's heartbeat to the
# master, not a limit per request, so a long stream is not killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# gunicorn (25.1+) opens a control socket for `gunicornc`, by default at
# $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl: one path for
# every instance the same user runs on the host, so a second instance (a
# blue/green deploy, a second board service) takes it over and `gunicornc`
# would steer the wrong one. Off unless GUNICORN_CONTROL_SOCKET gives this
# instance a path of its own. (Older gunicorn has no control socket and
# ignores both settings.)
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# Share-link tokens are credentials in the URL: the access log redacts them.
logger_class = "board.log_redaction.GunicornLogger"


def post_worker_init(worker):
    """Runs in each worker once the app is loaded.

    The loaded app (Flask, SQLAlchemy, Jinja, the document libraries: some
    130,000 objects) is moved out of the garbage collector's sight with
    `gc.freeze()`. It lives as long as the worker, yet every full collection
    would walk it again: 70-110 ms during which the worker's threads stand
    still, which was the tail of moves and page loads on a quiet server
    (bench/move_profile.py prints the pauses).

    On a graceful stop (SIGTERM: deploy, restart), end this worker's event
    streams at once instead of holding the shutdown for graceful_timeout; the
    browsers reconnect to another worker with Last-Event-ID and miss nothing."""
    gc.freeze()
    handle_exit = worker.handle_exit

    def end_streams_then_exit(sig, frame):
        from board.live import close_all

        close_all()
        handle_exit(sig, frame)

    signal.signal(signal.SIGTERM, end_streams_then_exit)
