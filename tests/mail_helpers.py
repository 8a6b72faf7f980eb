"""A real SMTP server for the mail tests: aiosmtpd's Controller on
127.0.0.1 and a free port, in a thread of the test process.

    def test_x(make_app, smtp_server):
        app = make_app(**smtp_config(smtp_server))
        ...
        [mail] = smtp_server.wait_for(1)      # EmailMessage objects

`wait_for(count)` waits for the positive signal (the count-th message has
arrived), never a fixed time. `stop()` takes the server down (connections are
refused on its port) and `start()` brings it back on the same port.
`refuse_next(n, reply)` answers the next n messages' DATA with that reply
(e.g. "451 4.3.0 Prøv igen senere") to test temporary and permanent refusals.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, _server, _session, envelope):
        return self.server._receive(envelope)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.received: list[Received] = []
        self._refusals: list[str] = []
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    # --- the server's side ---------------------------------------------------

    def _receive(self, envelope) -> str:
        with self._changed:
            if self._refusals:
                return self._refusals.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message))
            self._changed.notify_all()
        return "250 OK"

    # --- what tests call -----------------------------------------------------

    def start(self) -> SmtpServer:
        assert self._controller is None, "already running"
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def messages(self) -> list[EmailMessage]:
        with self._changed:
            return [r.message for r in self.received]

    def refuse_next(self, count: int, reply: str) -> None:
        with self._changed:
            self._refusals.extend([reply] * count)

    def wait_for(self, count: int, timeout: float = 15) -> list[EmailMessage]:
        """The messages received, once there are at least `count` of them."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.received) >= count, timeout)
            got = len(self.received)
        assert arrived, f"the SMTP server received {got} messages, not {count}"
        return self.messages


def smtp_config(server: SmtpServer, **overrides) -> dict:
    """App settings that send mail to `server` (plain SMTP, no login)."""
    return {
        "SMTP_HOST": server.host,
        "SMTP_PORT": server.port,
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "MAIL_FROM": "Tiltagstavlen <tiltag@norddjurs.test>",
        "SMTP_TIMEOUT_SECONDS": 10,
        **overrides,
    }


@pytest.fixture
def smtp_server():
    """A running SMTP server that keeps what it receives (see module docstring)."""
    server = SmtpServer().start()
    yield server
    server.stop()
