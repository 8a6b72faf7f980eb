"""In-process wake-ups for the live streams of one server process.

A stream never learns *what* happened from the broker, only *that* something
may have happened on its board: it then reads the Event table, which is the
truth. So a lost or extra wake-up costs at most latency or one cheap query,
never data.

Each board has two counters: `events` (bumped when an Event of the board may
have been committed) and `presence` (bumped when the number of viewers
changed). A stream remembers the counters it has seen and waits until either
moves on. The waiting is on a `threading.Event` that is set, and replaced by
a fresh one, whenever a counter moves: under the stream service's gevent
(which patches `threading`) setting it wakes all of a board's streams in one
pass of the hub. A condition
variable's `notify_all` released a lock per waiting stream, and each woken
stream queued for the condition's own lock again: with 1,000 streams that
was 13-15% of the stream service's profile during a series of moves, the
Event's wait about half of that (bench/live_fanout.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class BoardSignals:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set (then replaced) when `events` or `presence` moves; see the docstring.
    changed: threading.Event = field(default_factory=threading.Event)
    events: int = 0  # generation: bumped on every possible new Event
    latest_id: int = 0  # highest Event id this process has heard of
    presence: int = 0  # generation: bumped when `viewers` changes
    viewers: int | None = None  # last known number of people watching
    streams: int = 0  # open streams of this board in this process

    def bump(self) -> None:
        """Wake the waiting streams (called with `lock` held)."""
        self.changed.set()
        self.changed = threading.Event()


@dataclass(frozen=True)
class Seen:
    events: int
    presence: int


class StreamSlot:
    """One taken stream slot; `release()` gives it back, once."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._lock = threading.Lock()
        self._held = True

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._broker._release_stream()


class Broker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._boards: dict[int, BoardSignals] = {}
        self._closing = False
        self._reserved = 0  # stream slots taken (LIVE_MAX_STREAMS counts these)

    def _board(self, board_id: int) -> BoardSignals:
        with self._lock:
            signals = self._boards.get(board_id)
            if signals is None:
                signals = self._boards[board_id] = BoardSignals()
            return signals

    # --- streams --------------------------------------------------------

    def stream_opened(self, board_id: int) -> None:
        signals = self._board(board_id)
        with signals.lock:
            signals.streams += 1

    def stream_closed(self, board_id: int) -> int:
        """One stream fewer; returns how many of the board's are still open."""
        signals = self._board(board_id)
        with signals.lock:
            signals.streams = max(0, signals.streams - 1)
            return signals.streams

    def active_boards(self) -> list[int]:
        with self._lock:
            return [b for b, s in self._boards.items() if s.streams > 0]

    def open_streams(self) -> int:
        with self._lock:
            return sum(s.streams for s in self._boards.values())

    def reserve_stream(self, limit: int | None) -> StreamSlot | None:
        """Take a slot for a new stream, or None when `limit` are taken.

        Checked and counted in one step under the lock, when the stream is
        accepted: counting open streams instead let every request that
        arrived before the others' bodies had begun pass the check."""
        with self._lock:
            if limit is not None and self._reserved >= limit:
                return None
            self._reserved += 1
        return StreamSlot(self)

    def _release_stream(self) -> None:
        with self._lock:
            self._reserved = max(0, self._reserved - 1)

    def reserved_streams(self) -> int:
        with self._lock:
            return self._reserved

    # --- signals --------------------------------------------------------

    def wake(self, board_id: int, event_id: int | None = None) -> None:
        """An Event of this board may have been committed."""
        signals = self._board(board_id)
        with signals.lock:
            signals.events += 1
            if event_id is not None:
                signals.latest_id = max(signals.latest_id, event_id)
            signals.bump()

    def wake_all(self) -> None:
        """Something may have been missed (a listener reconnected)."""
        with self._lock:
            boards = list(self._boards)
        for board_id in boards:
            self.wake(board_id)

    def latest_id(self, board_id: int) -> int:
        return self._board(board_id).latest_id

    def set_viewers(self, board_id: int, count: int) -> None:
        signals = self._board(board_id)
        with signals.lock:
            if signals.viewers != count:
                signals.viewers = count
                signals.presence += 1
                signals.bump()

    def viewers(self, board_id: int) -> int | None:
        return self._board(board_id).viewers

    def seen(self, board_id: int) -> Seen:
        signals = self._board(board_id)
        with signals.lock:
            return Seen(signals.events, signals.presence)

    def wait(self, board_id: int, seen: Seen, timeout: float) -> Seen:
        """Block until the board's counters move past `seen`, the process is
        closing, or `timeout` seconds pass. Returns the counters now."""
        signals = self._board(board_id)
        with signals.lock:
            if self._closing or signals.events != seen.events or signals.presence != seen.presence:
                return Seen(signals.events, signals.presence)
            changed = signals.changed  # set by any move of the counters from here on
        changed.wait(max(0.0, timeout))
        with signals.lock:
            return Seen(signals.events, signals.presence)

    # --- shutdown -------------------------------------------------------

    @property
    def closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """End every stream of this process (worker shutdown)."""
        self._closing = True
        with self._lock:
            boards = list(self._boards.values())
        for signals in boards:
            with signals.lock:
                signals.bump()
