"""Benchmark announcement delivery through the real dispatcher and adapters.

Figures printed:

* deliveries per second for each destination type, flood control and rate
  limits off: IRC direct messages and channel posts (a real InspIRCd +
  Atheme network), Zulip direct messages and stream posts, Slack direct
  messages and channel posts (the HTTP fakes), mail (aiosmtpd);
* the wall time of one announcement to 2,000 people with realistic limits:
  IRC flood control at forgebot's defaults (5 lines, then 1 line per 2 s),
  Zulip's 200 requests a minute, Slack's 1 message a second per channel and
  300 a minute per workspace, answered with 429 and Retry-After; and when
  each platform's last delivery went out.

Run: .venv/bin/python tests/bench/bench_announce.py   (IRC parts need inspircd and atheme)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from adapters.irc import IrcAdapter, IrcConfig  # noqa: E402
from adapters.slack import SlackAdapter, SlackConfig  # noqa: E402
from adapters.zulip import ZulipAdapter, ZulipConfig  # noqa: E402
from bot.adapter import Adapter  # noqa: E402
from bot.announce.dispatcher import Dispatcher, Pacing  # noqa: E402
from bot.announce.email import EmailSender  # noqa: E402
from bot.app import open_bot  # noqa: E402
from bot.core import Bot  # noqa: E402
from bot.store import Announcement, Recipient, Store  # noqa: E402
from tests.announce_fanout import destinations  # noqa: E402
from tests.fakes.ratelimit import Bucket, RateLimit  # noqa: E402
from tests.fakes.slack_server import FakeSlack  # noqa: E402
from tests.fakes.smtp_server import SmtpServer  # noqa: E402
from tests.fakes.zulip_server import FakeZulip, User  # noqa: E402
from tests.irc.network import IrcNetwork, missing_binaries  # noqa: E402
from tests.irc.peer import Peer  # noqa: E402
from tests.support import sandbox_config  # noqa: E402

CHANNEL = "#bench"
PEERS = 5
ACCOUNTS = {"forgebot": "botpass1", **{f"peer{i}": f"peerpass{i}" for i in range(PEERS)}}
PEOPLE = 2000
BODY = ("The NFS servers restart between 10:00 and 12:00 UTC; jobs writing to "
        "/data/project pause for a few minutes. Nothing to do.")  # fmt: skip


def row(title: str) -> Announcement:
    return Announcement(author="root-sre", title=title, body=BODY, severity="maintenance",
                        audience="benchmark")  # fmt: skip


async def queue(store: Store, title: str, recipients: list[Recipient]) -> int:
    return await store.announcement_create(row(title), recipients, now=datetime.now(UTC))


async def settled(store: Store, ids: list[int]) -> None:
    """Until every delivery of ``ids`` has ended (asked of one announcement at a time)."""
    waiting = list(ids)
    while waiting:
        counts = await store.announcement_counts(waiting[0])
        if counts.count("pending") + counts.count("claimed"):
            await asyncio.sleep(0.05)
        else:
            waiting.pop(0)


@contextlib.asynccontextmanager
async def dispatching(bot: Bot, adapters: list[Adapter], smtp: SmtpServer) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        for adapter in adapters:
            task = asyncio.create_task(adapter.run())
            stack.callback(task.cancel)
            await asyncio.wait_for(adapter.ready.wait(), 30)
            bot.attach(adapter)
        email = EmailSender(smtp.host, smtp.port, "forgebot@toolforge.org")
        stack.callback(email.close)
        pacing = Pacing(poll=0.2, retry_initial=0.5, retry_max=5)
        dispatcher = Dispatcher(bot.services.store, bot.adapters, email=email, pacing=pacing)
        task = asyncio.create_task(dispatcher.run())
        stack.callback(task.cancel)
        yield
    bot.adapters.clear()
    await asyncio.sleep(0.3)  # let the cancelled adapters say goodbye


async def per_type(bot: Bot, network: IrcNetwork | None, zulip: FakeZulip, slack: FakeSlack,
                   smtp: SmtpServer) -> None:  # fmt: skip
    store = bot.services.store
    cases: dict[str, list[tuple[str, list[Recipient]]]] = {
        "zulip dm": [("z", [Recipient(f"p{i}", f"zulip:{1000 + i}", "dm", ("t",))
                            for i in range(500)])],
        "zulip stream": [(f"zs{k}", [Recipient("s", "zulip:stream:general>maintenance",
                                               "channel")]) for k in range(100)],
        "slack dm": [("s", [Recipient(f"p{i}", f"slack:T0001:U{1000 + i}", "dm", ("t",))
                            for i in range(500)])],
        "slack channel": [(f"sc{k}", [Recipient("c", "slack:C0NEWS", "channel")])
                          for k in range(100)],
        "email": [("e", [Recipient(f"p{i}", f"email:p{i}@toolforge.org", "email", ("t",))
                         for i in range(500)])],
    }  # fmt: skip
    if network is not None:
        cases["irc dm"] = [(f"i{k}", [Recipient(f"peer{i}", f"irc:peer{i}", "dm", ("t",))
                                      for i in range(PEERS)]) for k in range(40)]
        cases["irc channel"] = [(f"ic{k}", [Recipient("c", f"irc:{CHANNEL}", "channel")])
                                for k in range(100)]  # fmt: skip
    print("deliveries per second, flood control and rate limits off (8 in flight per platform):")
    for name, batches in cases.items():
        started = time.perf_counter()
        ids = [await queue(store, title, recipients) for title, recipients in batches]
        await settled(store, ids)
        elapsed = time.perf_counter() - started
        total = sum(len(r) for _, r in batches)
        print(f"  {name:14s} {total:4d} deliveries in {elapsed:6.2f} s: {total / elapsed:7.1f}/s")


async def fanout(bot: Bot, network: IrcNetwork | None) -> None:
    store = bot.services.store
    recipients = [Recipient("z", "zulip:stream:general>maintenance", "channel"),
                  Recipient("c", "slack:C0NEWS", "channel")]  # fmt: skip
    people = PEOPLE
    if network is not None:
        recipients.append(Recipient(CHANNEL, f"irc:{CHANNEL}", "channel"))
        recipients += [Recipient(f"peer{i}", f"irc:peer{i}", "dm", ("t",)) for i in range(PEERS)]
        people -= PEERS
    for i in range(people):
        for where in destinations(i):
            kind = "email" if where.startswith("email:") else "dm"
            recipients.append(Recipient(f"p{i}", where, kind, (f"tool-{i % 50}",)))
    started = datetime.now(UTC)
    clock = time.perf_counter()
    number = await queue(store, "fan-out", recipients)
    await settled(store, [number])
    wall = time.perf_counter() - clock
    rows = await store.announcement_deliveries(number)
    last: dict[str, float] = {}
    for d in rows:
        assert d.sent_at is not None, d
        last[d.platform] = max(last.get(d.platform, 0), (d.sent_at - started).total_seconds())
    retried = sum(d.attempts > 1 for d in rows)
    print(f"fan-out to {PEOPLE} people ({len(rows)} deliveries) with realistic limits: "
          f"{wall:.1f} s wall; last delivery per platform: "
          + ", ".join(f"{p} {s:.1f} s" for p, s in sorted(last.items()))
          + f"; deliveries retried after a 429: {retried}")  # fmt: skip


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    network = None if missing_binaries() else IrcNetwork(dict(ACCOUNTS)).start()
    if network is None:
        print("(no inspircd/atheme: the IRC figures are left out)")
    zulip, slack = FakeZulip(heartbeat=1.0), FakeSlack()
    for i in range(PEOPLE):
        zulip.users[1000 + i] = User(1000 + i, f"p{i}@example.org", f"P{i}")
    await zulip.start()
    await slack.start()
    peers: list[Peer] = []
    try:
        with tempfile.TemporaryDirectory() as tmp, SmtpServer() as smtp:
            config = sandbox_config("http://127.0.0.1:9", Path(tmp))
            async with open_bot(config) as bot:
                if network is not None:
                    peers = await asyncio.gather(*(
                        Peer.connect(network.host, network.port, f"peer{i}", f"peer{i}",
                                     ACCOUNTS[f"peer{i}"]) for i in range(PEERS)))
                    await asyncio.gather(*(p.join(CHANNEL) for p in peers))
                for realistic in (False, True):
                    adapters = make_adapters(bot, network, zulip, slack, realistic=realistic)
                    async with dispatching(bot, adapters, smtp):
                        if realistic:
                            zulip.limit = RateLimit(overall=Bucket(200, 200 / 60))
                            slack.limit = RateLimit(overall=Bucket(50, 300 / 60),
                                                    per_key=(1, 1.0))  # fmt: skip
                            await fanout(bot, network)
                        else:
                            await per_type(bot, network, zulip, slack, smtp)
    finally:
        for peer in peers:
            await peer.close()
        await slack.stop()
        await zulip.stop()
        if network is not None:
            network.stop()


def make_adapters(bot: Bot, network: IrcNetwork | None, zulip: FakeZulip, slack: FakeSlack,
                  *, realistic: bool) -> list[Adapter]:  # fmt: skip
    found: list[Adapter] = [
        ZulipAdapter(ZulipConfig(site=zulip.url, email=zulip.bot.email, api_key=zulip.api_key,
                                 backoff_initial=0.2, backoff_max=5), bot),
        SlackAdapter(SlackConfig(bot_token=slack.bot_token, app_token=slack.app_token,
                                 base_url=slack.api_url), bot),
    ]  # fmt: skip
    if network is not None:
        irc = IrcConfig(server=network.host, port=network.port, tls=False, nick="forgebot",
                        password=ACCOUNTS["forgebot"], channels=(CHANNEL,),
                        flood_rate=0.5 if realistic else 0, connect_timeout=10)  # fmt: skip
        found.append(IrcAdapter(irc, bot))
    return found


if __name__ == "__main__":
    asyncio.run(main())
