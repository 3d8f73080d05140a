"""Token-bucket flood control for outgoing lines.

The classic ircd rule (RFC 1459 8.10, still what Solanum on Libera.Chat
enforces in spirit): a client may burst a few lines, then about one line
every two seconds before the server starts to lag or disconnect it. The
defaults mirror that: a burst of 5, refilled at 0.5 lines per second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` per second; ``rate <= 0`` means no limit."""

    def __init__(
        self,
        capacity: float,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError("a token bucket needs room for at least one token")
        self.capacity = float(capacity)
        self.rate = float(rate)
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 when one is)."""
        if self.unlimited:
            return 0.0
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def try_take(self) -> bool:
        if self.unlimited:
            return True
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    async def take(self) -> None:
        """Spend a token, waiting for it if the bucket is empty.

        The token is reserved before waiting (the balance may go below zero),
        so concurrent callers queue up in order instead of racing.
        """
        if self.unlimited:
            return
        self._refill()
        self._tokens -= 1
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / self.rate)
