"""Benchmark the IRC adapter on a real InspIRCd + Atheme network on loopback.

Figures printed:

* read rate from a busy channel where 1 line in 100 is a command: through the
  server (several chatty clients, counted when the core has seen every line),
  and the adapter's own cost (lines fed straight into its parser and
  dispatcher, no socket), each with a trivial core and with the real Bot;
* command -> reply latency (client sends ``!tf ...`` in the channel, waits for
  the reply line), median and p99, flood control off.

Run: .venv/bin/python tests/bench/bench_irc.py   (needs inspircd and atheme-services)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from adapters.irc import IrcAdapter, IrcConfig  # noqa: E402
from bot.app import SANDBOX_DATA, open_bot  # noqa: E402
from bot.message import Message  # noqa: E402
from bot.reply import Reply  # noqa: E402
from bot.toolforge.sandbox import Sandbox  # noqa: E402
from tests.fakes.core import TestCore
from tests.irc.network import IrcNetwork, missing_binaries  # noqa: E402
from tests.irc.peer import Peer, privmsgs_from  # noqa: E402
from tests.support import sandbox_config  # noqa: E402

CHANNEL = "#bench"
ACCOUNTS = {"forgebot": "botpass1", "alice-libera": "alicepass1"}
BUSY_LINES = 20_000
CHATTERERS = 4
DIRECT_LINES = 100_000
LATENCY_ROUNDS = 300


class Counting(TestCore):
    """Wraps a core and counts what reaches it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.config = getattr(inner, "config", None)
        self.seen = 0

    async def handle(self, message: Message) -> Reply | None:
        self.seen += 1
        result: Reply | None = await self.inner.handle(message)
        return result


class Trivial(TestCore):
    async def handle(self, message: Message) -> Reply | None:
        return Reply.text("pong") if message.text.startswith("!tf ") else None


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@contextlib.asynccontextmanager
async def serving(network: IrcNetwork, core: Any) -> AsyncIterator[IrcAdapter]:
    config = IrcConfig(
        server=network.host,
        port=network.port,
        tls=False,
        password=ACCOUNTS["forgebot"],
        channels=(CHANNEL,),
        flood_rate=0,
    )
    adapter = IrcAdapter(config, core)
    task = asyncio.create_task(adapter.run())
    try:
        await asyncio.wait_for(adapter.ready.wait(), 15)
        yield adapter
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(done: Any, within: float = 120.0) -> None:
    deadline = time.perf_counter() + within
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark stalled")
        await asyncio.sleep(0.001)


def chatter_line(i: int) -> str:
    return "!tf ping" if i % 100 == 99 else f"just chatting about tool number {i}, nothing to see"


async def busy_channel(label: str, core: Counting, peers: list[Peer]) -> None:
    per_peer = BUSY_LINES // len(peers)
    start_seen = core.seen
    started = time.perf_counter()

    async def talk(peer: Peer) -> None:
        for i in range(per_peer):
            peer.writer.write(f"PRIVMSG {CHANNEL} :{chatter_line(i)}\r\n".encode())
            if i % 200 == 0:
                await peer.writer.drain()
        await peer.writer.drain()

    await asyncio.gather(*(talk(p) for p in peers))
    total = per_peer * len(peers)
    await until(lambda: core.seen - start_seen >= total)
    elapsed = time.perf_counter() - started
    print(f"  {label:<34} {total / elapsed:9.0f} lines/s  ({total} lines in {elapsed:.2f} s)")


async def direct_feed(label: str, adapter: IrcAdapter, core: Counting) -> None:
    session = adapter.session
    assert session is not None
    raw = [
        f"@time=2026-11-25T00:00:00.000Z;account=user{i % 50};msgid=m{i} "
        f":user{i % 50}!u@127.0.0.1 PRIVMSG {CHANNEL} :{chatter_line(i)}\r\n"
        for i in range(DIRECT_LINES)
    ]
    data = [("".join(raw[i : i + 100])).encode() for i in range(0, len(raw), 100)]
    adapter.outbox.put = lambda *a, **k: None  # type: ignore[method-assign,assignment,return-value]
    start_seen = core.seen
    started = time.perf_counter()
    for chunk in data:
        session.conn.process_data(chunk)
        await asyncio.sleep(0)
    await until(lambda: core.seen - start_seen >= DIRECT_LINES)
    elapsed = time.perf_counter() - started
    rate = DIRECT_LINES / elapsed
    print(f"  {label:<34} {rate:9.0f} lines/s  ({DIRECT_LINES} lines in {elapsed:.2f} s)")


async def latency(label: str, peer: Peer, text: str) -> None:
    samples = []
    for _ in range(LATENCY_ROUNDS):
        since = peer.mark()
        started = time.perf_counter()
        await peer.say(CHANNEL, text)
        await peer.expect(privmsgs_from("forgebot", CHANNEL), since=since)
        samples.append((time.perf_counter() - started) * 1000)
    med, p99 = statistics.median(samples), percentile(samples, 99)
    print(f"  {label:<34} median {med:6.2f} ms   p99 {p99:6.2f} ms  ({LATENCY_ROUNDS} rounds)")


async def run_suite(label: str, network: IrcNetwork, inner: Any, text: str) -> None:
    core = Counting(inner)
    print(f"{label}:")
    host, port = network.host, network.port
    async with serving(network, core) as adapter:
        alice, *chatty = await asyncio.gather(
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
            *(Peer.connect(host, port, f"chatty{i}") for i in range(CHATTERERS)),
        )
        await asyncio.gather(*(p.join(CHANNEL) for p in (alice, *chatty)))
        await latency(f"command -> reply ({text})", alice, text)
        await busy_channel(f"busy channel via inspircd ({CHATTERERS} clients)", core, chatty)
        await direct_feed("adapter alone (parse + dispatch)", adapter, core)
        for peer in (alice, *chatty):
            await peer.close()


async def main() -> None:
    missing = missing_binaries()
    if missing:
        sys.exit(f"bench_irc needs {' and '.join(missing)} (apt-get install {' '.join(missing)})")
    logging.basicConfig(level=logging.ERROR)
    network = IrcNetwork(dict(ACCOUNTS)).start()
    sandbox = Sandbox(SANDBOX_DATA)
    await sandbox.start()
    try:
        await run_suite("trivial core (the adapter's own cost)", network, Trivial(), "!tf ping")
        with tempfile.TemporaryDirectory() as data:
            async with open_bot(sandbox_config(sandbox.base_url, Path(data))) as bot:
                await bot.services.store.link_add("irc:alice-libera", "alice", created_by="bench")
                await run_suite("real Bot (whoami: store + directory)", network, bot, "!tf whoami")
    finally:
        await sandbox.stop()
        network.stop()


if __name__ == "__main__":
    asyncio.run(main())
