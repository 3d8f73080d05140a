"""Benchmark ToolforgeClient against the sandbox: per-call cost, and fan-out under latency.

Run: .venv/bin/python tests/bench/bench_sandbox_client.py   (prints figures; not part of pytest)

The fan-out case is the announcement query "every tool still on python3.9":
one list_jobs per tool, all at once, against a gateway that takes 200 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
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


async def main() -> None:
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
