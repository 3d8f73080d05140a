"""The Slack adapter: real bolt + slack_sdk against a fake Slack over HTTP and websocket."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from adapters.slack import SlackAdapter, SlackConfig
from adapters.slack.render import notice, render
from bot.config import ConfigError
from bot.core import Bot
from bot.message import Message
from bot.reply import Badge, Code, Link, Reply, Strong, Table, Text, Tone
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.fakes.core import TestCore
from tests.fakes.slack_server import FakeSlack
from tests.support import PATIENCE

SECRET = "signing-secret-for-tests"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk reads proxy variables itself and ignores NO_PROXY.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


class Echo(TestCore):
    def __init__(self, hold: asyncio.Event | None = None) -> None:
        self.seen: list[Message] = []
        self.hold = hold  # while set, a handler answers only once the test lets it

    async def handle(self, message: Message) -> Reply | None:
        self.seen.append(message)
        if self.hold is not None:
            await self.hold.wait()
        if not (message.direct or message.mentioned or message.text.startswith("!tf ")):
            return None
        private = "secret" in message.text
        return Reply((Text.of("pong: " + message.text),), private=private, summary="psst")


@contextlib.asynccontextmanager
async def http_mode(fake: FakeSlack, bot: Any) -> AsyncIterator[tuple[SlackAdapter, str]]:
    config = SlackConfig(bot_token=fake.bot_token, signing_secret=SECRET, mode="http",
                         base_url=fake.api_url)
    adapter = SlackAdapter(config, bot)
    runner = web.AppRunner(adapter.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    task = asyncio.create_task(adapter.run())
    try:
        await asyncio.wait_for(adapter.ready.wait(), PATIENCE)
        yield adapter, f"http://127.0.0.1:{port}/slack/events"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await runner.cleanup()


@contextlib.asynccontextmanager
async def socket_mode(fake: FakeSlack, bot: Any) -> AsyncIterator[SlackAdapter]:
    config = SlackConfig(bot_token=fake.bot_token, app_token=fake.app_token,
                         base_url=fake.api_url, ping_interval=1.0)
    adapter = SlackAdapter(config, bot)
    task = asyncio.create_task(adapter.run())
    try:
        await asyncio.wait_for(adapter.ready.wait(), PATIENCE)
        yield adapter
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def post_signed(url: str, payload: dict[str, Any], *, form: bool = False,
                      secret: str = SECRET, age: int = 0,
                      stamp: str | None = None) -> tuple[int, float]:
    body = urlencode(payload) if form else json.dumps(payload)
    stamp = stamp or str(int(time.time()) - age)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest(),
               "Content-Type": "application/x-www-form-urlencoded" if form else "application/json"}
    started = time.monotonic()
    async with aiohttp.ClientSession() as session, session.post(url, data=body,
                                                                 headers=headers) as response:
        await response.read()
        return response.status, time.monotonic() - started


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks)


async def until_answered(slack: FakeSlack, bot: Echo, url: str = "") -> None:
    """Send U0BOB's DM "sentinel" (over HTTP to ``url``, else over the socket) and wait
    for its answer, the last post, with every message before it handled: what "nothing
    more arrived" means, however slow the machine."""
    sentinel = slack.event("message", "U0BOB", "sentinel", channel="D0BOB", channel_type="im")
    if url:
        assert (await post_signed(url, sentinel))[0] == 200
    else:
        await slack.push("events_api", sentinel)

    def answered() -> bool:
        posts = slack.posted("chat.postMessage")
        return bot.settled and bool(posts) and "pong: sentinel" in texts(posts[-1].args["blocks"])

    await slack.wait_for(answered)


