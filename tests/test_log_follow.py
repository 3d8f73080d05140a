"""logs --follow on the console against the sandbox's streamed logs: new lines arrive
redacted and privately, ``stop`` or the time ends it, a cut stream is taken up again or
ended with a sentence. (IRC: tests/irc/test_long_answers_irc.py.)"""

from __future__ import annotations

import dataclasses
import io
import re

import pytest

from adapters.console import ConsoleAdapter
from bot.config import BotSettings
from bot.core import Bot
from bot.message import ChatIdentity, Fit, Message
from bot.reply import plain_text
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.fakes.zulip_server import FakeZulip
from tests.support import wait_until
from tests.test_linking import Recorder
from tests.test_zulip_adapter import (  # noqa: F401  (the fake Zulip fixture)
    ALICE,
    _no_proxy,  # noqa: F401  (autouse: loopback only)
    zulip,
)
from tests.test_zulip_adapter import running as zulip_running

STREAM = "/logs/v1/tool/sample-web/job/webservice/logs_stream"


class Console:
    """alice at a console whose unasked output (the followed lines) is kept."""

    def __init__(self, bot: Bot, account: str = "alice") -> None:
        self.out = io.StringIO()
        self.adapter = ConsoleAdapter(bot, account, stdin=io.StringIO(), stdout=self.out,
                                      colour=False)  # fmt: skip

    async def say(self, line: str) -> str:
        return "\n".join(await self.adapter.handle_line(line))

    async def until(self, text: str) -> str:
        """Wait until ``text`` was printed unasked; everything printed so far."""
        await wait_until(lambda: text in self.out.getvalue(), repr(text))
        return self.out.getvalue()


@pytest.fixture
async def quick(make_bot: MakeBot) -> Bot:
    bot = await make_bot()
    bot.follows.backoff = 0.05
    return bot


async def test_new_lines_arrive_redacted_until_stop(quick: Bot, sandbox: Sandbox) -> None:
    alice = Console(quick)
    started = await alice.say("logs sample-web webservice --follow")
    assert "Following the log of sample-web/webservice for 2 minutes" in started
    assert "Say stop to end it sooner." in started
    # whether the stream is open yet or not, these come: as new lines, or as its backlog
    sandbox.append_logs("sample-web", "webservice", ["fresh request", "login password=pw-SECRET"])
    shown = await alice.until("fresh request")
    assert "[console:alice]" in shown and "sample-web/webservice:" in shown
    await alice.until("password=[REDACTED]")
    assert "SECRET" not in alice.out.getvalue()
    stopped = await alice.say("stop")
    assert stopped.startswith("Stopped following sample-web/webservice, as you asked (")
    assert "You are not following any log." in await alice.say("stop")
    await wait_until(lambda: not sandbox.in_flight, "the stream closed: nothing more can come")
    events = await quick.services.store.audit_events(tool="sample-web")
    assert [(e.action, e.result, e.detail) for e in events] == [
        ("logs", "ok", "following sample-web/webservice for 120 s")
    ]


async def test_the_follow_ends_when_its_time_is_up(make_bot: MakeBot) -> None:
    bot = await make_bot(bot=BotSettings(admins=("root-sre",), follow_seconds=1))
    alice = Console(bot)
    assert "for 1 s" in await alice.say("logs sample-web webservice --follow")
    ended = await alice.until("are up")
    assert "Stopped following sample-web/webservice: the 1 seconds are up" in ended
    assert "Say logs sample-web webservice --follow to follow it again." in ended


@pytest.mark.parametrize("abrupt", [False, True])
async def test_a_cut_stream_is_taken_up_again_without_repeats(quick: Bot, sandbox: Sandbox,
                                                              abrupt: bool) -> None:
    alice = Console(quick)
    sandbox.append_logs("sample-web", "webservice", ["before the cut"])
    sandbox.cut_streams(1, abrupt=abrupt)
    await alice.say("logs sample-web webservice --follow")
    await alice.until("before the cut")
    streams = [r for r in sandbox.requests if r[1] == STREAM]
    await wait_until(lambda: len([r for r in sandbox.requests if r[1] == STREAM]) == 2,
                     "the stream taken up again")  # fmt: skip
    sandbox.append_logs("sample-web", "webservice", ["after the cut"])
    shown = await alice.until("after the cut")
    assert shown.count("before the cut") == 1 and len(streams) == 1
    await alice.say("stop")


