"""Benchmark the Zulip and Slack adapters against their fake servers.

For each adapter: median and p99 latency of one command at a time (message
in at the fake server -> reply recorded by the fake server), and commands
per second with many in flight. Each runs twice: with a trivial core (the
adapter's own cost) and with the real Bot answering ``status`` from the
Toolforge sandbox.

Run: .venv/bin/python tests/bench/bench_zulip_slack.py   (prints figures; not part of pytest)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from process_stats import percentile  # noqa: E402

from adapters.slack import SlackAdapter, SlackConfig  # noqa: E402
from adapters.zulip import ZulipAdapter, ZulipConfig  # noqa: E402
from bot.app import SANDBOX_DATA, open_bot  # noqa: E402
from bot.config import LimitsSettings  # noqa: E402
from bot.message import Message  # noqa: E402
from bot.reply import Reply  # noqa: E402
from bot.toolforge.sandbox import Sandbox  # noqa: E402
from tests.fakes.core import TestCore
from tests.fakes.slack_server import FakeSlack  # noqa: E402
from tests.fakes.zulip_server import FakeZulip  # noqa: E402
from tests.support import sandbox_config  # noqa: E402

SECRET = "bench-signing-secret"
SEQUENTIAL = 200
CONCURRENT = 500


class Pong(TestCore):
    async def handle(self, message: Message) -> Reply:
        return Reply.text("pong: " + message.text)


async def until(done: Callable[[], bool], within: float = 60.0) -> None:
    """Polling, because the fakes record replies without signalling anyone; a reply
    that never comes (a refusal the bot answers with silence) fails the benchmark."""
    give_up = time.perf_counter() + within
    while not done():
        if time.perf_counter() > give_up:
            raise SystemExit(f"no reply within {within:.0f} s: is the bot refusing?")
        await asyncio.sleep(0.0005)


async def measure(name: str, send: Callable[[int], Awaitable[None]],
                  replies: Callable[[], int], sequential: int, concurrent: int) -> None:
    latencies = []
    for i in range(sequential):
        before = replies()
        started = time.perf_counter()
        await send(i)
        await until(lambda: replies() > before)  # noqa: B023 (awaited right here)
        latencies.append((time.perf_counter() - started) * 1000)
    before = replies()
    started = time.perf_counter()
    await asyncio.gather(*(send(sequential + i) for i in range(concurrent)))
    await until(lambda: replies() >= before + concurrent)
    rate = concurrent / (time.perf_counter() - started)
    print(f"{name:<44} {rate:8.0f} cmd/s   median {statistics.median(latencies):6.1f} ms"
          f"   p99 {percentile(latencies, 99):6.1f} ms")


@contextlib.asynccontextmanager
async def running(adapter: Any) -> AsyncIterator[None]:
    task = asyncio.create_task(adapter.run())
    await asyncio.wait_for(adapter.ready.wait(), 10)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def bench_zulip(label: str, bot: Any, text: str, scale: int) -> None:
    fake = FakeZulip(heartbeat=1.0)
    await fake.start()
    config = ZulipConfig(site=fake.url, email=fake.bot.email, api_key=fake.api_key)
    async with running(ZulipAdapter(config, bot)):

        async def send(i: int) -> None:
            fake.inject_dm(11, f"{text} {i}" if bot.__class__ is Pong else text)

        await measure(f"zulip  DM        {label}", send, lambda: len(fake.sent),
                      SEQUENTIAL // scale, CONCURRENT // scale)
    await fake.stop()


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest(),
            "Content-Type": "application/x-www-form-urlencoded"}


async def bench_slack(label: str, bot: Any, text: str, scale: int) -> None:
    fake = FakeSlack()
    await fake.start()
    socket = SlackAdapter(SlackConfig(bot_token=fake.bot_token, app_token=fake.app_token,
                                      base_url=fake.api_url), bot)
    async with running(socket):

        async def push(i: int) -> None:
            await fake.push("slash_commands", fake.slash("U0ALICE", text, response_id=str(i)))

        await measure(f"slack  socket /toolforge {label}", push, lambda: len(fake.responses),
                      SEQUENTIAL // scale, CONCURRENT // scale)

    http = SlackAdapter(SlackConfig(bot_token=fake.bot_token, signing_secret=SECRET, mode="http",
                                    base_url=fake.api_url), bot)
    runner = web.AppRunner(http.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events"  # type: ignore[union-attr]
    async with running(http), aiohttp.ClientSession() as session:

        async def post(i: int) -> None:
            body = urlencode(fake.slash("U0ALICE", text, response_id=str(i)))
            async with session.post(url, data=body, headers=signed(body)) as response:
                assert response.status == 200, await response.text()

        await measure(f"slack  http   /toolforge {label}", post, lambda: len(fake.responses),
                      SEQUENTIAL // scale, CONCURRENT // scale)
    await runner.cleanup()
    await fake.stop()


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    print(f"{'':<44} {'throughput':>14}   {'latency, one at a time':>30}")
    await bench_zulip("(trivial core)", Pong(), "ping", 1)
    await bench_slack("(trivial core)", Pong(), "ping", 1)
    sandbox = Sandbox(SANDBOX_DATA)
    await sandbox.start()
    with tempfile.TemporaryDirectory() as tmp:
        # one person asks hundreds of times: past the default limit the bot goes silent
        config = sandbox_config(sandbox.base_url, Path(tmp), timeout=10.0,
                                limits=LimitsSettings(commands="100000/minute"))  # fmt: skip
        async with open_bot(config) as bot:
            await bench_zulip("status (real core)", bot, "status sample-web", 4)
            await bench_slack("status (real core)", bot, "status sample-web", 4)
    await sandbox.stop()
    print(json.dumps({"sequential": SEQUENTIAL, "concurrent": CONCURRENT,
                      "real_core_scale": "1/4"}))


if __name__ == "__main__":
    asyncio.run(main())
