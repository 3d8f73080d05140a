"""The Zulip adapter: the real ``zulip`` client against a fake Zulip server over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.zulip import ZulipAdapter, ZulipConfig
from adapters.zulip.render import render
from bot.config import ConfigError
from bot.core import Bot
from bot.message import Message
from bot.reply import Badge, Bullets, Code, Link, Reply, Strong, Table, Text, Tone
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.fakes.core import TestCore
from tests.fakes.zulip_server import FakeZulip, Sent
from tests.support import PATIENCE
from tests.test_diagnose import CASES

ALICE, BOB, EVE = 11, 12, 15


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # requests honours proxy variables; loopback traffic must never go to one.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
async def zulip() -> AsyncIterator[FakeZulip]:
    server = FakeZulip(heartbeat=0.3)
    await server.start()
    yield server
    await server.stop()


class Echo(TestCore):
    """Stands in for the core where a test is about the transport, not about commands."""

    def __init__(self) -> None:
        self.seen: list[Message] = []

    async def handle(self, message: Message) -> Reply | None:
        self.seen.append(message)
        if message.text.startswith("!tf "):
            return Reply.text("pong: " + message.text[4:])
        if message.direct or message.mentioned:
            private = message.text.startswith("secret")
            return Reply((Text.of("pong: " + message.text),), private=private, summary="psst")
        return None


async def until_answered(zulip: FakeZulip, bot: Echo, sender: int = ALICE) -> Sent:
    """Send ``sender``'s DM "sentinel" and wait for its answer, the last message sent, with
    every message before it handled: what "nothing more arrived" means, however slow the
    machine. Returns the answer (the caller leaves it out of what it checks)."""
    zulip.inject_dm(sender, "sentinel")
    await zulip.wait_for(lambda: bot.settled and bool(zulip.sent)
                         and zulip.sent[-1].content == "pong: sentinel")
    return zulip.sent.pop()


@contextlib.asynccontextmanager
async def running(fake: FakeZulip, bot: Any, **changes: Any) -> AsyncIterator[ZulipAdapter]:
    config = ZulipConfig(site=fake.url, email=fake.bot.email, api_key=fake.api_key,
                         backoff_initial=0.05, backoff_max=0.2, **changes)
    adapter = ZulipAdapter(config, bot)
    task = asyncio.create_task(adapter.run())
    try:
        await asyncio.wait_for(adapter.ready.wait(), PATIENCE)
        yield adapter
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_direct_message_is_a_command_answered_in_the_same_dm(zulip: FakeZulip) -> None:
    bot = Echo()
    async with running(zulip, bot):
        zulip.inject_dm(ALICE, "status sample-web")
        await zulip.wait_for(lambda: len(zulip.sent) == 1)
    assert zulip.sent == [Sent("private", (ALICE,), "", "pong: status sample-web")]
    [message] = bot.seen  # the bot's own reply came back through the queue and was ignored
    assert message.direct and message.room is None
    assert (message.sender.user_id, message.sender.email) == ("11", "alice@example.org")


async def test_a_stream_mention_is_answered_in_the_same_stream_and_topic(zulip: FakeZulip) -> None:
    bot = Echo()
    async with running(zulip, bot):
        zulip.inject_stream(BOB, "toolforge", "outage", "just chatting")
        zulip.inject_stream(BOB, "toolforge", "outage", f"{zulip.mention_bot()} status sample-cron")
        zulip.inject_stream(BOB, "general", "jobs", "!tf status sample-web")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
        await until_answered(zulip, bot, BOB)
    assert sorted(zulip.sent, key=lambda s: s.topic) == [
        Sent("stream", "general", "jobs", "pong: status sample-web"),
        Sent("stream", "toolforge", "outage", "pong: status sample-cron"),
    ]
    chatter, mention, prefixed, _ = bot.seen
    assert (chatter.mentioned, mention.mentioned, prefixed.mentioned) == (False, True, False)
    assert mention.text == "status sample-cron" and mention.thread == "outage"
    assert mention.room == "toolforge" and not mention.direct


async def test_a_group_dm_is_a_small_room_answered_to_everyone(zulip: FakeZulip) -> None:
    bot = Echo()
    async with running(zulip, bot):
        zulip.inject_dm(ALICE, "are you around?", others=(BOB,))
        zulip.inject_dm(ALICE, "!tf status sample-web", others=(BOB,))
        await zulip.wait_for(lambda: len(zulip.sent) == 1)
        await until_answered(zulip, bot)
    assert zulip.sent == [Sent("private", (ALICE, BOB), "", "pong: status sample-web")]
    assert [(m.direct, m.room) for m in bot.seen[:-1]] == [(False, "dm:11,12")] * 2


async def test_a_private_reply_in_a_stream_goes_to_a_dm_with_a_notice(zulip: FakeZulip) -> None:
    async with running(zulip, Echo()):
        zulip.inject_stream(ALICE, "general", "help", f"{zulip.mention_bot()} secret stuff")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
    dm, notice = zulip.sent
    assert dm == Sent("private", (ALICE,), "", "pong: secret stuff")
    assert notice.type == "stream" and notice.topic == "help"
    assert notice.content == "@_**Alice|11** psst"


async def test_expired_queue_re_registers_without_losing_or_repeating_commands(
    zulip: FakeZulip,
) -> None:
    bot = Echo()
    async with running(zulip, bot) as adapter:
        zulip.inject_dm(ALICE, "one")
        await zulip.wait_for(lambda: len(zulip.sent) == 1)

        async def race() -> None:  # arrives in the new queue *and* in the catch-up
            zulip.inject_dm(ALICE, "three")

        zulip.on_register.append(race)
        zulip.expire_queues()
        zulip.inject_dm(ALICE, "two")  # sent while no queue exists
        await zulip.wait_for(lambda: len(zulip.sent) == 3)
        await until_answered(zulip, bot)  # a duplicate would come before it
        assert adapter.registrations == 2
    assert sorted(s.content for s in zulip.sent) == ["pong: one", "pong: three", "pong: two"]
    assert sorted(m.text for m in bot.seen) == ["one", "sentinel", "three", "two"]
    assert zulip.requests_to("messages", "GET"), "the gap was fetched from the history"


async def test_a_429_is_retried_after_retry_after(zulip: FakeZulip) -> None:
    async with running(zulip, Echo()):
        zulip.fail("messages", 429, retry_after=1)
        zulip.inject_dm(ALICE, "hello")
        await zulip.wait_for(lambda: len(zulip.sent) == 1)
    refused, accepted = zulip.requests_to("messages", "POST")
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.at - refused.at >= 0.95


async def test_polling_errors_back_off_and_recover(zulip: FakeZulip) -> None:
    zulip.fail("register", 500, times=2)
    async with running(zulip, Echo()):
        zulip.fail("events", 429, retry_after=0.3)
        zulip.inject_dm(ALICE, "still there?")
        await zulip.wait_for(lambda: len(zulip.sent) == 1)

        def statuses() -> list[int]:
            return [r.status for r in zulip.requests_to("events", "GET")]

        await zulip.wait_for(lambda: 200 in statuses()[statuses().index(429):]
                             if 429 in statuses() else False)
    assert [r.status for r in zulip.requests_to("register")] == [500, 500, 200]
    polls = zulip.requests_to("events", "GET")
    limited = next(i for i, r in enumerate(polls) if r.status == 429)
    assert polls[limited + 1].at - polls[limited].at >= 0.28


async def test_a_wrong_api_key_keeps_retrying_and_never_connects(zulip: FakeZulip) -> None:
    config = ZulipConfig(site=zulip.url, email=zulip.bot.email, api_key="wrong",
                         backoff_initial=0.02, backoff_max=0.05)
    task = asyncio.create_task(ZulipAdapter(config, Echo()).run())
    await zulip.wait_for(lambda: len(zulip.requests_to("users/me")) >= 3)
    assert not task.done()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert len(zulip.requests_to("users/me")) >= 3
    assert not zulip.requests_to("register")


async def test_long_replies_are_split_and_the_rest_attached(zulip: FakeZulip) -> None:
    class Logs(TestCore):
        async def handle(self, message: Message) -> Reply:
            return Reply((Code("\n".join(f"line {i:03d} " + "x" * 40 for i in range(200))),))

    zulip.max_message_length = 1000
    async with running(zulip, Logs(), max_messages_per_reply=3):
        zulip.inject_dm(BOB, "logs")
        await zulip.wait_for(lambda: len(zulip.sent) == 3)
    first, second, note = (s.content for s in zulip.sent)
    assert all(len(s.content) <= 1000 for s in zulip.sent)
    assert first.startswith("```\nline 000") and first.endswith("\n```")
    assert second.startswith("```\nline 0")
    [(path, data)] = zulip.uploads.items()
    assert f"]({path})" in note and "line 199" in data.decode()


async def test_announcements_go_to_a_stream_topic_or_a_users_dm(zulip: FakeZulip) -> None:
    async with running(zulip, Echo()) as adapter:
        await adapter.send("stream:general>maintenance", Reply.text("NFS at 10:00"))
        await adapter.send("zulip:12", Reply.text("sample-cron uses python3.9"))
        with pytest.raises(ValueError):
            await adapter.send("#general", Reply.text("?"))
    assert zulip.sent == [Sent("stream", "general", "maintenance", "NFS at 10:00"),
                          Sent("private", (BOB,), "", "sample-cron uses python3.9")]


def test_render_formats_tables_code_badges_links_and_escapes_mentions() -> None:
    reply = Reply((
        Text.of(Strong("sample-web"), " by @**all** *now*"),
        Table(("job", "state"), (("web|1", Badge("running", Tone.OK)),
                                 ("cron", Badge("failed", Tone.ERROR)))),
        Bullets((("see ", Link("docs", "https://wikitech.wikimedia.org/wiki/Help:Toolforge")),)),
        Code("a ``` b", "python"),
    ), is_error=True)
    [message] = render(reply, 10_000).messages
    assert message.splitlines() == [
        "❌ **sample-web** by @\\*\\*all\\*\\* \\*now\\*", "",
        "| job | state |", "| --- | --- |", "| web\\|1 | 🟢 running |", "| cron | 🔴 failed |", "",
        "- see [docs](https://wikitech.wikimedia.org/wiki/Help:Toolforge)", "",
        "````python", "a ``` b", "````",
    ]


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300),
                      min_size=1, max_size=40),
       limit=st.integers(120, 2000))
def test_render_never_exceeds_the_limit_and_keeps_every_line(lines: list[str], limit: int) -> None:
    rendering = render(Reply((Code("\n".join(lines)),)), limit, max_messages=1000)
    assert all(len(m) <= limit for m in rendering.messages)
    kept = "".join("".join(m.splitlines()[1:-1]) for m in rendering.messages)
    assert re.sub(r"\s", "", kept) == re.sub(r"\s", "", "".join(lines))


def test_config_reads_the_key_from_the_environment_only() -> None:
    table = {"site": "chat.example.org", "email": "bot@example.org"}
    config = ZulipConfig.from_toml(table, {"FORGEBOT_ZULIP_API_KEY": "k1"})
    assert (config.site, config.api_key) == ("https://chat.example.org", "k1")
    assert "k1" not in repr(config)
    with pytest.raises(ConfigError, match="FORGEBOT_ZULIP_API_KEY"):
        ZulipConfig.from_toml(table, {})
    with pytest.raises(ConfigError, match="api_key: keep secrets out of the file"):
        ZulipConfig.from_toml({**table, "api_key": "in-the-file"}, {"FORGEBOT_ZULIP_API_KEY": "k"})


# -- end to end with the real core and the Toolforge sandbox -------------------


def confirm_code(text: str) -> str:
    found = re.search(r"confirm (\d{4})", text)
    assert found, f"no confirmation code in {text!r}"
    return found.group(1)


async def test_a_maintainer_restarts_after_confirming_and_others_cannot(
    zulip: FakeZulip, make_bot: MakeBot, sandbox: Sandbox
) -> None:
    bot: Bot = await make_bot()
    await bot.services.store.link_add("zulip:12", "bob", "test")
    async with running(zulip, bot):
        zulip.inject_dm(EVE, "restart sample-crashloop")  # no link, email unknown
        zulip.inject_stream(BOB, "toolforge", "ops", "!tf restart sample-crashloop")  # linked bob
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
        assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0
        assert all("confirm" not in s.content for s in zulip.sent)
        assert all("maintainers" in s.content for s in zulip.sent)
        assert "bob" in next(s.content for s in zulip.sent if s.type == "stream")

        mention = zulip.mention_bot()
        zulip.inject_stream(ALICE, "toolforge", "ops", f"{mention} restart sample-crashloop")
        await zulip.wait_for(lambda: len(zulip.sent) == 3)
        asked = zulip.sent[-1]
        assert (asked.to, asked.topic) == ("toolforge", "ops")
        assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0
        zulip.inject_stream(ALICE, "toolforge", "ops",
                            f"{mention} confirm {confirm_code(asked.content)}")
        await zulip.wait_for(lambda: len(zulip.sent) == 4)
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 1
    assert "restarted" in zulip.sent[-1].content


async def test_logs_asked_in_a_stream_arrive_redacted_in_a_dm(
    zulip: FakeZulip, make_bot: MakeBot, sandbox: Sandbox
) -> None:
    async with running(zulip, await make_bot()):
        zulip.inject_stream(ALICE, "general", "bot", "!tf logs sample-crashloop")
        await zulip.wait_for(lambda: len(zulip.sent) == 2)
    dm, notice = zulip.sent
    assert dm.type == "private" and dm.to == (ALICE,)
    assert "[REDACTED]" in dm.content and "ConnectionRefusedError" in dm.content
    assert notice.type == "stream" and notice.topic == "bot"
    assert "ConnectionRefusedError" not in notice.content
    for sent in zulip.sent:
        assert not any(secret in sent.content for secret in sandbox.fake_secrets)
        assert "SECRET" not in sent.content


async def test_an_integrations_bot_is_never_answered(zulip: FakeZulip) -> None:
    bot = Echo()
    async with running(zulip, bot):
        zulip.inject_dm(16, "restart sample-crashloop")  # CI, a bot account
        answer = await until_answered(zulip, bot)
    assert [m.text for m in bot.seen] == ["sentinel"]
    assert answer.to == (ALICE,) and zulip.sent == []


# -- diagnose: the public answer in the stream, the error lines in a DM ---------

ZULIP_ASKER = {"sample-crashloop": ALICE, "sample-oom": BOB, "sample-brokenbuild": 13,
               "sample-quota": EVE, "sample-classic": 13, "sample-webdown": ALICE,
               "sample-badgateway": 13, "sample-web": ALICE}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
async def test_diagnose_in_a_stream_keeps_the_error_lines_private(
    zulip: FakeZulip, make_bot: MakeBot, sandbox: Sandbox, case: str
) -> None:
    tool, _, says, private = CASES[case]
    asker = ZULIP_ASKER[tool]
    async with running(zulip, await make_bot()):
        zulip.inject_stream(asker, "toolforge", "help", f"!tf why is {tool} down?")
        await zulip.wait_for(lambda: len(zulip.sent) == (2 if private else 1))
    public = zulip.sent[0]
    assert (public.type, public.to, public.topic) == ("stream", "toolforge", "help")
    assert f"I read this as 'diagnose {tool}'." in public.content
    key = "nothing wrong found" if case == "healthy tool" else says[0]
    assert key in public.content.replace("**", "")
    for sent in zulip.sent:
        assert not any(secret in sent.content for secret in sandbox.fake_secrets)
    if private:
        dm = zulip.sent[1]
        assert dm.type == "private" and dm.to == (asker,)
        assert all(words in dm.content for words in private)
        assert not any(words in public.content for words in private)
        assert "I sent you its recent error lines privately." in public.content
