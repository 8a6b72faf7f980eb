"""The live feed's machinery in one server process.

`LiveRuntime` (one per app, in `app.extensions["tiltag_live"]`) owns:

* the `Broker` that wakes this process's streams, and the `Feeds`
  (`feed.py`) that let them share one read of the Event table per change;
* the watcher thread (`watcher.py`): polls the Event table for boards with
  open streams (SQLite: every LIVE_POLL_SECONDS; PostgreSQL: every
  LIVE_PG_POLL_SECONDS as a safety net), counts viewers and keeps this
  process's presence rows fresh;
* on PostgreSQL, the listener thread (`listener.py`): one autocommit
  connection doing LISTEN, waking streams on NOTIFY.

Both threads start with the first open stream and stop when the last one
closes, so an idle process (and every test that opens no stream) runs none.
Threads are started lazily in the serving process, which also makes this
safe with servers that fork workers.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from .. import database
from .broker import Broker
from .feed import Feeds

log = logging.getLogger(__name__)


class LiveRuntime:
    def __init__(self, app) -> None:
        self.app = app
        self.broker = Broker()
        self.feeds = Feeds()
        self._nonce = secrets.token_hex(4)
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._kick = threading.Event()

    @property
    def process_key(self) -> str:
        # Computed each time: a forked worker gets its own pid.
        return f"{socket.gethostname()[:40]}:{os.getpid()}:{self._nonce}"

    @property
    def is_postgresql(self) -> bool:
        # Asked from the threads too, outside any app context.
        with self.app.app_context():
            return database.is_postgresql()

    # --- streams --------------------------------------------------------

    def stream_opened(self, board_id: int) -> None:
        self.broker.stream_opened(board_id)
        self._ensure_threads()
        self.kick()

    def stream_closed(self, board_id: int) -> None:
        if self.broker.stream_closed(board_id) == 0:
            self.feeds.forget(board_id)
        self.kick()

    def kick(self) -> None:
        """Make the watcher look now (viewers changed, or a listener heard of
        a change it cannot resolve alone)."""
        self._kick.set()

    def wait_for_kick(self, timeout: float) -> None:
        self._kick.wait(timeout)
        self._kick.clear()

    # --- threads --------------------------------------------------------

    def _ensure_threads(self) -> None:
        from .listener import listen
        from .watcher import watch

        wanted = {"watcher": watch}
        if self.is_postgresql:
            wanted["listener"] = listen
        with self._lock:
            for name, target in wanted.items():
                thread = self._threads.get(name)
                if thread is None or not thread.is_alive():
                    thread = threading.Thread(
                        target=target, args=(self,), name=f"tiltag-live-{name}", daemon=True
                    )
                    self._threads[name] = thread
                    thread.start()

    def should_stop(self, name: str) -> bool:
        """Called by a thread between rounds: stop when no stream is open.
        Deciding under the lock means a stream opening at the same moment
        either sees the thread still alive or starts a new one."""
        with self._lock:
            if self.broker.open_streams() > 0 and not self.broker.closing:
                return False
            if self._threads.get(name) is threading.current_thread():
                del self._threads[name]
            return True

    def close(self) -> None:
        """End all streams of this process (shutdown)."""
        self.broker.close()
        self.kick()