async def test_signed_slash_command_is_acked_and_answered_in_channel(slack: FakeSlack) -> None:
    bot = Echo()
    async with http_mode(slack, bot) as (_, url):
        status, _ = await post_signed(url, slack.slash("U0ALICE", "status sample-web"), form=True)
        assert status == 200
        await slack.wait_for(lambda: len(slack.responses) == 1)
    [(_, body, _)] = slack.responses
    assert body["response_type"] == "in_channel" and body["text"] == "psst"
    assert "pong: status sample-web" in texts(body["blocks"])
    [message] = bot.seen
    assert (message.sender.user_id, message.sender.email) == (
        "T0001:U0ALICE", "alice@example.org"
    )
    assert message.mentioned and message.room == "C0OPS"


async def test_mentions_and_dms_are_answered_once_each(slack: FakeSlack) -> None:
    bot = Echo()
    async with http_mode(slack, bot) as (_, url):
        mention = slack.event("app_mention", "U0BOB", "<@U0BOT> status &lt;x&gt;",
                              thread_ts="1699999999.000100")
        same = {**mention, "event": {**mention["event"], "type": "message"}}
        for payload in (mention, same):  # Slack sends both for a mention in a channel
            assert (await post_signed(url, payload))[0] == 200
        dm = slack.event("message", "U0BOB", "status sample-cron", channel="D0BOB",
                         channel_type="im")
        chatter = slack.event("message", "U0BOB", "lunch?")
        own = slack.event("message", "U0BOT", "pong: something")
        for payload in (dm, chatter, own):
            assert (await post_signed(url, payload))[0] == 200
        await until_answered(slack, bot, url)
    posts = sorted((c.args["channel"], c.args.get("thread_ts"))
                   for c in slack.posted("chat.postMessage")[:-1])
    assert posts == [("C0OPS", "1699999999.000100"), ("D0BOB", None)]
    assert sorted(m.text for m in bot.seen) == [
        "lunch?", "sentinel", "status <x>", "status sample-cron"]
    assert len(slack.posted("users.info")) == 1, "the user's profile is cached"


async def test_other_bots_and_edits_never_reach_the_core(slack: FakeSlack) -> None:
    bot = Echo()
    async with http_mode(slack, bot) as (_, url):
        from_bot = slack.event("message", "U0BOB", "!tf status sample-web")
        from_bot["event"]["bot_id"] = "B0OTHER"
        edited = slack.event("message", "U0BOB", "!tf restart sample-web")
        edited["event"]["subtype"] = "message_changed"
        marker = slack.event("message", "U0BOB", "!tf marker", channel="D0BOB", channel_type="im")
        for payload in (from_bot, edited, marker):
            assert (await post_signed(url, payload))[0] == 200
        # The marker is answered last; anything before it has had its chance.
        await slack.wait_for(lambda: any(m.text == "!tf marker" for m in bot.seen))
    assert [m.text for m in bot.seen] == ["!tf marker"]


async def test_bad_signature_or_old_timestamp_is_rejected_and_runs_nothing(
    slack: FakeSlack,
) -> None:
    bot = Echo()
    async with http_mode(slack, bot) as (_, url):
        forged = await post_signed(url, slack.slash("U0EVE", "restart x"), form=True,
                                   secret="guessed")
        stale = await post_signed(url, slack.slash("U0EVE", "restart x"), form=True, age=301)
        replayed = await post_signed(url, slack.event("app_mention", "U0EVE", "<@U0BOT> x"),
                                     age=3600)
        await until_answered(slack, bot, url)
    assert (forged[0], stale[0], replayed[0]) == (401, 401, 401)
    assert [m.text for m in bot.seen] == ["sentinel"] and slack.responses == []
    assert len(slack.posted("chat.postMessage")) == 1  # the sentinel's answer


