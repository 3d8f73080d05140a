"""A small async cache with a time to live, negative entries and one load per key at a time.

An entry older than its TTL is never answered: it is loaded again, and if
that load fails the failure is what the caller gets. "Not found" (``None``)
is cached too, for its own (usually shorter) TTL, so a flood of questions
about a tool that does not exist asks the directory once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V | None
    expires: float


class TtlCache(Generic[K, V]):
    def __init__(
        self,
        ttl: float,
        negative_ttl: float,
        *,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[K, _Entry[V]] = {}
        self._loading: dict[K, asyncio.Future[V | None]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V | None]]) -> V | None:
        """The cached value of ``key`` while fresh; otherwise what ``load`` returns now."""
        entry = self._entries.get(key)
        if entry is not None and entry.expires > self.clock():
            return entry.value
        pending = self._loading.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._load(key, load))
            self._loading[key] = pending
            pending.add_done_callback(lambda _: self._loading.pop(key, None))
        # Shielded: one caller giving up does not cancel the load the others wait for.
        return await asyncio.shield(pending)

    async def _load(self, key: K, load: Callable[[], Awaitable[V | None]]) -> V | None:
        value = await load()
        ttl = self.ttl if value is not None else self.negative_ttl
        if ttl > 0:
            if key not in self._entries and len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest insertion
            self._entries[key] = _Entry(value, self.clock() + ttl)
        return value

    def clear(self) -> None:
        self._entries.clear()
