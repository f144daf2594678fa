"""Real SMTP servers on 127.0.0.1 for the reminder tests: one that records what it
accepts (and can refuse chosen addresses, or be slow), and one that accepts the
connection and never says a word."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.ports import free_port


@dataclass
class RecordingHandler:
    """aiosmtpd handler. `replies` maps the start of an address ("refused") to the reply
    given to its RCPT TO ("550 5.1.1 No such mailbox"); `delay` holds each DATA that many
    seconds before accepting it."""

    replies: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    messages: list[tuple[list[str], str]] = field(default_factory=list)
    rcpt_attempts: Counter = field(default_factory=Counter)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        self.rcpt_attempts[address] += 1
        for start, reply in self.replies.items():
            if address.startswith(start):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def delivered_to(self) -> Counter:
        """How many messages each address received."""
        return Counter(rcpt for rcpts, _content in self.messages for rcpt in rcpts)


class RecordingServer:
    def __init__(self, handler: RecordingHandler):
        from aiosmtpd.controller import Controller

        self.handler = handler
        self.port = free_port()
        self._controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> RecordingServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()


class HangingServer:
    """Accepts every connection and never answers, as a wedged mail relay does."""

    def __init__(self):
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self._listener.accept()
            except TimeoutError:
                continue
            self.connections.append(conn)

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self.connections:
            conn.close()
        self._listener.close()


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
