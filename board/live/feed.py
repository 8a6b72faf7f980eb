"""The recent messages of a board, read once per change and shared by all the
board's streams in this process.

When a move is committed every open stream of the board wakes at once and
wants the same Events. One stream reads them (in a database session of its
own) while the others wait ("single flight"), and the messages are kept: a
`Feed` holds the ready-to-send bytes of a board's latest messages, so each
stream takes the ones after its own cursor from memory. Streams whose
cursors differ (one was slow to write, one reconnected a moment ago) still
share the read; only a stream whose cursor lies before the kept messages
(a reconnect with an old Last-Event-ID) reads the table on its own. The
Event table stays the truth: a feed only ever holds what a read of it
returned, in id order, and is forgotten with the board's last stream.

Reusing a read is only right if it saw everything the stream was woken for:
a feed remembers the board's wake-up generation from just before its last
read began, and a stream takes from it only if that generation is at least
the one the stream saw before it started waiting (`Seen.events`). Anything
committed later wakes the streams again. A board's Events commit in id order
(ARCHITECTURE, "Order on PostgreSQL"), so a read that returned id N also
returned every earlier id of the board: the kept messages have no gaps.

There is one feed per board and kinds of stream (comments shown or not, a
meeting page's or not): they are sent different Events.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Messages kept per feed; a stream further behind reads the table itself.
KEEP = 500
# Feeds kept at most (boards x kinds of stream) before the idle ones go.
MAX_FEEDS = 256
# How long a waiting stream trusts another stream's read to finish.
READ_WAIT_SECONDS = 10.0

Messages = list[tuple[int, bytes]]  # (event id, one SSE message), ids ascending


@dataclass
class Feed:
    start: int  # the kept messages are all those with start < id <= upto
    upto: int
    generation: int = -1  # the board's wake-up generation before the last read
    read_at: float = float("-inf")  # when the last read began (time.monotonic)
    ids: list[int] = field(default_factory=list)
    data: list[bytes] = field(default_factory=list)
    reading: threading.Event | None = None  # set when the read under way ends
    # The bytes after a cursor, joined once for all the streams at that cursor.
    joined: dict[int, bytes] = field(default_factory=dict)

    def after(self, cursor: int) -> bytes:
        text = self.joined.get(cursor)
        if text is None:
            text = b"".join(self.data[bisect.bisect_right(self.ids, cursor) :])
            self.joined[cursor] = text
        return text

    def extend(self, messages: Messages, upto: int, generation: int) -> None:
        for event_id, data in messages:
            if event_id > self.upto:
                self.ids.append(event_id)
                self.data.append(data)
        self.upto = max(self.upto, upto)
        self.generation = max(self.generation, generation)
        if len(self.ids) > KEEP:
            drop = len(self.ids) - KEEP
            self.start = self.ids[drop - 1]
            del self.ids[:drop], self.data[:drop]
        self.joined.clear()


class Feeds:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._feeds: dict[tuple, Feed] = {}

    def read(
        self,
        key: tuple,
        cursor: int,
        seen_generation: int,
        current_generation: Callable[[], int],
        read_after: Callable[[int], tuple[Messages, int]],
        max_age: float | None = None,
    ) -> tuple[bytes, int]:
        """The messages after `cursor` for the streams of `key` (board first),
        as one bytes string, and the new cursor: from the feed if it was read
        at generation `seen_generation` or later, else after a read that
        starts now (`read_after(cursor)` reads the table: the messages after
        `cursor` and the cursor after them). `current_generation()` gives
        the board's wake-up generation. With `max_age`, a feed last read
        longer ago than that is read again whatever the wake-ups said (the
        streams' periodic look, in case a wake-up went missing): one read
        per feed, not one per stream."""
        waited = False  # for a read that began after this call: fresh enough
        while True:
            with self._lock:
                feed = self._feeds.get(key)
                if feed is None:
                    feed = self._feeds[key] = Feed(start=cursor, upto=cursor)
                    self._evict()
                if cursor < feed.start:
                    feed = None  # before the kept messages: read alone
                elif feed.generation >= seen_generation and (
                    waited or max_age is None or time.monotonic() - feed.read_at <= max_age
                ):
                    return feed.after(cursor), max(cursor, feed.upto)
                elif feed.reading is not None:
                    waiting = feed.reading
                else:
                    if cursor > feed.upto:
                        # Nobody of this kind followed the board for a while
                        # (this stream is newer than the feed): start over at
                        # this stream rather than read what nobody needs.
                        feed.start = feed.upto = cursor
                        feed.ids, feed.data = [], []
                        feed.joined.clear()
                    waiting = None
                    feed.reading = threading.Event()
                    generation = current_generation()
                    feed.read_at = time.monotonic()
                    start = feed.upto
            if feed is None:
                messages, new_cursor = read_after(cursor)
                return b"".join(data for _, data in messages), new_cursor
            if waiting is not None:
                waited = waiting.wait(READ_WAIT_SECONDS)
                continue  # the read ended (or failed, then read again): look again
            try:
                messages, upto = read_after(start)
            except BaseException:
                with self._lock:
                    feed.reading.set()
                    feed.reading = None
                raise
            with self._lock:
                feed.extend(messages, upto, generation)
                feed.reading.set()
                feed.reading = None
                if cursor >= feed.start:  # else more came than is kept: read alone
                    return feed.after(cursor), max(cursor, feed.upto)

    def forget(self, board_id: int) -> None:
        """The board's last stream in this process closed."""
        with self._lock:
            for key in [k for k in self._feeds if k[0] == board_id]:
                if self._feeds[key].reading is None:
                    del self._feeds[key]

    def _evict(self) -> None:
        if len(self._feeds) <= MAX_FEEDS:
            return
        idle = [k for k, f in self._feeds.items() if f.reading is None]
        for key in idle[: len(idle) // 2]:  # the oldest first (dicts keep order)
            del self._feeds[key]
