"""How fast the store answers, per backend: ``python tests/bench/bench_store.py [URL ...]``.

Without URLs it measures a temporary SQLite file, plus MariaDB and PostgreSQL
when ``FORGEBOT_TEST_MARIADB_URL`` / ``FORGEBOT_TEST_POSTGRES_URL`` are set
(each in a throwaway database or schema, as the tests do).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.store import Store  # noqa: E402
from tests.db_urls import MARIADB_ENV, POSTGRES_ENV, fresh_database  # noqa: E402

ROUNDS = 200


async def timed(label: str, rounds: int, step: Callable[[int], Awaitable[object]]) -> None:
    start = time.perf_counter()
    for i in range(rounds):
        await step(i)
    elapsed = time.perf_counter() - start
    print(f"  {label:<28} {rounds / elapsed:8.0f}/s  {elapsed / rounds * 1000:6.2f} ms each")


async def bench(url: str) -> None:
    store = await Store.open(url)
    now = datetime.now(UTC)
    try:
        await timed("link_add", ROUNDS, lambda i: store.link_add(f"irc:u{i}", f"a{i}", "bench"))
        await timed("account_for", ROUNDS, lambda i: store.account_for(f"irc:u{i}"))
        await timed(
            "audit",
            ROUNDS,
            lambda i: store.audit(
                actor_account="a",
                chat_key="irc:a",
                platform="irc",
                action="restart",
                tool="t",
                target="job:x",
                result="ok",
            ),
        )

        async def create_and_take(i: int) -> object:
            code = await store.confirmation_create(
                chat_key=f"irc:u{i}",
                command="restart",
                arguments={},
                description="",
                now=now,
                ttl_seconds=60,
            )
            return await store.confirmation_take(chat_key=f"irc:u{i}", code=code, now=now)

        await timed("confirmation create+take", ROUNDS, create_and_take)
        start = time.perf_counter()
        await asyncio.gather(*(store.account_for(f"irc:u{i}") for i in range(ROUNDS)))
        print(f"  {'account_for x200 gathered':<28} {time.perf_counter() - start:8.3f} s")
    finally:
        await store.close()


async def main(urls: list[str]) -> None:
    if urls:
        for url in urls:
            print(url)
            await bench(url)
        return
    backends = ["sqlite"] + [
        name
        for name, env in (("mariadb", MARIADB_ENV), ("postgres", POSTGRES_ENV))
        if os.environ.get(env)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            with fresh_database(backend, Path(tmp)) as url:
                print(backend)
                await bench(url)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
