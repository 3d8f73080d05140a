"""Health that means something: /readyz is 503 while a configured chat connection is down."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.http import HttpServer
from tests.fakes.core import TestCore
from tests.irc.conftest import ACCOUNTS, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.proxy import TcpRelay

pytestmark = pytest.mark.irc


class Silent(TestCore):
    async def handle(self, message: object) -> None:
        return None


async def answer(url: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_readiness_follows_the_irc_connection(irc_network: IrcNetwork) -> None:
    relay = await TcpRelay(irc_network.host, irc_network.port).start()
    config = bot_config(irc_network, port=relay.port, nick="readybot", sasl_account="forgebot2",
                        password=ACCOUNTS["forgebot2"], reconnect_min=0.2,
                        reconnect_max=0.5)  # fmt: skip
    try:
        async with running(config, Silent()) as bot:
            http = HttpServer("127.0.0.1", 0, readiness=lambda: {"irc": bot.ready.is_set()})
            url = await http.start()
            try:
                assert await answer(f"{url}/readyz") == (
                    200, {"status": "ready", "connections": {"irc": True}}
                )
                await relay.stop()  # the server is gone, and stays gone
                deadline = time.monotonic() + 30
                while (await answer(f"{url}/readyz"))[0] != 503:
                    assert time.monotonic() < deadline, "never said it was not ready"
                    await asyncio.sleep(0.05)
                status, body = await answer(f"{url}/readyz")
                assert (status, body["connections"]) == (503, {"irc": False})
                assert (await answer(f"{url}/healthz"))[0] == 200  # alive all the same
            finally:
                await http.stop()
    finally:
        await relay.stop()