async def test_a_slow_command_acks_in_time_and_answers_later(slack: FakeSlack) -> None:
    finish = asyncio.Event()
    bot = Echo(hold=finish)
    async with http_mode(slack, bot) as (_, url):
        status, _ = await post_signed(url, slack.slash("U0ALICE", "slow"), form=True)
        # Acked while the command is still running (it cannot finish before we say so):
        # the ack does not wait for the answer, so Slack's 3 s limit holds for any command.
        assert status == 200
        # The ack may come before the handler's task has even started (bolt answers first).
        await slack.wait_for(lambda: bool(bot.seen))
        assert [m.text for m in bot.seen] == ["slow"] and not bot.settled
        slack.response_url_status = 404  # and by then the response_url has gone stale
        finish.set()
        await slack.wait_for(lambda: bool(slack.posted("chat.postMessage")))
    [post] = slack.posted("chat.postMessage")
    assert post.args["channel"] == "C0OPS" and "pong: slow" in texts(post.args["blocks"])


async def test_private_replies_are_ephemeral_or_a_dm_with_a_notice(slack: FakeSlack) -> None:
    async with http_mode(slack, Echo()) as (_, url):
        await post_signed(url, slack.slash("U0ALICE", "secret one"), form=True)
        await post_signed(url, slack.event("app_mention", "U0ALICE", "<@U0BOT> secret two"))
        await slack.wait_for(lambda: bool(slack.responses and slack.posted("chat.postEphemeral")))
    assert slack.responses[0][1]["response_type"] == "ephemeral"
    [dm] = slack.posted("chat.postMessage")
    assert dm.args["channel"] == "U0ALICE" and "secret two" in texts(dm.args["blocks"])
    [aside] = slack.posted("chat.postEphemeral")
    assert (aside.args["channel"], aside.args["user"], aside.args["text"]) == (
        "C0OPS", "U0ALICE", "psst")


async def test_a_rate_limited_post_waits_for_retry_after(slack: FakeSlack) -> None:
    async with http_mode(slack, Echo()) as (_, url):
        slack.fail("chat.postMessage", 429, retry_after=1)
        await post_signed(url, slack.event("app_mention", "U0BOB", "<@U0BOT> hi"))
        await slack.wait_for(lambda: bool(slack.posted("chat.postMessage")))
    limited, sent = [c for c in slack.calls if c.method == "chat.postMessage"]
    assert limited.status == 429 and sent.at - limited.at >= 0.95


async def test_socket_mode_answers_and_survives_a_dropped_socket(slack: FakeSlack) -> None:
    bot = Echo()
    async with socket_mode(slack, bot):
        await slack.wait_for(lambda: slack.sockets_opened == 1)
        first = await slack.push("slash_commands", slack.slash("U0BOB", "one"))
        await slack.wait_for(lambda: len(slack.responses) == 1 and len(slack.acks) == 1)
        slack.drop_socket()
        await slack.wait_for(lambda: slack.sockets_opened == 2)
        mention = slack.event("app_mention", "U0BOB", "<@U0BOT> two")
        second = await slack.push("events_api", mention)
        await slack.wait_for(lambda: bool(slack.posted("chat.postMessage")))
        await slack.ask_to_reconnect()
        await slack.wait_for(lambda: slack.sockets_opened == 3)
        await slack.push("events_api", slack.event("message", "U0BOB", "three", channel="D0B",
                                                   channel_type="im"))
        await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 2)
    assert {a["envelope_id"] for a in slack.acks} >= {first, second}
    assert [m.text for m in bot.seen] == ["one", "two", "three"]
    assert len(slack.posted("apps.connections.open")) == 3


async def test_announcements_go_to_channels_and_to_users_dms(slack: FakeSlack) -> None:
    async with socket_mode(slack, Echo()) as adapter:
        await adapter.send("C0NEWS", Reply.text("maintenance at 10:00"))
        await adapter.send("slack:U0ALICE", Reply.text("your tool is on python3.9"))
    assert [c.args["channel"] for c in slack.posted("chat.postMessage")] == ["C0NEWS", "U0ALICE"]


