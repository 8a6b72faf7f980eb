"""The board feed (board/live/feed.py): the streams of a board share one read
of the Event table per change, each gets the messages after its own cursor,
once and in order, and a stream the kept messages do not cover reads the
table itself."""

from __future__ import annotations

import threading

import pytest

from board.live import feed as feed_module
from board.live.feed import Feeds

KEY = (1, True, False)  # board 1, comments shown, not a meeting page


class Table:
    """Stands in for the Event table: the board's committed event ids, and
    every read of it (the cursor it read after)."""

    def __init__(self, ids=()):
        self.ids = list(ids)
        self.reads: list[int] = []
        self.generation = 0  # the board's wake-up generation

    def commit(self, *ids):
        self.ids.extend(ids)
        self.generation += 1  # the broker wakes the board's streams

    def read_after(self, cursor):
        self.reads.append(cursor)
        new = [i for i in self.ids if i > cursor]
        return [(i, message(i)) for i in new], (new[-1] if new else cursor)

    def read(self, feeds, cursor, seen=None, **kwargs):
        return feeds.read(
            KEY,
            cursor,
            self.generation if seen is None else seen,
            lambda: self.generation,
            self.read_after,
            **kwargs,
        )


def message(event_id):
    return f"id: {event_id}\nevent: change\ndata: {{}}\n\n".encode()


def ids_in(data: bytes) -> list[int]:
    return [int(line[4:]) for line in data.decode().splitlines() if line.startswith("id: ")]


def test_streams_at_the_same_cursor_share_one_read():
    table, feeds = Table([1, 2, 3]), Feeds()
    table.commit(4)
    answers = [table.read(feeds, 3) for _ in range(100)]
    assert table.reads == [3]
    assert all(ids_in(data) == [4] and cursor == 4 for data, cursor in answers)


def test_a_stream_behind_the_others_gets_all_it_missed_in_order_without_a_read():
    table, feeds = Table([1]), Feeds()
    table.commit(2)
    table.read(feeds, 1)  # the quick streams had event 2
    table.commit(3)
    table.read(feeds, 2)
    table.commit(4, 5)
    data, cursor = table.read(feeds, 2)  # a quick one: events 3 to 5 read once
    # A slow stream, still at 1 and woken just now, takes 2 to 5 from memory.
    slow, slow_cursor = table.read(feeds, 1)
    assert table.reads == [1, 2, 3]
    assert ids_in(data) == [3, 4, 5] and cursor == 5
    assert ids_in(slow) == [2, 3, 4, 5] and slow_cursor == 5


def test_a_stream_from_before_the_kept_messages_reads_the_table_itself():
    table, feeds = Table([1, 2, 3, 4]), Feeds()
    table.commit(5)
    table.read(feeds, 4)
    # A browser reconnecting with Last-Event-ID 1: the feed starts at 4.
    data, cursor = table.read(feeds, 1)
    assert ids_in(data) == [2, 3, 4, 5] and cursor == 5
    assert table.reads == [4, 1]
    # ...and the feed is as it was: the others still share it.
    table.commit(6)
    assert ids_in(table.read(feeds, 5)[0]) == [6]
    assert ids_in(table.read(feeds, 1)[0]) == [2, 3, 4, 5, 6]


def test_only_the_newest_messages_are_kept(monkeypatch):
    monkeypatch.setattr(feed_module, "KEEP", 3)
    table, feeds = Table([1]), Feeds()
    table.read(feeds, 1)
    for event_id in range(2, 8):
        table.commit(event_id)
        table.read(feeds, event_id - 1)
    reads = len(table.reads)
    assert ids_in(table.read(feeds, 4)[0]) == [5, 6, 7]  # kept: no read
    assert len(table.reads) == reads
    assert ids_in(table.read(feeds, 3)[0]) == [4, 5, 6, 7]  # 4 is gone: a read
    assert table.reads[-1] == 3


def test_a_wake_up_the_feed_has_not_read_for_makes_it_read_from_where_it_was():
    table, feeds = Table([1]), Feeds()
    table.commit(2)
    table.read(feeds, 1)
    seen = table.generation
    table.commit(3)
    # A stream that saw the older generation takes what the feed has...
    assert ids_in(table.read(feeds, 2, seen=seen)[0]) == []
    assert table.reads == [1]
    # ...one woken for the new commit makes the feed read after 2.
    assert ids_in(table.read(feeds, 2)[0]) == [3]
    assert table.reads == [1, 2]


def test_max_age_reads_again_whatever_the_wake_ups_said():
    table, feeds = Table([1]), Feeds()
    table.read(feeds, 1)
    table.ids.append(2)  # committed, but the wake-up went missing
    assert ids_in(table.read(feeds, 1)[0]) == []
    assert ids_in(table.read(feeds, 1, max_age=0.0)[0]) == [2]
    assert table.reads == [1, 1]


def test_a_failed_read_fails_its_stream_and_the_next_one_reads_again():
    table, feeds = Table([1, 2]), Feeds()
    table.commit(3)

    def broken(cursor):
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        feeds.read(KEY, 2, table.generation, lambda: table.generation, broken)
    data, cursor = table.read(feeds, 2)
    assert ids_in(data) == [3] and cursor == 3


def test_concurrent_streams_wait_for_the_one_read_under_way():
    table, feeds = Table([1]), Feeds()
    table.commit(2)
    started, release = threading.Event(), threading.Event()

    def slow_read(cursor):
        started.set()
        release.wait(5)
        return table.read_after(cursor)

    results = []

    def stream():
        results.append(feeds.read(KEY, 1, table.generation, lambda: table.generation, slow_read))

    threads = [threading.Thread(target=stream) for _ in range(20)]
    threads[0].start()
    assert started.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert table.reads == [1]
    assert len(results) == 20 and all(ids_in(d) == [2] and c == 2 for d, c in results)


def test_other_kinds_of_stream_have_feeds_of_their_own():
    table, feeds = Table([1]), Feeds()
    table.commit(2)
    table.read(feeds, 1)
    hidden = feeds.read((1, False, False), 1, table.generation, lambda: 0, lambda c: ([], c))
    assert hidden == (b"", 1)


def test_the_boards_feeds_go_with_its_last_stream():
    table, feeds = Table([1]), Feeds()
    table.commit(2)
    table.read(feeds, 1)
    feeds.forget(1)
    table.read(feeds, 1)
    assert table.reads == [1, 1]


def test_more_events_in_one_read_than_are_kept_still_reach_the_stream(monkeypatch):
    monkeypatch.setattr(feed_module, "KEEP", 3)
    table, feeds = Table([1]), Feeds()
    table.read(feeds, 1)
    table.commit(2, 3, 4, 5, 6)  # an import: many Events in one transaction
    data, cursor = table.read(feeds, 1)
    assert ids_in(data) == [2, 3, 4, 5, 6] and cursor == 6
    assert ids_in(table.read(feeds, 3)[0]) == [4, 5, 6]
