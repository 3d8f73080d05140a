"""The tools' Server Admin Log on a real IRC network: a confirmed restart by alice is
logged in the channel as ``!log tools.<tool> ... (via forgebot for alice)``."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from adapters.irc import IrcAdapter
from bot.app import SANDBOX_DATA, open_bot
from bot.config import SalDestination, SalSettings
from bot.core import Bot
from bot.toolforge.sandbox import Sandbox
from tests.irc.conftest import ACCOUNTS, CHANNEL, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer, privmsgs_from
from tests.support import sandbox_config, sandbox_sleep

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]


@dataclass
class World:
    bot: Bot
    adapter: IrcAdapter
    sandbox: Sandbox
    alice: Peer
    bob: Peer


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    irc_network: IrcNetwork, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    async with contextlib.AsyncExitStack() as stack:
        box = await stack.enter_async_context(Sandbox(SANDBOX_DATA))
        sal = SalSettings(destinations=(SalDestination(to=f"irc:{CHANNEL}"),))
        config = sandbox_config(box.base_url, tmp_path_factory.mktemp("sal"), sal=sal)
        bot = await stack.enter_async_context(open_bot(config))
        bot.services.sleep = sandbox_sleep(box)
        await bot.services.store.link_add("irc:alice-libera", "alice", created_by="test")
        host, port = irc_network.host, irc_network.port
        adapter, alice, bob = await asyncio.gather(
            stack.enter_async_context(running(bot_config(irc_network), bot)),
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
            Peer.connect(host, port, "bob"),
        )
        bot.attach(adapter)
        await asyncio.gather(alice.join(CHANNEL), bob.join(CHANNEL))
        yield World(bot, adapter, box, alice, bob)
        for peer in (alice, bob):
            await peer.close()


async def test_a_confirmed_restart_is_logged_in_the_channel(world: World) -> None:
    alice, bob = world.alice, world.bob
    since = bob.mark()
    mine = privmsgs_from("forgebot", "alice")
    start = alice.mark()
    await alice.say("forgebot", "restart sample-crashloop irc-bot")
    asked = await alice.expect(lambda ln: mine(ln) and "confirm" in ln.text, since=start)
    code = re.search(r"confirm (\d{4})", asked.text)
    assert code is not None
    world.sandbox.state.tools["sample-crashloop"].jobs["irc-bot"].crash = None  # it comes up
    await alice.say("forgebot", f"confirm {code.group(1)}")
    logged = await bob.expect(
        lambda ln: privmsgs_from("forgebot", CHANNEL)(ln) and ln.text.startswith("!log"),
        since=since, within=15,
    )  # fmt: skip
    assert logged.text == (
        "!log tools.sample-crashloop restart the job irc-bot of sample-crashloop "
        "(via forgebot for alice)"
    )
    # the private conversation stayed private: nothing else reached the channel
    await bob.say(CHANNEL, "sentinel")
    end = await bob.sync()
    channel = [ln for ln in bob.lines[since:end] if privmsgs_from("forgebot", CHANNEL)(ln)]
    assert [ln.text for ln in channel] == [logged.text]
