"""The outbox across processes: ``forgebot run`` SIGKILLed in the middle of a fan-out to
600 people resumes after a restart with nobody missed and no more duplicates than
deliveries were in flight; two processes draining one outbox on PostgreSQL and MariaDB
deliver everything exactly once between them."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.announce_fanout import (
    STREAM,
    World,
    destinations,
    forgebot_run,
    open_counts,
    queue,
    stop,
    until_settled,
    world,
)
from tests.db_urls import backend_params, fresh_database

IN_FLIGHT = 8
LANES = 3  # zulip, slack, email


def expected(people: int) -> list[str]:
    return [STREAM] + [where for i in range(people) for where in destinations(i)]


def tally(w: World, people: int) -> tuple[list[str], int]:
    """Destinations that got nothing, and the messages beyond one per destination."""
    received = w.received()
    wanted = expected(people)
    missed = [where for where in wanted if received[where] == 0]
    extra = sum(n - 1 for n in received.values() if n > 1)
    assert set(received) <= set(wanted), "a message went somewhere it should not"
    return missed, extra


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("sqlite", tmp_path) as url:
        yield url


async def test_sigkill_mid_fanout_then_restart_misses_nobody(
    tmp_path: Path, sqlite_url: str
) -> None:
    people = 600
    async with world(tmp_path) as w:
        store = await Store.open(sqlite_url)
        try:
            number = await queue(store, people)
            total = len(expected(people))
            config, env = w.config(sqlite_url, in_flight=IN_FLIGHT), w.env()
            first = await forgebot_run(config, env)
            try:
                await _until(lambda: sum(w.received().values()) >= total // 3, first)
            finally:
                await stop(first, signal.SIGKILL)
            at_kill = sum(w.received().values())
            in_flight = (await open_counts(store, number))["claimed"]
            second = await forgebot_run(config, env)
            try:
                await until_settled(store, number)
            finally:
                await stop(second)
            missed, extra = tally(w, people)
            counts = await open_counts(store, number)
        finally:
            await store.close()
    print(f"\nkill test: {people} recipients, {total} deliveries; SIGKILL after {at_kill} "
          f"messages; claims in flight at the kill: {in_flight} (bound {LANES} lanes x "
          f"{IN_FLIGHT} = {LANES * IN_FLIGHT}); duplicates {extra}; missed {len(missed)}; "
          f"final {dict(counts)}")  # fmt: skip
    assert missed == []
    assert extra <= in_flight <= LANES * IN_FLIGHT
    assert counts == {"sent": total}


@pytest.mark.parametrize("backend", [p for p in backend_params() if p.id != "sqlite"])
async def test_two_processes_drain_one_outbox_exactly_once(tmp_path: Path, backend: str) -> None:
    people = 400
    async with world(tmp_path) as w:
        with fresh_database(backend, tmp_path) as url:
            store = await Store.open(url)
            try:
                number = await queue(store, people)
                config, env = w.config(url), w.env()
                procs = await asyncio.gather(forgebot_run(config, env), forgebot_run(config, env))
                try:
                    await until_settled(store, number)
                finally:
                    await asyncio.gather(*(stop(p) for p in procs))
                rows = await store.announcement_deliveries(number)
            finally:
                await store.close()
        missed, extra = tally(w, people)
    workers = {d.claimed_by for d in rows}
    print(f"\ntwo processes on {backend}: {len(rows)} deliveries, by worker "
          f"{sorted(sum(d.claimed_by == x for d in rows) for x in workers)}")  # fmt: skip
    assert (missed, extra) == ([], 0)
    assert all(d.status == "sent" and d.attempts == 1 for d in rows)
    assert len(workers) == 2, "both processes took part"


async def _until(
    condition: Callable[[], bool], proc: asyncio.subprocess.Process, within: float = 60
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert proc.returncode is None, f"forgebot run exited with {proc.returncode}"
        assert loop.time() < deadline, "the fan-out did not get going"
        await asyncio.sleep(0.01)
