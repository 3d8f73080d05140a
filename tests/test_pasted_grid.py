"""Grid text pasted the way each platform pastes it reaches the migration unchanged.

The same four cases on the console, Zulip and Slack (IRC: tests/irc/): ``--options``
in grid text, a multi-line crontab (also inside a code block), quoted names, and
entries joined by ``;``. Each paste goes through the real adapter and the real core;
the oracle is what the planner makes of the text the conversation stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.console import ConsoleAdapter
from adapters.slack import SlackAdapter, SlackConfig
from adapters.zulip import ZulipAdapter, ZulipConfig
from bot.commands import command
from bot.core import Bot
from bot.reply import Reply
from tests.conftest import MakeBot
from tests.fakes.slack_server import FakeSlack
from tests.fakes.zulip_server import FakeZulip
from tests.pastes import CASES, assert_reached_the_migration
from tests.support import serving

ALICE, BOB = 11, 12  # Zulip users (alice@example.org is developer alice)
SINGLE_LINE = ("options", "quoted", "semicolon")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


# -- console: a terminal or a pipe sends one line at a time ----------------------


async def console_says(bot: Bot, lines: list[str]) -> list[str]:
    adapter = ConsoleAdapter(bot, "bob", stdin=io.StringIO(), stdout=io.StringIO(), colour=False)
    said: list[str] = []
    for line in lines:
        said += await adapter.handle_line(line)
    return said


@pytest.mark.parametrize("case", SINGLE_LINE)
async def test_console_one_line(bot: Bot, case: str) -> None:
    said = await console_says(bot, ["migrate sample-cron", f"migrate grid {CASES[case].text}"])
    assert not any(line.startswith("error") for line in said), said
    await assert_reached_the_migration(bot.services.store, "console:bob", CASES[case])


@pytest.mark.parametrize("fenced", [False, True], ids=["plain", "fenced"])
async def test_console_multi_line_paste_until_end(bot: Bot, fenced: bool) -> None:
    lines = CASES["multi-line"].text.splitlines()
    if fenced:
        lines = ["```crontab", *lines, "```"]
    said = await console_says(bot, ["migrate sample-cron", "migrate grid", *lines, "end"])
    assert any("Paste the lines now" in line for line in said)
    await assert_reached_the_migration(bot.services.store, "console:bob", CASES["multi-line"])


async def test_console_paste_can_be_cancelled_and_nothing_is_added(bot: Bot) -> None:
    said = await console_says(
        bot, ["migrate sample-cron", "migrate grid", "0 3 * * * jsub -N x x.sh", "cancel"]
    )
    assert said[-1] == "error: the paste is dropped; nothing was run"
    conversation = await bot.services.store.conversation_get("console:bob", "migrate")
    assert conversation is not None and conversation.load_state()["grid"] == []
    assert await bot.services.store.conversation_get("console:bob", "paste") is None


async def test_console_paste_goes_on_after_a_restart(make_bot: MakeBot, tmp_path: Any) -> None:
    # The paste is in the store: a bot started again on it takes the next lines and 'end'.
    database_url = f"sqlite:///{tmp_path / 'restarted.sqlite3'}"
    lines = CASES["multi-line"].text.splitlines()
    before = await make_bot(database_url=database_url)
    said = await console_says(before, ["migrate sample-cron", "migrate grid", lines[0]])
    assert any("Paste the lines now" in line for line in said), said
    after = await make_bot(database_url=database_url)
    said = await console_says(after, lines[1:] + ["end"])
    assert not any(line.startswith("error") for line in said), said
    await assert_reached_the_migration(after.services.store, "console:bob", CASES["multi-line"])
    # Finished: the next line is a command again, not one more line of a paste.
    assert await after.services.store.conversation_get("console:bob", "paste") is None
    said = await console_says(after, ["status sample-cron"])
    assert said[0].startswith("sample-cron: "), said


# -- Zulip: a message holds every line, often in a code block ----------------------


@contextlib.asynccontextmanager
async def zulip_serving(bot: Bot) -> AsyncIterator[FakeZulip]:
    fake = FakeZulip(heartbeat=0.3)
    await fake.start()
    config = ZulipConfig(site=fake.url, email=fake.bot.email, api_key=fake.api_key,
                         backoff_initial=0.05, backoff_max=0.2)  # fmt: skip
    try:
        async with serving(ZulipAdapter(config, bot)):
            yield fake
    finally:
        await fake.stop()


ZULIP_PASTES = {
    **{case: f"migrate grid {CASES[case].text}" for case in SINGLE_LINE},
    "multi-line": f"migrate grid\n{CASES['multi-line'].text}",
    "fenced": f"migrate grid\n```crontab\n{CASES['multi-line'].text}\n```",
    "fenced-tilde": f"migrate grid\n~~~\n{CASES['multi-line'].text}\n~~~",
}


@pytest.mark.parametrize("paste", sorted(ZULIP_PASTES))
async def test_zulip_dm(bot: Bot, paste: str) -> None:
    async with zulip_serving(bot) as zulip:
        zulip.inject_dm(ALICE, "migrate sample-cron")
        zulip.inject_dm(ALICE, ZULIP_PASTES[paste])
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
    assert "error" not in zulip.sent[1].content.lower(), zulip.sent[1].content
    case = CASES["multi-line" if paste.startswith("fenced") else paste]
    await assert_reached_the_migration(bot.services.store, f"zulip:{ALICE}", case)


async def test_zulip_stream_mention_with_a_code_block(bot: Bot) -> None:
    async with zulip_serving(bot) as zulip:
        mention = zulip.mention_bot()
        zulip.inject_stream(ALICE, "toolforge", "grid", f"{mention} migrate sample-cron")
        text = CASES["multi-line"].text
        zulip.inject_stream(ALICE, "toolforge", "grid", f"{mention} migrate grid\n```\n{text}\n```")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
    await assert_reached_the_migration(bot.services.store, f"zulip:{ALICE}", CASES["multi-line"])


# -- Slack: one message; code blocks between ``` with or without newlines ------------


@contextlib.asynccontextmanager
async def slack_serving(bot: Any) -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    config = SlackConfig(bot_token=fake.bot_token, app_token=fake.app_token,
                         base_url=fake.api_url, ping_interval=1.0)  # fmt: skip
    try:
        async with serving(SlackAdapter(config, bot)):
            await fake.wait_for(lambda: fake.sockets_opened == 1)
            yield fake
    finally:
        await fake.stop()


SLACK_PASTES = {
    **{case: f"migrate grid {CASES[case].text}" for case in SINGLE_LINE},
    "multi-line": f"migrate grid\n{CASES['multi-line'].text}",
    "fenced": f"migrate grid ```{CASES['multi-line'].text}```",
    "fenced-lines": f"migrate grid\n```\n{CASES['multi-line'].text}\n```",
}


def slack_dm(fake: FakeSlack, text: str) -> dict[str, Any]:
    # Slack escapes &, < and > in message text
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return fake.event("message", "U0ALICE", escaped, channel="D0ALICE", channel_type="im")


@pytest.mark.parametrize("paste", sorted(SLACK_PASTES))
async def test_slack_dm(bot: Bot, paste: str) -> None:
    async with slack_serving(bot) as slack:
        await slack.push("events_api", slack_dm(slack, "migrate sample-cron"))
        await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 1)
        await slack.push("events_api", slack_dm(slack, SLACK_PASTES[paste]))
        await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 2)
    case = CASES["multi-line" if paste.startswith("fenced") else paste]
    await assert_reached_the_migration(bot.services.store, "slack:T0001:U0ALICE", case)


# -- one person's messages in order, different people at the same time ------------


class Gate:
    """A command that answers only once the test opens the gate."""

    def __init__(self, bot: Bot) -> None:
        self.open = asyncio.Event()

        async def wait(ctx: object, inv: object) -> Reply:
            await self.open.wait()
            return Reply.text("the gate opened")

        bot.registry.register(command("gate", summary="waits for the test")(wait))


async def test_zulip_answers_one_person_in_order_and_others_meanwhile(bot: Bot) -> None:
    gate = Gate(bot)
    async with zulip_serving(bot) as zulip:
        zulip.inject_dm(ALICE, "gate")
        zulip.inject_dm(ALICE, "confirm 0000")
        zulip.inject_dm(BOB, "whoami")
        await zulip.wait_for(lambda: len(zulip.sent) == 1)
        assert zulip.sent[0].to == (BOB,), "bob is not kept waiting by alice's slow command"
        assert bot.queues.pending == 1, "alice's confirm waits behind her first command"
        gate.open.set()
        await zulip.wait_for(lambda: len(zulip.sent) == 3)
    alices = [s.content for s in zulip.sent if s.to == (ALICE,)]
    assert "the gate opened" in alices[0] and "no pending action with code" in alices[1]


async def test_zulip_restart_then_an_immediate_confirm_are_answered_in_order(
    make_bot: MakeBot,
) -> None:
    bot = await make_bot()
    async with zulip_serving(bot) as zulip:
        zulip.inject_dm(ALICE, "restart sample-crashloop")  # reads the jobs over HTTP first
        zulip.inject_dm(ALICE, "confirm 0000")  # the store alone: faster, if it ran at once
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
    assert "To go ahead, reply" in zulip.sent[0].content
    assert "no pending action with code" in zulip.sent[1].content


async def test_slack_answers_one_person_in_order_and_others_meanwhile(bot: Bot) -> None:
    gate = Gate(bot)
    async with slack_serving(bot) as slack:
        await slack.push("events_api", slack_dm(slack, "gate"))
        await slack.push("events_api", slack_dm(slack, "confirm 0000"))
        bob = slack.event("message", "U0BOB", "whoami", channel="D0BOB", channel_type="im")
        await slack.push("events_api", bob)
        await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 1)
        assert slack.posted("chat.postMessage")[0].args["channel"] == "D0BOB"
        assert bot.queues.pending == 1, "alice's confirm waits behind her first command"
        gate.open.set()
        await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 3)
    posted = slack.posted("chat.postMessage")
    alices = [str(c.args) for c in posted if c.args["channel"] == "D0ALICE"]
    assert "the gate opened" in alices[0] and "no pending action with code" in alices[1]


async def test_slack_restart_then_an_immediate_confirm_are_answered_in_order(
    make_bot: MakeBot,
) -> None:
    bot = await make_bot()
    async with slack_serving(bot) as slack:
        await slack.push("events_api", slack_dm(slack, "restart sample-crashloop"))
        await slack.push("events_api", slack_dm(slack, "confirm 0000"))
        await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 2)
    first, second = (str(c.args) for c in slack.posted("chat.postMessage"))
    assert "To go ahead, reply" in first and "no pending action with code" in second