async def test_a_stream_that_will_not_come_back_ends_with_a_sentence(quick: Bot,
                                                                     sandbox: Sandbox) -> None:
    alice = Console(quick)
    sandbox.cut_streams(1)
    sandbox.fail_next(status=503, count=20, path_prefix=STREAM)
    await alice.say("logs sample-web webservice --follow")
    ended = await alice.until("Stopped following")
    assert "Stopped following sample-web/webservice: the logs service is unavailable (HTTP 503)" \
        in ended  # fmt: skip
    assert "did not take it back after 3 tries" in ended
    assert "You are not following any log." in await alice.say("stop")


async def test_follow_refuses_here_and_fails_closed_without_secrets(quick: Bot,
                                                                    sandbox: Sandbox) -> None:
    alice = Console(quick)
    refused = await alice.say("logs sample-web webservice --follow --here")
    assert refused.startswith("error: --follow sends new lines only to you, privately")
    sandbox.fail_next(status=500, count=2, path_prefix="/envvars/v1/tool/sample-web")
    withheld = await alice.say("logs sample-web webservice --follow")
    assert "I showed no log lines of sample-web/webservice" in withheld
    assert not [r for r in sandbox.requests if r[1] == STREAM]
    assert "You are not following any log." in await alice.say("stop")


async def test_only_maintainers_follow(quick: Bot, sandbox: Sandbox) -> None:
    bob = Console(quick, "bob")
    assert "only maintainers of 'sample-web' may read its logs" in await bob.say(
        "logs sample-web webservice --follow"
    )
    assert not [r for r in sandbox.requests if r[1] == STREAM]


async def test_on_zulip_the_lines_come_as_direct_messages_until_stop(
    zulip: FakeZulip, make_bot: MakeBot, sandbox: Sandbox  # noqa: F811
) -> None:
    bot = await make_bot()
    async with zulip_running(zulip, bot) as adapter:
        bot.attach(adapter)
        zulip.inject_stream(ALICE, "general", "bot", "!tf logs sample-web webservice --follow")
        await zulip.wait_for(lambda: any("Following the log" in s.content for s in zulip.sent))
        sandbox.append_logs("sample-web", "webservice", ["zulip sees this", "pw=hunter2-SECRET"])
        await zulip.wait_for(lambda: any("zulip sees this" in s.content for s in zulip.sent))
        zulip.inject_dm(ALICE, "stop")
        await zulip.wait_for(lambda: any("as you asked" in s.content for s in zulip.sent))
    followed = [s for s in zulip.sent if "zulip sees this" in s.content]
    assert followed and all(s.type == "private" and s.to == (ALICE,) for s in followed)
    assert not any("SECRET" in s.content for s in zulip.sent)
    in_stream = [s.content for s in zulip.sent if s.type == "stream"]
    assert not any("zulip sees this" in text for text in in_stream)


async def test_a_chatty_job_is_cut_to_what_irc_carries(quick: Bot, sandbox: Sandbox) -> None:
    await quick.services.store.link_add("irc:alice", "alice", created_by="test")
    irc = Recorder()
    quick.attach(irc)
    message = Message("irc", ChatIdentity("irc", "alice", "alice"),
                      "logs sample-web webservice --follow", direct=True, fit=Fit(lines=8))
    started = await quick.handle(message)
    assert started is not None and "Following the log" in plain_text(started)
    await wait_until(lambda: bool(irc.sent), "the backlog sent")
    sandbox.append_logs("sample-web", "webservice", [f"burst {i}" for i in range(30)])
    await wait_until(lambda: "burst 29" in plain_text(irc.sent[-1][1]), "the burst sent")
    await quick.handle(dataclasses.replace(message, text="stop"))
    sent = [plain_text(reply) for _, reply in irc.sent]
    assert all(where == "alice" for where, _ in irc.sent), "the nick is IRC's direct destination"
    assert all(text.count("\n") <= 7 for text in sent), "at most a heading, 6 lines and a note"
    shown = sum(text.count(" burst ") for text in sent)
    skipped = sum(int(m) for m in re.findall(r"\((\d+) earlier lines skipped", "\n".join(sent)))
    assert shown + skipped == 30 and skipped > 0
