"""Long answers: a page on the bot's HTTP server, a file on Slack and Zulip, ``more`` on a
line-based chat without one; the console, which has room, prints everything. The core and
the adapters against the sandbox over real HTTP (IRC: tests/irc/test_long_answers_irc.py)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from adapters.slack import SlackAdapter, SlackConfig
from bot.app import http_front
from bot.config import HttpSettings
from bot.core import Bot
from bot.message import ChatIdentity, Fit, Message
from bot.reply import Code, Reply, Table, Text, plain_text
from bot.reply_size import size, split
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.fakes.slack_server import FakeSlack
from tests.fakes.zulip_server import FakeZulip
from tests.support import PATIENCE
from tests.test_console_e2e import say
from tests.test_run_command import free_port
from tests.test_slack_adapter import (
    _no_proxy,  # noqa: F401  (autouse: loopback only)
    slack,  # noqa: F401  (the fake Slack fixture)
)
from tests.test_zulip_adapter import ALICE, zulip  # noqa: F401  (the fake Zulip fixture)
from tests.test_zulip_adapter import running as zulip_running

IRC_FIT = Fit(lines=8)


@pytest.fixture(autouse=True)
def chatty(sandbox: Sandbox) -> None:
    """sample-web's web service has written 80 more lines, one with a password."""
    lines = [f"GET /page/{i} 200 2.{i}ms" for i in range(79)]
    sandbox.append_logs("sample-web", "webservice", ["login with password=hunter2-SECRET", *lines])
URL = re.compile(r"http://127\.0\.0\.1:\d+/answers/[A-Za-z0-9_-]+")


def irc_message(text: str, nick: str = "alice", account: str | None = "alice",
                room: str | None = None) -> Message:  # fmt: skip
    return Message("irc", ChatIdentity("irc", account, nick), text, room=room,
                   direct=room is None, fit=IRC_FIT)  # fmt: skip


async def ask(bot: Bot, message: Message) -> Reply:
    reply = await bot.handle(message)
    assert reply is not None
    return reply


@contextlib.asynccontextmanager
async def serving_pages(bot: Bot) -> AsyncIterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    bot.config = bot.config.replace(http=HttpSettings(port=port, public_url=url))
    async with http_front(bot, []):
        yield url


async def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text(), dict(response.headers)


async def test_the_console_has_room_for_everything(bot: Bot) -> None:
    out = await say(bot, "alice", "logs sample-web webservice --lines 40")
    assert out.startswith("Last 40 log lines") and len(out.splitlines()) == 41
    assert "more" not in out.splitlines()[-1]


async def test_without_a_page_irc_gets_pages_and_more_per_asker(bot: Bot) -> None:
    await bot.services.store.link_add("irc:alice", "alice", created_by="test")
    first = await ask(bot, irc_message("logs sample-web webservice --lines 30"))
    assert first.private and size(first)[0] <= IRC_FIT.lines  # type: ignore[operator]
    assert plain_text(first).splitlines()[-1] == "… 24 more lines: say more"
    seen = plain_text(first).splitlines()[1:-1]
    other = await ask(bot, irc_message("more", nick="mallory", account=None))
    assert "nothing more" in plain_text(other), "pages are the asker's own"
    while True:
        page = await ask(bot, irc_message("!tf more", room="#wikimedia-cloud"))
        assert page.private, "a private answer's pages stay private, asked for in a channel too"
        lines = plain_text(page).splitlines()
        if not lines[-1].startswith("… "):
            seen += lines
            break
        assert lines[-1].endswith("say !tf more")
        seen += lines[:-1]
    assert len(seen) == 30 and all(re.match(r"\d{4}-\d\d-\d\dT", line) for line in seen)
    assert "nothing more" in plain_text(await ask(bot, irc_message("more")))