def test_block_kit_has_cards_for_tables_code_context_and_escapes() -> None:
    reply = Reply((
        Text.of(Strong("sample-web"), " <!channel> & ", Link("docs", "https://x.org/a|b")),
        Table(("job", "state", "image"), (("web", Badge("running", Tone.OK), "python3.11"),)),
        Code("Traceback ```\nboom"),
    ), is_error=True, summary="status of sample-web")
    [message] = render(reply)
    assert message.text == "status of sample-web"
    intro, card, code = message.blocks
    assert intro["text"]["text"] == (
        ":x: *sample-web* &lt;!channel&gt; &amp; <https://x.org/a%7Cb|docs>")
    assert card["text"]["text"] == "*web*"
    assert [f["text"] for f in card["fields"]] == [
        "*state*\n:large_green_circle: running", "*image*\npython3.11"]
    assert code["text"]["text"] == "```\nTraceback `\u200b``\nboom\n```"


def test_user_words_cannot_ping_a_channel_through_the_fallback_text() -> None:
    reply = Reply.error("'<!channel>' is not a Toolforge tool name")
    [page] = render(reply)
    assert "<!channel>" not in page.text and "&lt;!channel&gt;" in page.text
    assert "<!here>" not in notice("sent <!here> a DM").text


def test_block_kit_respects_slack_limits() -> None:
    rows = tuple((f"job{i}", Badge("ok", Tone.OK)) for i in range(15))
    many = Reply(tuple([Code("x" * 9000)] + [Table(("job", "state"), rows)] * 10))
    pages = render(many, max_messages=2)
    assert len(pages) == 2 and all(len(p.blocks) <= 50 for p in pages)
    assert "more blocks not shown" in json.dumps(pages[-1].blocks[-1])
    sections = [b for p in pages for b in p.blocks if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)


def test_config_takes_secrets_from_the_environment_and_checks_the_mode() -> None:
    env = {"FORGEBOT_SLACK_BOT_TOKEN": "xoxb-1", "FORGEBOT_SLACK_APP_TOKEN": "xapp-1"}
    config = SlackConfig.from_toml({}, env)
    assert (config.mode, config.bot_token, config.app_token) == ("socket", "xoxb-1", "xapp-1")
    assert "xoxb-1" not in repr(config)
    with pytest.raises(ConfigError, match="FORGEBOT_SLACK_SIGNING_SECRET"):
        SlackConfig.from_toml({"mode": "http"}, env)
    with pytest.raises(ConfigError, match="bot_token: keep secrets out of the file"):
        SlackConfig.from_toml({"bot_token": "xoxb-in-the-file"}, env)


# -- end to end with the real core and the Toolforge sandbox -------------------


def answer_to(slack: FakeSlack, response_id: str) -> dict[str, Any]:
    """The one body posted to the response_url named ``response_id``."""
    [body] = [body for rid, body, _ in slack.responses if rid == response_id]
    return body


async def test_only_a_maintainer_restarts_and_only_after_confirming(
    slack: FakeSlack, make_bot: MakeBot, sandbox: Sandbox
) -> None:
    bot: Bot = await make_bot()
    async with http_mode(slack, bot) as (_, url):
        for user, rid in (("U0EVE", "eve"), ("U0CAROL", "carol"), ("U0BOB", "bob")):
            await post_signed(url, slack.slash(user, "restart sample-crashloop",
                                               response_id=rid), form=True)
        await slack.wait_for(lambda: len(slack.responses) == 3)
        # three people, answered concurrently: each answer is known by its response_url
        refusals = {rid: body["text"] for rid, body, _ in slack.responses}
        assert sorted(refusals) == ["bob", "carol", "eve"]
        assert all("confirm" not in json.dumps(body) for _, body, _ in slack.responses)
        assert all("maintainers" in text for text in refusals.values())
        assert "not linked" in refusals["carol"], "her email is not confirmed: it proves nothing"
        assert "signed in as bob" in refusals["bob"]
        assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0

        await post_signed(url, slack.slash("U0ALICE", "restart sample-crashloop",
                                           response_id="ask"), form=True)
        await slack.wait_for(lambda: len(slack.responses) == 4)
        found = re.search(r"confirm (\d{4})", json.dumps(answer_to(slack, "ask")))
        assert found and sandbox.restart_count("sample-crashloop", "irc-bot") == 0
        await post_signed(url, slack.slash("U0ALICE", f"confirm {found.group(1)}",
                                           response_id="go"), form=True)
        await slack.wait_for(lambda: len(slack.responses) == 5)
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 1
    assert "restarted" in json.dumps(answer_to(slack, "go"))


