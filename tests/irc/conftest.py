"""Fixtures for the IRC tests: one real network per session, bots and peers on it.

Every IRC registration costs about a second on InspIRCd, so the network is
session-scoped and the integration modules keep their bots and peers for the
whole module (``loop_scope="module"``) and connect them concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from adapters.irc import IrcAdapter, IrcConfig
from adapters.irc.early import EarlyConnection
from bot.adapter import Core
from bot.app import SANDBOX_DATA, open_bot
from bot.commands import Command, Invocation
from bot.context import Context
from bot.core import Bot
from bot.message import ChatIdentity
from bot.reply import Reply
from bot.toolforge.sandbox import Sandbox
from commands import all_commands
from tests.irc.network import IrcNetwork, missing_binaries
from tests.support import PATIENCE, require_programs, sandbox_config, sandbox_sleep

CHANNEL = "#wikimedia-cloud"
ACCOUNTS = {
    "forgebot": "botpass1",
    "forgebot2": "botpass2",
    "alice-libera": "alicepass1",  # linked to developer alice in the scenarios
    "alice": "alicepass2",  # a Libera account that merely has a developer's name
    "bob-irc": "bobpass1",
    "certbot": "certpass-unused",
}


@pytest.fixture(scope="session")
def irc_network() -> Iterator[IrcNetwork]:
    require_programs(missing_binaries(), "the IRC integration tests")
    # certbot logs in with SASL EXTERNAL: its account lists its client certificate.
    network = IrcNetwork(dict(ACCOUNTS), cert_accounts=("certbot",)).start()
    try:
        yield network
    finally:
        network.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    network = getattr(item, "funcargs", {}).get("irc_network")
    if report.failed and isinstance(network, IrcNetwork):
        report.sections.append(("IRC daemon logs", network.logs()))
    return report


def bot_config(network: IrcNetwork, **changes: Any) -> IrcConfig:
    """A bot config for the test network: no TLS, no flood control, fast retries."""
    base = IrcConfig(
        server=network.host,
        port=network.port,
        tls=False,
        nick="forgebot",
        password=ACCOUNTS["forgebot"],
        channels=(CHANNEL,),
        flood_rate=0,
        connect_timeout=10,
        reconnect_min=0.05,
        reconnect_max=0.5,
        rejoin_delay=0.2,
    )
    return base.replace(**changes)


@contextlib.asynccontextmanager
async def running(
    config: IrcConfig, bot: Core, wait: bool = True, early: EarlyConnection | None = None
) -> AsyncIterator[IrcAdapter]:
    """An adapter serving in the background; with ``wait``, only once it is in its channels;
    ``early``: a connection it takes over (as forgebot run opens one while it starts)."""
    adapter = IrcAdapter(config, bot, early)
    task = asyncio.create_task(adapter.run())
    try:
        if wait:
            waiter = asyncio.ensure_future(adapter.ready.wait())
            done, _ = await asyncio.wait(
                [waiter, task], timeout=PATIENCE, return_when=asyncio.FIRST_COMPLETED
            )
            if task in done:
                task.result()
            if waiter not in done:
                waiter.cancel()
                raise TimeoutError(f"the IRC adapter did not get ready in {PATIENCE} s")
        yield adapter
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@dataclass
class HandlerCall:
    command: str
    account: str | None
    sender: ChatIdentity


@dataclass
class SpiedBot:
    """A real :class:`Bot` whose command handlers record who reached them."""

    bot: Bot
    sandbox: Sandbox
    calls: list[HandlerCall] = field(default_factory=list)

    def reached(self, command: str) -> list[HandlerCall]:
        return [c for c in self.calls if c.command == command]


def _spied(command: Command, calls: list[HandlerCall]) -> Command:
    """``command`` and its sub-commands, each handler recording who reached it."""
    real = command.handler
    subcommands = tuple(_spied(sub, calls) for sub in command.subcommands)
    if real is None:
        return dataclasses.replace(command, subcommands=subcommands)

    async def handler(ctx: Context, inv: Invocation) -> Reply:
        calls.append(HandlerCall(command.path, ctx.account, ctx.message.sender))
        return await real(ctx, inv)

    return dataclasses.replace(command, handler=handler, subcommands=subcommands)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def spied_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SpiedBot]:
    """The real core on a fresh SQLite store, talking to a module-wide sandbox."""
    box = Sandbox(SANDBOX_DATA)
    await box.start()
    config = sandbox_config(box.base_url, tmp_path_factory.mktemp("irc-bot"))
    calls: list[HandlerCall] = []
    try:
        async with open_bot(config, [_spied(c, calls) for c in all_commands()]) as bot:
            bot.services.sleep = sandbox_sleep(box)
            yield SpiedBot(bot, box, calls)
    finally:
        await box.stop()
