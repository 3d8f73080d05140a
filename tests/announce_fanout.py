"""A fan-out to many recipients drained by real ``forgebot run`` processes, and the count.

The test process serves the Zulip and Slack fakes and a real SMTP server,
queues one announcement to ``n`` people straight into the store (each on
Zulip, Slack, both, or by mail only, and one Zulip stream), starts
``forgebot run`` processes on that database, and counts what every
destination received.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.app import SANDBOX_DATA
from bot.store import Announcement, Recipient, Store
from tests.fakes.slack_server import FakeSlack
from tests.fakes.smtp_server import SmtpServer
from tests.fakes.zulip_server import FakeZulip, User

STREAM = "zulip:stream:general>maintenance"
PEOPLE_MAX = 2000


def destinations(i: int) -> list[str]:
    """Person ``i``'s destinations: a quarter mail only, the rest Zulip, Slack or both."""
    if i % 4 == 0:
        return [f"email:p{i}@toolforge.org"]
    found = []
    if i % 4 in (1, 3):
        found.append(f"zulip:{1000 + i}")
    if i % 4 in (2, 3):
        found.append(f"slack:T0001:U{1000 + i}")
    return found


def recipients(people: int) -> list[Recipient]:
    found = [Recipient(STREAM, STREAM, "channel")]
    for i in range(people):
        for where in destinations(i):
            kind = "email" if where.startswith("email:") else "dm"
            found.append(Recipient(f"p{i}", where, kind, (f"tool-{i % 50}",)))
    return found


async def queue(store: Store, people: int) -> int:
    row = Announcement(author="root-sre", title="NFS restart", body="The NFS servers restart.",
                       severity="maintenance", audience="fan-out test")  # fmt: skip
    return await store.announcement_create(row, recipients(people), now=datetime.now(UTC))


@dataclass
class World:
    zulip: FakeZulip
    slack: FakeSlack
    smtp: SmtpServer
    tmp: Path

    def received(self) -> Counter[str]:
        """How many messages each destination got, keyed like the deliveries."""
        counts: Counter[str] = Counter()
        for sent in self.zulip.sent:
            if sent.type == "private":
                counts.update(f"zulip:{user}" for user in sent.to)  # type: ignore[union-attr]
            else:
                counts[f"zulip:stream:{sent.to}>{sent.topic}"] += 1
        for call in self.slack.posted("chat.postMessage"):
            counts[f"slack:T0001:{call.args['channel']}"] += 1
        for mail in self.smtp.received:
            counts.update(f"email:{to}" for to in mail.to)
        return counts

    def config(self, database_url: str, *, in_flight: int = 8) -> Path:
        path = self.tmp / f"forgebot-{abs(hash(database_url)) % 10_000}.toml"
        path.write_text(f"""
[storage]
url = "{database_url}"

[directory]
file = "{SANDBOX_DATA}"

[announce]
channels = ["{STREAM}"]
smtp_host = "{self.smtp.host}"
smtp_port = {self.smtp.port}
in_flight = {in_flight}
claim_timeout_seconds = 4
retry_initial_seconds = 0.2
retry_max_seconds = 1
poll_seconds = 0.3

[zulip]
site = "{self.zulip.url}"
email = "{self.zulip.bot.email}"

[slack]
base_url = "{self.slack.api_url}"
""", encoding="utf-8")  # fmt: skip
        return path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(
            FORGEBOT_ZULIP_API_KEY=self.zulip.api_key,
            FORGEBOT_SLACK_BOT_TOKEN=self.slack.bot_token,
            FORGEBOT_SLACK_APP_TOKEN=self.slack.app_token,
            FORGEBOT_DATA_DIR=str(self.tmp / "data"),
            NO_PROXY="127.0.0.1,localhost",
        )
        return env


@contextlib.asynccontextmanager
async def world(tmp: Path) -> AsyncIterator[World]:
    zulip, slack = FakeZulip(heartbeat=0.5), FakeSlack()
    for i in range(PEOPLE_MAX):
        zulip.users[1000 + i] = User(1000 + i, f"p{i}@example.org", f"P{i}")
    await zulip.start()
    await slack.start()
    try:
        with SmtpServer() as smtp:
            yield World(zulip, slack, smtp, tmp)
    finally:
        await slack.stop()
        await zulip.stop()


async def forgebot_run(config: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def stop(proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> None:
    if proc.returncode is None:
        proc.send_signal(sig)
    await asyncio.wait_for(proc.wait(), 30)


async def open_counts(store: Store, announcement_id: int) -> Counter[str]:
    """Deliveries of the announcement by status."""
    return Counter(d.status for d in await store.announcement_deliveries(announcement_id))


async def until_settled(store: Store, announcement_id: int, within: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        counts = await open_counts(store, announcement_id)
        if not counts["pending"] and not counts["claimed"]:
            return
        assert loop.time() < deadline, f"still open after {within} s: {dict(counts)}"
        await asyncio.sleep(0.2)
