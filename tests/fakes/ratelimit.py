"""A platform's rate limit, as a fake server applies it: token buckets that answer 429.

Zulip's default is 200 API requests a minute per user; Slack allows
chat.postMessage about one message a second per channel (short bursts
allowed) and several hundred a minute per workspace. A fake given a limit
answers what the real server answers past it: 429 with ``Retry-After``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float = -1.0
    at: float = field(default_factory=time.monotonic)

    def take(self) -> float:
        """0 when a request may pass (and takes a token); else seconds until one may."""
        now = time.monotonic()
        if self.tokens < 0:
            self.tokens = self.capacity
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


@dataclass
class RateLimit:
    """One bucket for everything and one per key (a channel), each optional."""

    overall: Bucket | None = None
    per_key: tuple[float, float] | None = None  # capacity, per second
    _keys: dict[str, Bucket] = field(default_factory=dict)
    refused: int = 0

    def wait(self, key: str = "") -> float:
        waits = []
        if self.per_key is not None:
            bucket = self._keys.setdefault(key, Bucket(*self.per_key))
            waits.append(bucket.take())
        if self.overall is not None and not any(waits):
            waits.append(self.overall.take())
        wait = max(waits, default=0.0)
        self.refused += wait > 0
        return wait