async def test_logs_from_a_mention_arrive_redacted_in_a_dm(
    slack: FakeSlack, make_bot: MakeBot, sandbox: Sandbox
) -> None:
    async with socket_mode(slack, await make_bot()):
        await slack.wait_for(lambda: slack.sockets_opened == 1)
        await slack.push("events_api", slack.event("app_mention", "U0ALICE",
                                                   "<@U0BOT> logs sample-crashloop"))
        await slack.wait_for(lambda: bool(slack.posted("chat.postEphemeral")))
    [dm] = slack.posted("chat.postMessage")
    shown = json.dumps(dm.args)
    assert dm.args["channel"] == "U0ALICE"
    assert "[REDACTED]" in shown and "ConnectionRefusedError" in shown
    everything = shown + json.dumps([c.args for c in slack.posted("chat.postEphemeral")])
    assert "SECRET" not in everything
    assert not any(secret in everything for secret in sandbox.fake_secrets)


# -- identity edge cases ---------------------------------------------------------


async def test_another_workspaces_user_with_a_maintainers_email_is_not_that_maintainer(
    slack: FakeSlack, make_bot: MakeBot, sandbox: Sandbox
) -> None:
    bot: Bot = await make_bot()
    async with http_mode(slack, bot) as (_, url):
        await post_signed(url, slack.slash("U0GUEST", "restart sample-crashloop",
                                           response_id="guest"), form=True)  # fmt: skip
        await post_signed(url, slack.slash("U0ALICE", "whoami", response_id="alice"), form=True)
        await slack.wait_for(lambda: len(slack.responses) == 2)
    answers = {rid: json.dumps(body) for rid, body, _ in slack.responses}
    assert "not linked" in answers["guest"] and "confirm" not in answers["guest"]
    assert "slack:T0001:U0ALICE" in answers["alice"] and "alice" in answers["alice"]
    assert sandbox.restart_count("sample-crashloop", "irc-bot") == 0


async def test_messages_of_other_apps_bot_users_never_reach_the_core(slack: FakeSlack) -> None:
    bot = Echo()
    async with socket_mode(slack, bot) as _:
        await slack.wait_for(lambda: slack.sockets_opened == 1)
        await slack.push("events_api", slack.event("message", "U0HELPER", "restart x",
                                                   channel="D0HELPER", channel_type="im"))
        await until_answered(slack, bot)
    assert [m.text for m in bot.seen] == ["sentinel"]


async def test_a_replayed_signed_request_is_refused_and_runs_nothing(slack: FakeSlack) -> None:
    bot = Echo()
    async with http_mode(slack, bot) as (_, url):
        payload = slack.slash("U0ALICE", "status sample-web")
        stamp = str(int(time.time()))
        first, _ = await post_signed(url, payload, form=True, stamp=stamp)
        again, _ = await post_signed(url, payload, form=True, stamp=stamp)  # byte for byte
        await slack.wait_for(lambda: len(slack.responses) == 1)
        sentinel, _ = await post_signed(url, slack.slash("U0BOB", "x", response_id="b"),
                                        form=True)  # fmt: skip
        await slack.wait_for(lambda: len(slack.responses) == 2)
    assert (first, again, sentinel) == (200, 401, 200)
    assert [m.text for m in bot.seen] == ["status sample-web", "x"]
