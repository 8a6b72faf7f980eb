"""Reading Server-Sent Events in tests, always with a deadline.

`SSEReader` parses the text/event-stream format from any iterator of byte
chunks (the Flask test client's streamed response, or a socket); `read_until`
stops at a condition or the deadline, whichever comes first, so a test never
hangs on a stream.

`drag` is the one mouse drag of the browser tests (moves and live).
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field

from playwright.sync_api import expect


@dataclass
class SSEMessage:
    event: str = "message"
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)

    @property
    def json(self):
        return json.loads(self.data)


class SSEParser:
    def __init__(self) -> None:
        self.buffer = ""
        self.comments: list[str] = []
        self.retry: int | None = None

    def feed(self, text: str) -> list[SSEMessage]:
        self.buffer += text.replace("\r\n", "\n")
        messages = []
        while "\n\n" in self.buffer:
            block, self.buffer = self.buffer.split("\n\n", 1)
            message = SSEMessage()
            has_data = False
            for line in block.split("\n"):
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    continue
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "event":
                    message.event = value
                elif name == "id":
                    message.id = value
                elif name == "data":
                    message.data += ("\n" if has_data else "") + value
                    has_data = True
                elif name == "retry":
                    self.retry = int(value)
            if has_data:
                messages.append(message)
        return messages


class SSEReader:
    """Reads a stream chunk by chunk. `chunks` must yield regularly (the
    stream's heartbeats do, and tests set LIVE_HEARTBEAT_SECONDS small)."""

    def __init__(self, chunks, closer=None) -> None:
        self.chunks = iter(chunks)
        self.closer = closer
        self.parser = SSEParser()
        self.messages: list[SSEMessage] = []
        self.ended = False

    def read_until(self, condition, timeout: float = 5.0) -> list[SSEMessage]:
        deadline = time.monotonic() + timeout
        while not condition(self.messages) and time.monotonic() < deadline and not self.ended:
            try:
                chunk = next(self.chunks)
            except StopIteration:
                self.ended = True
                break
            if isinstance(chunk, bytes):
                chunk = chunk.decode("utf-8")
            self.messages.extend(self.parser.feed(chunk))
        return self.messages

    def changes(self) -> list[SSEMessage]:
        return [m for m in self.messages if m.event == "change"]

    def wait_for_changes(self, n: int, timeout: float = 5.0) -> list[SSEMessage]:
        self.read_until(lambda ms: len([m for m in ms if m.event == "change"]) >= n, timeout)
        return self.changes()

    def close(self) -> None:
        if self.closer:
            self.closer()


def wait_until_connected(reader: SSEReader, timeout: float = 5.0) -> None:
    """The stream's first bytes (": connected") have arrived: it is open and
    has its starting point, so what happens from now on it will send."""
    reader.read_until(lambda ms: "connected" in reader.parser.comments, timeout)
    assert "connected" in reader.parser.comments, "the stream did not open"


def open_test_stream(client, url: str, headers=None) -> tuple:
    """(response, SSEReader) for the Flask test client."""
    response = client.get(url, headers=headers or {}, buffered=False)
    if response.status_code != 200:
        return response, None
    return response, SSEReader(response.response, closer=response.close)


def open_http_stream(base_url: str, path: str, headers=None, timeout: float = 5.0) -> tuple:
    """(status, SSEReader) for a real server: a socket read with a timeout,
    so a silent server fails the test instead of hanging it."""
    host = base_url.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=timeout)
    conn.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
    response = conn.getresponse()

    def chunks():
        while True:
            try:
                line = response.readline()  # de-chunks the body
            except (TimeoutError, OSError, http.client.HTTPException):
                return
            if not line:
                return
            yield line

    if response.status != 200:
        conn.close()
        return response.status, None
    return response.status, SSEReader(chunks(), closer=conn.close)


# --- dragging a card in a real browser ---------------------------------------

# Resolves true once the ghost (the dragged card's place in its list:
# `ghostClass` in static/js/moves.js; the floating copy under the pointer is
# `.sortable-fallback`) covers the point, false after `timeout` ms. Polled in
# the page with requestAnimationFrame: the CSP forbids the eval that
# `page.wait_for_function` needs.
_GHOST_COVERS_POINT = """([x, y, timeout]) => new Promise((resolve) => {
  const started = performance.now();
  (function check() {
    const ghost = document.querySelector(".card-ghost:not(.sortable-fallback)");
    const r = ghost && ghost.getBoundingClientRect();
    if (r && x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return resolve(true);
    if (performance.now() - started > timeout) return resolve(false);
    requestAnimationFrame(check);
  })();
})"""


def drag(page, source, target_box_point, grab=(30, 12), timeout: float = 5000) -> None:
    """A real mouse drag from `grab` pixels into `source` to the page point
    `target_box_point` (Sortable's fallback follows mouse events). Each step
    waits for Sortable's own signal, never a fixed time: the pressed card is
    chosen, the drag has started, and the card's place in the lists (the
    ghost) has reached the target point; only then is the button released.
    The target point must be where the card should land (on the part of a
    card it should take the place of, or in an empty list)."""
    box = source.bounding_box()
    start_x, start_y = box["x"] + grab[0], box["y"] + grab[1]
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    expect(page.locator(".card-chosen").first).to_be_attached()
    x, y = target_box_point
    page.mouse.move(x, y, steps=15)
    expect(page.locator(".sortable-fallback")).to_have_count(1)
    landed = page.evaluate(_GHOST_COVERS_POINT, [x, y, timeout])
    page.mouse.up()
    assert landed, f"Sortable did not move the card to ({x:.0f}, {y:.0f})"
