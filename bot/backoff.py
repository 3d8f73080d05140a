"""Waiting between attempts, the same way everywhere.

Every connection forgebot keeps (IRC, Zulip, Slack) and every call it may
repeat (Toolforge GETs, database transactions that lost a race) waits with
:class:`Backoff`: exponential, capped, with "equal jitter" (between half and
all of the ceiling, so that many clients do not retry in step), reset after
a success. A server's own ``Retry-After`` wins when it asks for longer.

A small module rather than tenacity or stamina: the reconnect loops run
forever and reset after a connection that stayed up, the chat APIs dictate
their own waits, and the database retries run in a worker thread; expressed
through a retry library's decorators each of those needs a custom strategy,
and the library is one more import on every start.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays of ``initial * 2**n``, at most ``maximum``, jittered; ``reset()`` starts over."""

    initial: float
    maximum: float
    rng: random.Random = field(default_factory=random.Random, repr=False)
    attempt: int = 0

    def next(self) -> float:
        """The next delay, in seconds (and count one more attempt)."""
        ceiling = min(self.maximum, self.initial * 2 ** min(self.attempt, 30))
        self.attempt += 1
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempt = 0

    async def wait(self, at_least: float | None = None) -> float:
        """Sleep for the next delay, or for ``at_least`` (a server's Retry-After) if longer."""
        delay = max(self.next(), at_least or 0.0)
        await asyncio.sleep(delay)
        return delay

    def wait_blocking(self) -> float:
        """The same, in a worker thread (database transactions)."""
        delay = self.next()
        time.sleep(delay)
        return delay
