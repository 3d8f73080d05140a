"""A bot wired for announcements in tests: Zulip and Slack fakes, a real SMTP server,
the sandbox, a dispatcher, and the console to type commands as an admin."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from adapters.console import ConsoleAdapter
from adapters.slack import SlackAdapter, SlackConfig
from adapters.zulip import ZulipAdapter, ZulipConfig
from bot.announce.dispatcher import Dispatcher
from bot.announce.running import dispatcher_for
from bot.config import AnnounceSettings
from bot.core import Bot
from tests.conftest import MakeBot
from tests.fakes.slack_server import FakeSlack
from tests.fakes.smtp_server import SmtpServer
from tests.fakes.zulip_server import FakeZulip
from tests.support import serving

STREAM = "zulip:stream:general>maintenance"
SLACK_CHANNEL = "slack:C0NEWS"
FAST = {"retry_initial_seconds": 0.1, "retry_max_seconds": 0.5, "poll_seconds": 0.2,
        "claim_timeout_seconds": 3.0}  # fmt: skip


@dataclass
class Rig:
    bot: Bot
    zulip: FakeZulip
    slack: FakeSlack
    smtp: SmtpServer
    dispatcher: Dispatcher
    admin: ConsoleAdapter

    async def say(self, line: str, console: ConsoleAdapter | None = None) -> str:
        return "\n".join(await (console or self.admin).handle_line(line))

    def nothing_sent(self) -> bool:
        return not (self.zulip.sent or self.smtp.received or self.slack.posted("chat.postMessage"))

    async def announce(self, line: str) -> tuple[str, str]:
        """The preview of ``announce <line>``, and what confirming it answers."""
        preview = await self.say(f"announce {line}")
        code = re.search(r"confirm (\d{4})", preview)
        assert code is not None, preview
        # Checked here, before the code is used: after it, the dispatcher may already be sending.
        assert self.nothing_sent(), "a delivery was made before the announcement was confirmed"
        return preview, await self.say(f"confirm {code.group(1)}")

    async def until(self, condition: Callable[[], bool], within: float = 15.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not condition():
            assert loop.time() < deadline, "the condition did not come true in time"
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def announcing(make_bot: MakeBot, **settings: Any) -> AsyncIterator[Rig]:
    zulip, slack = FakeZulip(heartbeat=0.3), FakeSlack()
    await zulip.start()
    await slack.start()
    try:
        with SmtpServer() as smtp:
            zulip_config = ZulipConfig(site=zulip.url, email=zulip.bot.email,
                                       api_key=zulip.api_key, backoff_initial=0.05,
                                       backoff_max=0.2, send_attempts=2)  # fmt: skip
            slack_config = SlackConfig(bot_token=slack.bot_token, app_token=slack.app_token,
                                       base_url=slack.api_url, ping_interval=0.2)  # fmt: skip
            values = {"channels": (STREAM, SLACK_CHANNEL), "smtp_host": smtp.host,
                      "smtp_port": smtp.port, **FAST, **settings}  # fmt: skip
            bot = await make_bot(
                adapters={"zulip": zulip_config, "slack": slack_config},
                announce=AnnounceSettings(**values),
            )
            adapters = [ZulipAdapter(zulip_config, bot), SlackAdapter(slack_config, bot)]
            async with contextlib.AsyncExitStack() as stack:
                for adapter in adapters:
                    await stack.enter_async_context(serving(adapter))
                    bot.attach(adapter)
                dispatcher = dispatcher_for(bot)
                task = asyncio.create_task(dispatcher.run())
                admin = ConsoleAdapter(bot, "root-sre", stdin=io.StringIO(),
                                       stdout=io.StringIO(), colour=False)  # fmt: skip
                try:
                    yield Rig(bot, zulip, slack, smtp, dispatcher, admin)
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    finally:
        await slack.stop()
        await zulip.stop()
