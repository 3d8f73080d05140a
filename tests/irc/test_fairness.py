"""One noisy person cannot hold up everyone else's answers, on the real network.

mallory (not logged in) fires 30 commands into the channel; once the bot is
busy sending her answers, alice asks one thing. With flood control on,
alice's answer goes out at her turn in the round robin, not behind mallory's
backlog; mallory gets five answers (the limit for people not identified), one
sentence saying to slow down, then silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from tests.irc.conftest import ACCOUNTS, CHANNEL, SpiedBot, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer, privmsgs_from

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def peers(irc_network: IrcNetwork, spied_bot: SpiedBot) -> AsyncIterator[tuple[Peer, Peer]]:
    host, port = irc_network.host, irc_network.port
    # flood control on: 2 lines at once, then 4 a second
    config = bot_config(irc_network, flood_burst=2, flood_rate=4.0)
    async with contextlib.AsyncExitStack() as stack:
        _, alice, mallory = await asyncio.gather(
            stack.enter_async_context(running(config, spied_bot.bot)),
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
            Peer.connect(host, port, "mallory"),
        )
        await asyncio.gather(alice.join(CHANNEL), mallory.join(CHANNEL))
        yield alice, mallory
        await asyncio.gather(alice.close(), mallory.close())


async def until(condition: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_flood_of_commands_does_not_delay_someone_else(
    peers: tuple[Peer, Peer], spied_bot: SpiedBot
) -> None:
    alice, mallory = peers
    to_mallory = privmsgs_from("forgebot")
    in_channel = privmsgs_from("forgebot", CHANNEL)
    answered = len(spied_bot.reached("status"))
    start = mallory.mark()
    for _ in range(30):
        await mallory.say(CHANNEL, "!tf status sample-web")
    # the core has answered five of them and their lines are going out, slowly
    await until(lambda: len(spied_bot.reached("status")) - answered == 5)
    await mallory.expect(to_mallory, within=30, since=start)

    since = alice.mark()
    await alice.say(CHANNEL, "!tf whoami")
    mine = await alice.expect(
        lambda ln: in_channel(ln) and ln.text.startswith("alice: "), within=60, since=since
    )
    ahead = [
        ln for ln in alice.lines[since : alice.lines.index(mine)]
        if in_channel(ln) and ln.text.startswith("mallory: ")
    ]  # fmt: skip
    # at most the rest of the one answer of hers that was going out (5 lines in a channel)
    assert len(ahead) <= 5, f"{len(ahead)} of mallory's lines went out before alice's answer"

    # her own queue ends with the one "slow down" sentence; nothing after it reaches a handler
    notice = await mallory.expect(
        lambda ln: to_mallory(ln) and "faster than I answer them" in ln.text, within=60,
        since=start,
    )  # fmt: skip
    await mallory.say(CHANNEL, "!tf whoami")
    await mallory.say("forgebot", "whoami")
    sentinel = alice.mark()
    await alice.say(CHANNEL, "!tf help whoami")
    await alice.expect(
        lambda ln: in_channel(ln) and ln.text.startswith("alice: ") and "!tf whoami" in ln.text,
        within=60,
        since=sentinel,
    )  # fmt: skip
    for_her = [ln.text for ln in mallory.lines[start:] if to_mallory(ln) and (
        ln.params[0] == "mallory" or ln.text.startswith("mallory: "))]  # fmt: skip
    assert sum("faster than I answer them" in t for t in for_her) == 1, for_her
    assert sum("sample-web: web service" in t for t in for_her) == 5, for_her
    assert for_her[-1] == notice.text
    by_mallory = [c for c in spied_bot.calls if c.sender.display == "mallory"]
    assert [c.command for c in by_mallory] == ["status"] * 5
