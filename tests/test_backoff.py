"""The one backoff every reconnect loop and retried call uses."""

from __future__ import annotations

import asyncio
import random

from bot.backoff import Backoff


def test_backoff_grows_with_jitter_and_caps() -> None:
    backoff = Backoff(1.0, 60.0, rng=random.Random(1))
    delays = [backoff.next() for _ in range(10)]
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0 and 2.0 <= delays[2] <= 4.0
    assert all(30.0 <= d <= 60.0 for d in delays[6:])
    assert len({round(d, 6) for d in delays}) == len(delays)


def test_reset_starts_over() -> None:
    backoff = Backoff(1.0, 60.0, rng=random.Random(2))
    for _ in range(8):
        backoff.next()
    backoff.reset()
    assert 0.5 <= backoff.next() <= 1.0


async def test_a_servers_retry_after_wins_when_it_is_longer() -> None:
    backoff = Backoff(0.001, 0.002)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await backoff.wait(at_least=0.05) == 0.05
    assert loop.time() - started >= 0.05
    assert await backoff.wait() <= 0.002
