"""/metrics, scraped over HTTP and read with Prometheus's own text parser, moves with real work.

Commands by name and result, their latency, Toolforge API calls by service
and status, rate-limit refusals, chat connection state and outbox depth.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import LimitsSettings
from bot.core import Bot
from bot.http import HttpServer
from bot.message import ChatIdentity, Message
from bot.toolforge.sandbox import Sandbox
from tests.conftest import MakeBot
from tests.test_announcement_store import LATER, NOW, RECIPIENTS, announcement
from tests.test_linking import Recorder

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> Samples:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class Chat(Recorder):
    """A chat adapter as the core sees one, with an outbox of queued lines."""

    def __init__(self) -> None:
        super().__init__()
        self.outbox: list[str] = []


@pytest.fixture
async def served(make_bot: MakeBot) -> AsyncIterator[tuple[Bot, str]]:
    bot = await make_bot(limits=LimitsSettings(commands="3/minute"))
    http = HttpServer("127.0.0.1", 0, metrics=bot.services.metrics)
    url = await http.start()
    try:
        yield bot, url
    finally:
        await http.stop()


def said(account: str, text: str) -> Message:
    return Message("irc", ChatIdentity("irc", account, account), text, direct=True)


async def test_commands_and_toolforge_calls_are_counted(
    served: tuple[Bot, str], sandbox: Sandbox
) -> None:
    bot, url = served
    before = await scrape(url)
    assert await bot.handle(said("carol-libera", "status sample-web"))
    assert await bot.handle(said("carol-libera", "status no-such-tool"))
    after = await scrape(url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("forgebot_commands_total", command="status", result="ok") == 1
    # a tool the directory does not know is refused before any Toolforge call
    assert grew("forgebot_commands_total", command="status", result="refused") == 1
    assert grew("forgebot_commands_total", command="status", result="failed") == 0
    assert grew("forgebot_command_duration_seconds_count", command="status") == 2
    assert grew("forgebot_command_duration_seconds_sum", command="status") > 0
    assert grew("forgebot_toolforge_requests_total", service="jobs", status="200") >= 1
    assert grew("forgebot_toolforge_request_duration_seconds_count", service="jobs") >= 1
    # an answer Toolforge gives as an error is counted under its own status
    sandbox.fail_next(status=503, path_prefix="/jobs/v1/tool/sample-web/jobs")
    sandbox.fail_next(status=503, path_prefix="/jobs/v1/tool/sample-web/jobs")
    await bot.handle(said("carol-libera", "status sample-web"))
    final = await scrape(url)
    assert value(final, "forgebot_toolforge_requests_total", service="jobs", status="503") == 2
    assert value(final, "process_resident_memory_bytes") > 0


async def test_rate_limit_refusals_are_counted(served: tuple[Bot, str]) -> None:
    bot, url = served
    for _ in range(5):
        await bot.handle(said("dave-libera", "whoami"))
    samples = await scrape(url)
    assert value(samples, "forgebot_commands_total", command="whoami", result="ok") == 3
    refused = value(samples, "forgebot_rate_limit_refusals_total", platform="irc", limit="commands")
    assert refused == 2


async def test_chat_connection_state_and_outbox_depth_are_read_when_scraped(
    served: tuple[Bot, str],
) -> None:
    bot, url = served
    chat = Chat()
    bot.attach(chat)
    samples = await scrape(url)
    assert value(samples, "forgebot_chat_connected", adapter="irc") == 0
    assert value(samples, "forgebot_outbox_depth", adapter="irc") == 0
    chat.ready.set()
    chat.outbox += ["#wikimedia-cloud", "alice"]
    samples = await scrape(url)
    assert value(samples, "forgebot_chat_connected", adapter="irc") == 1
    assert value(samples, "forgebot_outbox_depth", adapter="irc") == 2


async def test_the_announcement_outbox_depth_is_read_from_the_store_when_scraped(
    served: tuple[Bot, str],
) -> None:
    bot, url = served
    assert value(await scrape(url), "forgebot_announcement_outbox_depth", platform="irc") == 0
    store = bot.services.store
    await store.announcement_create(announcement(), RECIPIENTS, now=NOW)
    samples = await scrape(url)
    # irc: the channel and alice (one row for both her tools); zulip: alice; email: bob
    assert value(samples, "forgebot_announcement_outbox_depth", platform="irc") == 2
    assert value(samples, "forgebot_announcement_outbox_depth", platform="zulip") == 1
    assert value(samples, "forgebot_announcement_outbox_depth", platform="email") == 1
    claimed = await store.deliveries_claim("w1", ["zulip"], limit=5, now=LATER)
    assert await store.delivery_complete(claimed[0].id or 0, now=LATER)
    samples = await scrape(url)
    assert value(samples, "forgebot_announcement_outbox_depth", platform="zulip") == 0
    assert value(samples, "forgebot_announcement_outbox_depth", platform="irc") == 2
