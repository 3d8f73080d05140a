"""The directory's cache: one load per key at a time, TTLs, negative entries, no stale answers."""

from __future__ import annotations

import asyncio

import pytest

from bot.ttl_cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_concurrent_askers_share_one_load() -> None:
    cache: TtlCache[str, int] = TtlCache(60, 10, clock=Clock())
    loads = 0
    gate = asyncio.Event()

    async def load() -> int:
        nonlocal loads
        loads += 1
        await gate.wait()
        return 7

    waiting = [asyncio.create_task(cache.get("k", load)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == [7] * 50
    assert loads == 1


async def test_answers_expire_and_none_is_cached_for_its_own_ttl() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(60, 10, clock=clock)
    answers = iter([1, 2, None, 3])

    async def load() -> int | None:
        return next(answers)

    assert await cache.get("a", load) == 1
    clock.now = 59
    assert await cache.get("a", load) == 1
    clock.now = 61
    assert await cache.get("a", load) == 2
    assert await cache.get("b", load) is None
    clock.now = 70
    assert await cache.get("b", load) is None
    clock.now = 72
    assert await cache.get("b", load) == 3


async def test_a_failed_load_is_not_cached_and_an_expired_answer_is_not_served() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(60, 10, clock=clock)
    failing = True

    async def load() -> int:
        if failing:
            raise ConnectionError("down")
        return 5

    failing = False
    assert await cache.get("a", load) == 5
    clock.now = 61
    failing = True
    with pytest.raises(ConnectionError):
        await cache.get("a", load)
    failing = False
    assert await cache.get("a", load) == 5


async def test_the_oldest_entry_goes_when_full() -> None:
    cache: TtlCache[int, int] = TtlCache(60, 10, max_entries=3, clock=Clock())
    loads: list[int] = []

    async def load_of(key: int) -> int:
        loads.append(key)
        return key

    for key in (1, 2, 3, 4):
        await cache.get(key, lambda k=key: load_of(k))
    await cache.get(4, lambda: load_of(4))
    await cache.get(1, lambda: load_of(1))
    assert loads == [1, 2, 3, 4, 1]
