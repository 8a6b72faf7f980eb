"""One read of the Event table shared by all streams of a board in a process.

When a move is committed, every open stream of the board wakes at once and
wants the same thing: the events after the same cursor. Without sharing, 100
open pages cost 100 identical reads per change. `RoundCache` lets the first
stream read (in a database session of its own) while the others wait for
and reuse its result ("single flight").

Reusing is only right if the read saw everything the waiting stream was
woken for: each entry remembers the board's wake-up generation from just
before its read began, and a stream reuses an entry only if that generation
is at least the one it saw before it started waiting. Anything committed
later wakes the streams again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

MAX_ENTRIES = 256


@dataclass
class Entry:
    generation: int
    created: float = field(default_factory=time.monotonic)
    ready: threading.Event = field(default_factory=threading.Event)
    value: tuple[list[str], int] | None = None


class RoundCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, Entry] = {}

    def read(self, key: tuple, seen_generation: int, current_generation, compute):
        """The messages and new cursor for `key` = (board, cursor, comments):
        from an entry at least as fresh as `seen_generation`, or computed now
        by `compute()`. `current_generation()` reads the board's generation."""
        with self._lock:
            entry = self._entries.get(key)
            if (
                entry is None
                or entry.generation < seen_generation
                or (entry.ready.is_set() and entry.value is None)
            ):
                entry = Entry(generation=current_generation())
                self._entries[key] = entry
                self._evict()
                owner = True
            else:
                owner = False
        if not owner:
            entry.ready.wait(10)
            if entry.value is not None:
                return entry.value
            return compute()  # the owner failed: read alone
        try:
            entry.value = compute()
            return entry.value
        finally:
            entry.ready.set()

    def _evict(self) -> None:
        if len(self._entries) <= MAX_ENTRIES:
            return
        by_age = sorted(self._entries.items(), key=lambda item: item[1].created)
        for key, entry in by_age[: len(by_age) // 2]:
            if entry.ready.is_set():
                del self._entries[key]
