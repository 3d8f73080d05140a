"""Benchmark ToolforgeClient against the sandbox: per-call cost, and fan-out under latency.

Run: .venv/bin/python tests/bench/bench_sandbox_client.py [transports]
(prints figures; not part of pytest)

The fan-out case is the announcement query "every tool still on python3.9":
one list_jobs per tool, all at once, against a gateway that takes 200 ms.

``transports``: the same GETs (200 and 1000 at once, 200 ms latency, the
sandbox in another process) through httpx over aiohttp (httpx-aiohttp, what
the client used) and through aiohttp directly (what it uses now): wall time
and this process's CPU time, median of a few rounds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.toolforge import ToolforgeClient  # noqa: E402
from bot.toolforge.sandbox import Sandbox  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


async def sequential(api: ToolforgeClient, calls: int) -> list[float]:
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        await api.list_jobs("sample-cron")
        timings.append(time.perf_counter() - started)
    return timings


async def fan_out(api: ToolforgeClient, box: Sandbox, calls: int, latency: float) -> float:
    box.latency = latency
    box.max_in_flight = 0
    started = time.perf_counter()
    await asyncio.gather(*(api.list_jobs("sample-legacy") for _ in range(calls)))
    box.latency = 0.0
    return time.perf_counter() - started


async def _sandbox_process(latency: float) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--port", "0", "--latency", str(latency),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode()
    return proc, next(word for word in line.split() if word.startswith("http"))


async def _race(get: Callable[[], Awaitable[object]], calls: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(get() for _ in range(calls)))
    return time.perf_counter() - wall, time.process_time() - cpu


async def transports(rounds: int = 5) -> None:
    import aiohttp
    import httpx
    from httpx_aiohttp import AiohttpTransport

    proc, url = await _sandbox_process(0.2)
    path = url + "/jobs/v1/tool/sample-legacy/jobs"
    unlimited = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    try:
        async with (
            httpx.AsyncClient(
                transport=AiohttpTransport(limits=unlimited), timeout=httpx.Timeout(60)
            ) as over,
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(60)
            ) as direct,
        ):

            async def via_httpx() -> object:
                response = await over.get(path)
                return response.json()

            async def via_aiohttp() -> object:
                async with direct.get(path) as response:
                    return json.loads(await response.read())

            for calls in (200, 1000):
                for label, get in (("httpx-aiohttp", via_httpx), ("aiohttp", via_aiohttp)):
                    await _race(get, calls)  # open the connections
                    runs = [await _race(get, calls) for _ in range(rounds)]
                    wall = statistics.median(r[0] for r in runs)
                    cpu = statistics.median(r[1] for r in runs)
                    print(
                        f"{calls:5} concurrent GETs, 200 ms latency, {label:<14} "
                        f"wall {wall:.3f} s, CPU {cpu * 1000:5.0f} ms "
                        f"({cpu / calls * 1e6:.0f} us per request)"
                    )
    finally:
        proc.terminate()
        await proc.wait()


async def main() -> None:
    if sys.argv[1:] == ["transports"]:
        await transports()
        return
    async with Sandbox() as box, ToolforgeClient(box.base_url) as api:
        await sequential(api, 20)  # warm up connections and imports
        timings = await sequential(api, 500)
        print(
            f"list_jobs, one at a time: median {statistics.median(timings) * 1000:.2f} ms, "
            f"p95 {percentile(timings, 95) * 1000:.2f} ms"
        )
        logs = [f"line {i}" for i in range(5000)]
        box.append_logs("sample-web", "webservice", logs)
        started = time.perf_counter()
        entries = await api.job_logs("sample-web", "webservice", 5000)
        print(f"job_logs 5000 lines (10 pages): {(time.perf_counter() - started) * 1000:.0f} ms")
        assert len(entries) == 5000
        for calls in (200, 1000):
            elapsed = await fan_out(api, box, calls, 0.2)
            print(
                f"{calls} concurrent list_jobs, 200 ms gateway latency: {elapsed:.2f} s "
                f"(at most {box.max_in_flight} in flight; serial would take {calls * 0.2:.0f} s)"
            )


if __name__ == "__main__":
    asyncio.run(main())
