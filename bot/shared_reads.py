"""Identical reads in flight at the same moment share one answer ("single flight").

When 200 people ask ``status`` of the same tool during an outage, the bot asks
the Toolforge API once, not 200 times: the first caller's read is kept in
flight and every caller with the same key awaits it. Nothing is kept after it
ends, so no answer is older than the moment it was asked for; only reads go
through here, never anything that changes a tool.

One caller giving up (a cancelled command) does not cancel the read for the
others; a read nobody waits for any more still ends on its own timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SharedReads(Generic[K, V]):
    """Reads by key: a second caller with a key already in flight awaits the first's read."""

    def __init__(self) -> None:
        self._in_flight: dict[K, asyncio.Future[V]] = {}

    def __len__(self) -> int:
        return len(self._in_flight)

    async def read(self, key: K, start: Callable[[], Awaitable[V]]) -> V:
        flight = self._in_flight.get(key)
        if flight is None:
            flight = asyncio.ensure_future(start())
            self._in_flight[key] = flight
            flight.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(flight)

    def _landed(self, key: K, done: asyncio.Future[V]) -> None:
        if self._in_flight.get(key) is done:
            del self._in_flight[key]
        if not done.cancelled():
            done.exception()  # retrieved: every waiter may have gone, the error is theirs
