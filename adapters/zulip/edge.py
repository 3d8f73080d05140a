"""The synchronous ``zulip.Client``, kept at the edge in a thread of its own.

Every call of one client runs in one daemon thread, so the asyncio loop never
blocks on ``requests`` and a client's session is never used by two threads.
Daemon, because a long poll still parked when the bot stops must not hold
the process open (it ends at the server's next heartbeat anyway).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import zulip

_Job = tuple[Callable[[], Any], "concurrent.futures.Future[Any]"]


@dataclass(frozen=True)
class ZulipResult:
    """A decoded API answer with the HTTP facts the library hides from us."""

    body: dict[str, Any]
    status: int | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.body.get("result") == "success"

    @property
    def code(self) -> str:
        return str(self.body.get("code", ""))

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.code == "RATE_LIMIT_HIT"

    @property
    def queue_expired(self) -> bool:
        msg = str(self.body.get("msg", ""))
        return self.code == "BAD_EVENT_QUEUE_ID" or msg.lower().startswith("bad event queue id")

    @property
    def server_error(self) -> bool:
        return self.status is not None and self.status >= 500

    def describe(self) -> str:
        return f"HTTP {self.status}: {self.code or self.body.get('msg', 'error')}"


def parse_retry_after(header: str | None, body_value: object = None) -> float | None:
    """Seconds to wait: the ``Retry-After`` header (seconds or a date) or Zulip's body field."""
    waits: list[float] = []
    if header:
        try:
            waits.append(float(header))
        except ValueError:
            try:
                waits.append(parsedate_to_datetime(header).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    if isinstance(body_value, int | float | str):
        try:
            waits.append(float(body_value))
        except ValueError:
            pass
    return max(0.0, max(waits)) if waits else None


class ClientThread:
    """One ``zulip.Client`` and the only thread that ever touches it."""

    def __init__(self, factory: Callable[[], zulip.Client], name: str) -> None:
        self._factory = factory
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._client: zulip.Client | None = None
        self._last: tuple[int | None, str | None] = (None, None)

    async def start(self) -> None:
        """Build the client in its thread (the constructor already talks to the server).

        May be called again after it raised: the thread stays, the client is rebuilt.
        """
        if not self._thread.is_alive():
            self._thread.start()
        await self._submit(self._build)

    async def call(self, method: str, *args: Any, **kwargs: Any) -> ZulipResult:
        """Call ``zulip.Client.<method>``; network failures raise, API errors are results."""

        def job() -> ZulipResult:
            assert self._client is not None
            self._last = (None, None)
            body = getattr(self._client, method)(*args, **kwargs)
            status, header = self._last
            return ZulipResult(body, status, parse_retry_after(header, body.get("retry-after")))

        result: ZulipResult = await self._submit(job)
        return result

    def close(self) -> None:
        self._jobs.put(None)

    def _build(self) -> None:
        client = self._factory()
        client.ensure_session()
        assert client.session is not None
        client.session.hooks["response"].append(self._remember)
        self._client = client

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = (response.status_code, response.headers.get("Retry-After"))

    async def _submit(self, fn: Callable[[], Any]) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._jobs.put((fn, future))
        return await asyncio.wrap_future(future)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as error:  # handed to the awaiting coroutine
                future.set_exception(error)
