"""Benchmark the IRC adapter on a real InspIRCd + Atheme network on loopback.

Figures printed:

* read rate from a busy channel where 1 line in 100 is a command: through the
  server (several chatty clients, done when the core has answered every
  command), and the adapter's own cost (lines fed straight into it, no
  socket: lines per second and CPU time per line), each with a trivial core
  and with the real Bot;
* command -> reply latency (client sends ``!tf ...`` in the channel, waits for
  the reply line), median and p99, flood control off; and for a 5-line reply,
  the time until its last line arrived.

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

from process_stats import percentile  # noqa: E402

from adapters.irc import IrcAdapter, IrcConfig  # noqa: E402
from bot.app import SANDBOX_DATA, open_bot  # noqa: E402
from bot.config import LimitsSettings  # noqa: E402
from bot.message import Message  # noqa: E402
from bot.reply import Reply  # noqa: E402
from bot.toolforge.sandbox import Sandbox  # noqa: E402
from tests.fakes.core import TestCore
from tests.irc.conftest import running  # noqa: E402
from tests.irc.network import IrcNetwork, missing_binaries  # noqa: E402
from tests.irc.peer import Peer, privmsgs_from  # noqa: E402
from tests.support import sandbox_config  # noqa: E402

CHANNEL = "#bench"
ACCOUNTS = {"forgebot": "botpass1", "alice-libera": "alicepass1"}
BUSY_LINES = 20_000
CHATTERERS = 4
DIRECT_LINES = 100_000
LATENCY_ROUNDS = 300
BENCH_LIMITS = LimitsSettings(commands="100000/minute", unidentified_commands="100000/minute",
                              unidentified_total="100000/minute")  # fmt: skip


class Counting(TestCore):
    """Wraps a core and counts the commands that reach it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.config = getattr(inner, "config", None)
        self.seen = 0  # commands (chatter may never reach a core)

    async def handle(self, message: Message) -> Reply | None:
        self.seen += message.text.startswith("!tf ")
        result: Reply | None = await self.inner.handle(message)
        return result


class Trivial(TestCore):
    async def handle(self, message: Message) -> Reply | None:
        if message.text == "!tf five":
            return Reply.text("\n".join(f"line {i} of a reply" for i in range(1, 6)))
        return Reply.text("pong") if message.text.startswith("!tf ") else None


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
    async with running(config, core) as adapter:
        yield adapter


async def until(done: Any, within: float = 120.0) -> None:
    deadline = time.perf_counter() + within
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark stalled")
        await asyncio.sleep(0.001)


def chatter_line(i: int) -> str:
    return "!tf ping" if i % 100 == 99 else f"just chatting about tool number {i}, nothing to see"


def commands_in(lines: int) -> int:
    return sum(1 for i in range(lines) if chatter_line(i).startswith("!tf "))


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
    # Done when every command has reached the core (chatter may never reach it).
    await until(lambda: core.seen - start_seen >= commands_in(per_peer) * len(peers))
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
    started, cpu = time.perf_counter(), time.process_time()
    for chunk in data:
        session.conn.process_data(chunk)
        await asyncio.sleep(0)
    await until(lambda: core.seen - start_seen >= commands_in(DIRECT_LINES))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = DIRECT_LINES / elapsed
    print(
        f"  {label:<34} {rate:9.0f} lines/s  {cpu / DIRECT_LINES * 1e6:5.1f} us CPU per line"
        f"  ({DIRECT_LINES} lines in {elapsed:.2f} s)"
    )


async def latency(label: str, peer: Peer, text: str, lines: int = 1) -> None:
    """From sending ``text`` to the arrival of the reply's ``lines``-th line."""
    samples = []
    for _ in range(LATENCY_ROUNDS):
        since = peer.mark()
        started = time.perf_counter()
        await peer.say(CHANNEL, text)
        for _ in range(lines):
            line = await peer.expect(privmsgs_from("forgebot", CHANNEL), since=since)
            since = peer.lines.index(line, since) + 1
        samples.append((time.perf_counter() - started) * 1000)
    med, p99 = statistics.median(samples), percentile(samples, 99)
    print(f"  {label:<34} median {med:6.2f} ms   p99 {p99:6.2f} ms  ({LATENCY_ROUNDS} rounds)")


async def run_suite(
    label: str, network: IrcNetwork, inner: Any, text: str, five: str | None = None
) -> None:
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
        if five is not None:
            await latency(f"5-line reply complete ({five})", alice, five, lines=5)
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
        trivial = "trivial core (the adapter's own cost)"
        await run_suite(trivial, network, Trivial(), "!tf ping", five="!tf five")
        with tempfile.TemporaryDirectory() as data:
            # The rounds of the latency test are far more commands than a person's limit.
            config = sandbox_config(sandbox.base_url, Path(data), limits=BENCH_LIMITS)
            async with open_bot(config) as bot:
                await bot.services.store.link_add("irc:alice-libera", "alice", created_by="bench")
                # whoami of a linked account: five lines
                await run_suite("real Bot (whoami: store + directory)", network, bot, "!tf whoami",
                                five="!tf whoami")  # fmt: skip
    finally:
        await sandbox.stop()
        network.stop()


if __name__ == "__main__":
    asyncio.run(main())
