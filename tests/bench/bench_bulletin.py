"""What the news and reminders cost, per backend: ``python tests/bench/bench_bulletin.py``.

Twenty current or upcoming announcements, one of them to the maintainers of
2,000 tools (one delivery each): how long ``news``, the aside of ``status
<tool>`` (a tool the big one names, and one nobody names) and a reminder tick
over the 2,000 take. SQLite always; MariaDB and PostgreSQL when
``FORGEBOT_TEST_MARIADB_URL`` / ``FORGEBOT_TEST_POSTGRES_URL`` are set.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.bulletin.news import tool_news  # noqa: E402
from bot.bulletin.reading import news  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.bulletin_support import T0, announce, channel, deliver_all, person  # noqa: E402
from tests.db_urls import MARIADB_ENV, POSTGRES_ENV, fresh_database  # noqa: E402

ROUNDS = 50
RECIPIENTS = 2000


async def timed(label: str, rounds: int, step: Callable[[], Awaitable[object]]) -> None:
    start = time.perf_counter()
    for _ in range(rounds):
        await step()
    elapsed = time.perf_counter() - start
    print(f"  {label:<34} {elapsed / rounds * 1000:8.2f} ms each ({rounds} rounds)")


async def bench(url: str) -> None:
    store = await Store.open(url)
    try:
        people = [person(f"m{i}", f"zulip:{i}", f"tool-{i}") for i in range(RECIPIENTS)]
        await announce(store, "Grid shutdown", *people, severity="deprecation",
                       start=timedelta(days=2))  # fmt: skip
        for n in range(19):
            await announce(store, f"Window {n}", channel("irc:#wikimedia-cloud"),
                           start=timedelta(hours=n - 1), length=timedelta(hours=3))  # fmt: skip
        start = time.perf_counter()
        await deliver_all(store, T0, ("zulip", "irc"))
        print(f"  {'deliver 2,019 rows (claim+complete)':<34} "
              f"{(time.perf_counter() - start) * 1000:8.0f} ms")  # fmt: skip
        await timed("news (all)", ROUNDS, lambda: news(store, T0))
        await timed("status aside, a named tool", ROUNDS, lambda: tool_news(store, "tool-1999", T0))
        await timed("status aside, a tool nobody names", ROUNDS, lambda: tool_news(store, "x", T0))
        later = T0 + timedelta(hours=25)
        start = time.perf_counter()
        queued = 0
        while found := await store.reminders_queue(
            now=later, every=timedelta(hours=24), most=2, before_window=timedelta(0)
        ):
            if not sum(found):
                break
            queued += found[0]
        print(f"  {'queue 2,000 reminders (500/tick)':<34} "
              f"{(time.perf_counter() - start) * 1000:8.0f} ms ({queued} queued)")  # fmt: skip
    finally:
        await store.close()


async def main() -> None:
    backends = ["sqlite"] + [b for b, env in (("mariadb", MARIADB_ENV),
                                              ("postgres", POSTGRES_ENV)) if os.environ.get(env)]
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
            print(backend)
            await bench(url)


if __name__ == "__main__":
    asyncio.run(main())
