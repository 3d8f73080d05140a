"""Benchmark the walking skeleton: router throughput and status latency against the sandbox.

Run: .venv/bin/python tests/bench/bench_core.py   (prints figures; not part of pytest)
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from process_stats import cpu_seconds, percentile  # noqa: E402

from adapters.console import ConsoleAdapter  # noqa: E402
from bot.app import open_bot  # noqa: E402
from bot.heap import settle  # noqa: E402
from bot.message import ChatIdentity, Message  # noqa: E402
from tests.support import sandbox_config  # noqa: E402

CHATTER = [
    "is toolforge down for anyone else?",
    "my webservice returns 502 since this morning",
    "!tfx not a command either",
    "thanks, that fixed it",
    "https://wikitech.wikimedia.org/wiki/Help:Toolforge",
]




CONCURRENT = (200, 1000)
ROUNDS = 3


def answers_status(lines: list[str]) -> bool:
    """The status headline (tool name in bold here: the console has colour), not an error
    reply, which names the tool too."""
    return bool(lines) and "sample-web" in lines[0] and ": web service " in lines[0] and (
        "error:" not in lines[0]
    )


async def fan_out(console: ConsoleAdapter, calls: int, api: int) -> tuple[float, float, float]:
    """``calls`` status commands at once: wall time, this process's CPU time and that of
    the sandbox (process ``api``)."""
    wall, cpu, api_cpu = time.perf_counter(), time.process_time(), cpu_seconds(api)
    results = await asyncio.gather(
        *(console.handle_line("status sample-web") for _ in range(calls))
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert all(answers_status(r) for r in results), results[0]
    return wall, cpu, cpu_seconds(api) - api_cpu


async def sandbox_process(latency: float) -> tuple[asyncio.subprocess.Process, str]:
    """The sandbox in its own process, as the real API is on another machine."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        "0",
        "--latency",
        str(latency),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode()
    return proc, next(word for word in line.split() if word.startswith("http"))


async def main() -> None:
    proc, url = await sandbox_process(0.0)
    slow_proc, slow_url = await sandbox_process(0.2)
    with tempfile.TemporaryDirectory() as tmp:
        stack = contextlib.AsyncExitStack()
        bot = await stack.enter_async_context(
            open_bot(sandbox_config(url, Path(tmp), timeout=10.0))
        )
        slow_bot = await stack.enter_async_context(
            open_bot(sandbox_config(slow_url, Path(tmp) / "slow", timeout=10.0))
        )
        console = ConsoleAdapter(bot, "bob", stdin=io.StringIO(), stdout=io.StringIO(), colour=True)
        speaker = ChatIdentity("irc", None, "someone")
        settle()  # as forgebot run and console do once assembled

        n = 50_000
        start = time.perf_counter()
        for i in range(n):
            reply = await bot.handle(
                Message("irc", speaker, CHATTER[i % len(CHATTER)], room="#wikimedia-cloud")
            )
            assert reply is None
        elapsed = time.perf_counter() - start
        print(f"chatter through the router: {n / elapsed:,.0f} messages/s ({n} messages)")

        for _ in range(20):  # warm up connections
            await console.handle_line("status sample-web")
        samples = []
        for _ in range(300):
            t0 = time.perf_counter()
            lines = await console.handle_line("status sample-web")
            samples.append((time.perf_counter() - t0) * 1000)
            assert answers_status(lines), lines
        median = statistics.median(samples)
        print(
            f"status sample-web, zero injected latency: median {median:.2f} ms, "
            f"p99 {percentile(samples, 99):.2f} ms (300 sequential)"
        )

        slow = ConsoleAdapter(slow_bot, "bob", stdin=io.StringIO(), stdout=io.StringIO())
        await slow.handle_line("status sample-web")
        for calls in CONCURRENT:
            await fan_out(slow, calls, slow_proc.pid)  # open the connections, as a bot has
            runs = [await fan_out(slow, calls, slow_proc.pid) for _ in range(ROUNDS)]
            wall, cpu, api = (statistics.median(r[i] for r in runs) for i in range(3))
            print(
                f"{calls} concurrent status commands, 200 ms API latency: wall time "
                f"{wall * 1000:.0f} ms, bot CPU {cpu * 1000:.0f} ms, sandbox CPU "
                f"{api * 1000:.0f} ms (median of {ROUNDS})"
            )

        await stack.aclose()
    for p in (proc, slow_proc):
        p.terminate()
        await p.wait()


if __name__ == "__main__":
    asyncio.run(main())
