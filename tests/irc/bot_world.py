"""A real core on the sandbox, its IRC adapter, alice (linked to developer alice) and bob
(no account) in the channel: the setting of the issue-15 IRC modules."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.irc import IrcAdapter
from bot.app import SANDBOX_DATA, open_bot
from bot.core import Bot
from bot.toolforge.sandbox import Sandbox
from tests.irc.conftest import ACCOUNTS, CHANNEL, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer
from tests.support import sandbox_config, sandbox_sleep


@dataclass
class World:
    bot: Bot
    adapter: IrcAdapter
    sandbox: Sandbox
    alice: Peer
    bob: Peer


@contextlib.asynccontextmanager
async def bot_world(network: IrcNetwork, data: Path, **sections: Any) -> AsyncIterator[World]:
    """The world, with ``sections`` replacing tables of the bot's configuration."""
    async with contextlib.AsyncExitStack() as stack:
        box = await stack.enter_async_context(Sandbox(SANDBOX_DATA))
        bot = await stack.enter_async_context(
            open_bot(sandbox_config(box.base_url, data, **sections))
        )
        bot.services.sleep = sandbox_sleep(box)
        await bot.services.store.link_add("irc:alice-libera", "alice", created_by="test")
        host, port = network.host, network.port
        adapter, alice, bob = await asyncio.gather(
            stack.enter_async_context(running(bot_config(network), bot)),
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
            Peer.connect(host, port, "bob"),
        )
        bot.attach(adapter)
        await asyncio.gather(alice.join(CHANNEL), bob.join(CHANNEL))
        try:
            yield World(bot, adapter, box, alice, bob)
        finally:
            for peer in (alice, bob):
                await peer.close()
