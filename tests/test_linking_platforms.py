"""Self-service linking through the Zulip and Slack adapters (their fakes speak real HTTP).

Eve's email is unknown to the directory, so only a link can make her a
developer account: she asks in a DM, logs in as bob at a real OIDC provider,
is confirmed in a DM on her own platform, and may then restart bob's tool.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.app import http_front
from tests.conftest import MakeBot
from tests.fakes.slack_server import FakeSlack
from tests.fakes.zulip_server import FakeZulip
from tests.oidc_provider import Browser, Provider, oidc_provider, url_in
from tests.test_slack_adapter import socket_mode
from tests.test_zulip_adapter import _no_proxy  # noqa: F401  (autouse: loopback only)
from tests.test_zulip_adapter import running as zulip_running

EVE = 15


@pytest.fixture
def provider() -> Iterator[Provider]:
    with oidc_provider() as found:
        yield found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    found = Browser()
    yield found
    await found.aclose()


async def test_a_zulip_user_links_by_logging_in(
    make_bot: MakeBot, provider: Provider, browser: Browser
) -> None:
    zulip = FakeZulip(heartbeat=0.3)
    await zulip.start()
    try:
        bot = await make_bot(link=provider.settings())
        async with zulip_running(zulip, bot) as adapter, http_front(bot, [adapter]):
            zulip.inject_dm(EVE, "restart sample-legacy")
            zulip.inject_dm(EVE, "link")
            await zulip.wait_for(lambda: len(zulip.sent) == 2)
            assert "not linked" in zulip.sent[0].content
            final = await browser.link(url_in(zulip.sent[1].content), "bob-sub")
            assert final.status_code == 200, final.text
            await zulip.wait_for(lambda: len(zulip.sent) == 3)
            note = zulip.sent[2]
            assert note.type == "private" and note.to == (EVE,)
            assert "now linked to the developer account **bob**" in note.content
            zulip.inject_dm(EVE, "restart sample-legacy")
            await zulip.wait_for(lambda: len(zulip.sent) == 4)
            assert "confirm" in zulip.sent[3].content
        link = await bot.services.store.link_get(f"zulip:{EVE}")
        assert link is not None and (link.account, link.method) == ("bob", "login")
    finally:
        await zulip.stop()


async def test_a_slack_user_links_by_logging_in(
    make_bot: MakeBot, provider: Provider, browser: Browser
) -> None:
    slack = FakeSlack()
    await slack.start()
    try:
        bot = await make_bot(link=provider.settings())
        async with socket_mode(slack, bot) as adapter, http_front(bot, [adapter]):
            dm = slack.event("message", "U0EVE", "link", channel="D0EVE", channel_type="im")
            await slack.push("events_api", dm)
            await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 1)
            offer = json.dumps(slack.posted("chat.postMessage")[0].args)
            final = await browser.link(url_in(offer), "bob-sub")
            assert final.status_code == 200, final.text
            await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 2)
            note = slack.posted("chat.postMessage")[1].args
            assert note["channel"] == "U0EVE" and "bob" in note["text"]
        link = await bot.services.store.link_get("slack:T0001:U0EVE")
        assert link is not None and (link.account, link.method) == ("bob", "login")
    finally:
        await slack.stop()
