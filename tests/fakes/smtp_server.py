"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

It runs in aiosmtpd's own thread; a test can make it refuse some
recipients (``550``) or every message for a while (``451``, as a server in
trouble does), and read the messages it accepted.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    to: list[str]
    message: Message

    @property
    def text(self) -> str:
        payload = self.message.get_payload(decode=True)
        return payload.decode() if isinstance(payload, bytes) else str(payload)


@dataclass
class _Handler:
    refuse: set[str] = field(default_factory=set)
    busy: int = 0  # answer 451 to this many more messages
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:  # fmt: skip
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.busy > 0:
                self.busy -= 1
                return "451 4.3.0 try again later"
            self.received.append(Received(list(envelope.rcpt_tos),
                                          message_from_bytes(envelope.content)))  # fmt: skip
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """``with SmtpServer() as smtp:`` a server at ``smtp.host``:``smtp.port``."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.host, self.port = "127.0.0.1", free_port()
        self._controller = Controller(self.handler, hostname=self.host, port=self.port)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(self.received) < count:
            if loop.time() > deadline:
                raise TimeoutError(f"{len(self.received)} mails arrived, not {count}")
            await asyncio.sleep(0.02)
        return self.received
