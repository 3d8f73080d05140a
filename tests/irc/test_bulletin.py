"""news, the status aside and ack on the real IRC network, with the real core.

IRC has no reactions: ``ack <number>`` is the way, and only for a person the
network identifies (a services account linked to a developer account).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import pytest_asyncio

from adapters.irc import IrcAdapter
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.bulletin.reminders import Reminders, Schedule
from tests.bulletin_support import FakeClock, announce, channel, deliver_all, person
from tests.irc.conftest import ACCOUNTS, CHANNEL, SpiedBot, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer
from tests.irc.test_scenarios import command
from tests.support import wait_until

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]


@dataclass
class World:
    core: SpiedBot
    alice: Peer
    mallory: Peer
    clock: FakeClock
    irc: IrcAdapter


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(irc_network: IrcNetwork, spied_bot: SpiedBot) -> AsyncIterator[World]:
    store = spied_bot.bot.services.store
    await store.link_add("irc:alice-libera", "alice", created_by="test")
    clock = FakeClock()
    spied_bot.bot.services.clock = clock
    host, port = irc_network.host, irc_network.port
    async with contextlib.AsyncExitStack() as stack:
        irc, alice, mallory = await asyncio.gather(
            stack.enter_async_context(running(bot_config(irc_network), spied_bot.bot)),
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
            Peer.connect(host, port, "mallory"),
        )
        await asyncio.gather(alice.join(CHANNEL), mallory.join(CHANNEL))
        yield World(spied_bot, alice, mallory, clock, irc)
        await asyncio.gather(alice.close(), mallory.close())


async def test_news_status_and_ack_on_irc(world: World) -> None:
    store = world.core.bot.services.store
    hour = timedelta(hours=1)
    quiet = await command(world.mallory, "!tf news", expect="No current incidents")
    assert "diagnose <tool>" in quiet.text
    nfs = await announce(store, "NFS maintenance",
                         person("alice", "irc:alice-libera", "sample-web"),
                         channel(f"irc:{CHANNEL}"), start=-hour, length=2 * hour)  # fmt: skip

    news = await command(world.mallory, "!tf news", expect="NFS maintenance")
    assert f"#{nfs} NFS maintenance: until 09:00 UTC (another 1 h)" in news.text
    # status is long: on IRC it comes privately, the news right under its heading
    status = await command(world.mallory, "status sample-web", target="mallory",
                           expect="Toolforge news")  # fmt: skip
    assert "that concerns sample-web" in status.text

    refused = await command(world.mallory, f"ack {nfs}", target="mallory", expect="only")
    assert "not logged in" in refused.text, "IRC identifies by services account, not by nick"
    unknown = await command(world.alice, "ack 4242", target="alice", expect="4242")
    assert "There is no announcement #4242" in unknown.text
    done = await command(world.alice, f"ack {nfs}", target="alice", expect="Thank you")
    assert f"#{nfs} NFS maintenance is acknowledged" in done.text
    again = await command(world.alice, f"!tf ack {nfs}", expect="already")
    assert f"already acknowledged announcement #{nfs}" in again.text
    acked = {d.recipient: d.acked_at for d in await store.announcement_deliveries(nfs)}
    assert acked == {"alice": world.clock.now, f"irc:{CHANNEL}": None}

    world.clock.advance(hours=1, minutes=5)  # the window ends on the bot's clock
    await command(world.mallory, "!tf news", expect="No current incidents")


async def test_a_reminder_reaches_the_silent_maintainer_privately_on_irc(world: World) -> None:
    bot, clock = world.core.bot, world.clock
    store = bot.services.store
    await deliver_all(store, clock.now)  # the first test's announcement is not for this one
    dispatcher = Dispatcher(store, {"irc": world.irc}, clock=clock,
                            pacing=Pacing(poll=0.1, retry_initial=0.1))  # fmt: skip
    reminders = Reminders(store, Schedule(), clock, dispatcher.wake)
    task = asyncio.create_task(dispatcher.run())
    try:
        alice = world.alice
        since = alice.mark()
        grid = await announce(store, "Grid shutdown", person("alice", "irc:alice-libera",
                              "sample-web"), severity="deprecation", now=clock.now)  # fmt: skip
        dispatcher.wake()
        first = await alice.expect(lambda ln: ln.command == "PRIVMSG" and "Grid shutdown" in
                                   ln.text, since=since)  # fmt: skip
        assert first.params[0] == "alice" and first.nick == "forgebot", "privately"
        # recorded as sent, on the clock as it is now, before the clock moves
        await wait_until(lambda: dispatcher.sent == 1)
        clock.advance(hours=24)
        since = alice.mark()
        assert await reminders.tick() == (1, 0)
        reminded = await alice.expect(lambda ln: "reminder 1" in ln.text, since=since)
        assert f"Grid shutdown (announcement #{grid})" in reminded.text
        said = await alice.expect(lambda ln: f"ack {grid}" in ln.text, since=since)
        assert "have not acknowledged it yet" in said.text
        assert "react" not in said.text, "IRC has no reactions"
        await command(alice, f"ack {grid}", target="alice", expect="Thank you")
        clock.advance(hours=24)
        assert await reminders.tick() == (0, 0), "acknowledged: no more reminders"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