async def test_a_long_answer_becomes_a_page_that_expires(bot: Bot, sandbox: Sandbox) -> None:
    await bot.services.store.link_add("irc:alice", "alice", created_by="test")
    async with serving_pages(bot):
        reply = await ask(bot, irc_message("!tf logs sample-web webservice --lines 80",
                                           room="#wikimedia-cloud"))  # fmt: skip
        text = plain_text(reply)
        assert reply.private and len(text.splitlines()) == 2
        assert text.startswith("Last 80 log lines of sample-web/webservice:")
        found = URL.search(text)
        assert found and "The whole answer (81 lines), until " in text
        assert not URL.search(reply.summary), "the room's notice never carries the link"
        status, page, headers = await fetch(found.group(0))
        assert status == 200 and page.count("GET /page/") == 79
        assert "password=[REDACTED]" in page and "SECRET" not in page
        assert headers["Cache-Control"] == "no-store" and "noindex" in headers["X-Robots-Tag"]
        assert headers["Referrer-Policy"] == "no-referrer"
        status, gone, _ = await fetch(found.group(0)[:-4] + "AAAA")
        assert status == 404 and "No such answer" in gone
        real_clock = bot.services.clock
        bot.services.clock = lambda: real_clock() + timedelta(hours=1, minutes=1)
        status, expired, _ = await fetch(found.group(0))
        assert status == 410 and "This answer expired at" in expired and "GET /page/" not in expired


async def test_a_short_answer_stays_in_the_chat(bot: Bot) -> None:
    async with serving_pages(bot):
        reply = await ask(bot, irc_message("status sample-cron"))
    assert not URL.search(plain_text(reply)) and "daily-report" in plain_text(reply)


def test_pages_keep_table_headers_and_whole_paragraphs() -> None:
    table = Table(("job", "state"), tuple((f"j{i}", "ok") for i in range(10)))
    reply = Reply((Text.of("heading"), table, Code("\n".join(f"l{i}" for i in range(5)))))
    pages = split(reply, 5)
    assert all(size(Reply(p))[0] <= 5 for p in pages)
    rows = [row for p in pages for part in p if isinstance(part, Table) for row in part.rows]
    assert [r[0] for r in rows] == [f"j{i}" for i in range(10)]
    code = [ln for p in pages for part in p if isinstance(part, Code)
            for ln in part.text.splitlines()]  # fmt: skip
    assert code == [f"l{i}" for i in range(5)]


async def test_slack_uploads_the_whole_answer_to_the_askers_dm(
    slack: FakeSlack, make_bot: MakeBot, sandbox: Sandbox  # noqa: F811
) -> None:
    config = SlackConfig(bot_token=slack.bot_token, app_token=slack.app_token,
                         base_url=slack.api_url, ping_interval=0.2, comfortable_chars=1000)
    adapter = SlackAdapter(config, await make_bot())
    task = asyncio.create_task(adapter.run())
    try:
        await asyncio.wait_for(adapter.ready.wait(), PATIENCE)
        await slack.push("events_api", slack.event("app_mention", "U0ALICE",
                                                   "<@U0BOT> logs sample-web --lines 80"))
        await slack.wait_for(lambda: bool(slack.uploaded("D0ALICE")))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    [dm] = slack.posted("chat.postMessage")
    assert dm.args["channel"] == "U0ALICE" and "is attached" in str(dm.args)
    [whole] = slack.uploaded("D0ALICE")
    assert whole.startswith("Last 80 log lines") and len(whole.splitlines()) == 81
    assert "SECRET" not in whole and "password=[REDACTED]" in whole
    assert not slack.uploaded("C0OPS"), "nothing private was shared in the channel"


async def test_zulip_uploads_the_whole_answer(
    zulip: FakeZulip, make_bot: MakeBot, sandbox: Sandbox  # noqa: F811
) -> None:
    async with zulip_running(zulip, await make_bot(), max_message_length=1000,
                             max_messages_per_reply=2):  # fmt: skip
        zulip.inject_dm(ALICE, "logs sample-web --lines 80")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
    summary, link = zulip.sent
    assert "The whole answer (81 lines) is attached." in summary.content
    assert link.to == (ALICE,) and "forgebot-answer.txt" in link.content
    [whole] = zulip.uploads.values()
    assert whole.decode().startswith("Last 80 log lines") and b"SECRET" not in whole


@pytest.mark.parametrize("lines", [7, 8])
async def test_what_fits_is_left_alone(bot: Bot, lines: int) -> None:
    await bot.services.store.link_add("irc:alice", "alice", created_by="test")
    reply = await ask(bot, irc_message(f"logs sample-web webservice --lines {lines - 1}"))
    shown = plain_text(reply).splitlines()
    assert shown[0] == f"Last {lines - 1} log lines of sample-web/webservice:", shown
    assert len(shown) == lines and "more" not in shown[-1], "every line, and nothing held back"
