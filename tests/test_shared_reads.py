"""Identical reads in flight share one answer; one caller giving up costs the others nothing."""

from __future__ import annotations

import asyncio

import pytest

from bot.shared_reads import SharedReads
from tests.support import wait_until


class Source:
    """A read held until released, counting how often it was started."""

    def __init__(self) -> None:
        self.started = 0
        self.release = asyncio.Event()
        self.fail: Exception | None = None

    async def read(self) -> int:
        self.started += 1
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return self.started


async def test_callers_of_one_key_share_one_read_and_others_do_not() -> None:
    reads: SharedReads[str, int] = SharedReads()
    a, b = Source(), Source()
    waiting = [asyncio.ensure_future(reads.read("a", a.read)) for _ in range(5)]
    other = asyncio.ensure_future(reads.read("b", b.read))
    await wait_until(lambda: a.started == 1 and b.started == 1, "both reads started")
    assert len(reads) == 2
    a.release.set()
    b.release.set()
    assert await asyncio.gather(*waiting) == [1] * 5
    assert await other == 1
    assert (a.started, b.started) == (1, 1)
    assert len(reads) == 0  # nothing is kept once answered
    a.release = asyncio.Event()
    again = asyncio.ensure_future(reads.read("a", a.read))
    await wait_until(lambda: a.started == 2, "a second read, started afresh")
    a.release.set()
    assert await again == 2


async def test_an_error_reaches_every_caller_and_is_not_kept() -> None:
    reads: SharedReads[str, int] = SharedReads()
    source = Source()
    source.fail = RuntimeError("the service is down")
    waiting = [asyncio.ensure_future(reads.read("k", source.read)) for _ in range(3)]
    await wait_until(lambda: source.started == 1, "the read started")
    source.release.set()
    for outcome in await asyncio.gather(*waiting, return_exceptions=True):
        assert isinstance(outcome, RuntimeError) and str(outcome) == "the service is down"
    source.fail = None
    assert await reads.read("k", source.read) == 2


async def test_one_caller_cancelled_does_not_cancel_the_read_for_the_others() -> None:
    reads: SharedReads[str, int] = SharedReads()
    source = Source()
    first = asyncio.ensure_future(reads.read("k", source.read))
    second = asyncio.ensure_future(reads.read("k", source.read))
    await wait_until(lambda: source.started == 1, "the read started")
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    source.release.set()
    assert await second == 1
    assert source.started == 1
