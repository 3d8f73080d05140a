"""Grid text on IRC: one line per message, so pastes are collected until 'end'.

Single-line cases are sent in the channel with the prefix; a multi-line
crontab (plain, or with the code fences people paste along) is sent in a
private conversation after a bare ``migrate grid``. The oracle is the same as
on the other platforms (tests/pastes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from adapters.irc import IrcAdapter
from tests.irc.conftest import ACCOUNTS, CHANNEL, SpiedBot, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer, privmsgs_from
from tests.pastes import CASES, assert_reached_the_migration

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]
KEY = "irc:alice-libera"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alice_and_bot(
    irc_network: IrcNetwork, spied_bot: SpiedBot
) -> AsyncIterator[tuple[Peer, IrcAdapter]]:
    host, port = irc_network.host, irc_network.port
    async with contextlib.AsyncExitStack() as stack:
        bot, alice = await asyncio.gather(
            stack.enter_async_context(running(bot_config(irc_network), spied_bot.bot)),
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
        )
        await alice.join(CHANNEL)
        yield alice, bot
        await alice.close()


async def said(alice: Peer, target: str, lines: list[str], expect: str) -> str:
    """Send ``lines`` to ``target``; the bot's first answer line containing ``expect``."""
    since = alice.mark()
    for line in lines:
        await alice.say(target, line)
    from_bot = privmsgs_from("forgebot", CHANNEL if target == CHANNEL else "alice")
    answer = await alice.expect(lambda ln: from_bot(ln) and expect in ln.text, 15, since)
    return answer.text


async def fresh_migration(alice: Peer) -> None:
    await said(alice, "forgebot", ["migrate cancel"], "")
    await said(alice, "forgebot", ["migrate sample-cron"], "sample-cron")


@pytest.mark.parametrize("case", ["options", "quoted", "semicolon"])
async def test_one_line_in_the_channel(
    alice_and_bot: tuple[Peer, IrcAdapter], spied_bot: SpiedBot, case: str
) -> None:
    alice, _ = alice_and_bot
    await fresh_migration(alice)
    answer = await said(alice, CHANNEL, [f"!tf migrate grid {CASES[case].text}"], "alice: ")
    assert "error" not in answer.lower(), answer
    await assert_reached_the_migration(spied_bot.bot.services.store, KEY, CASES[case])


@pytest.mark.parametrize("fenced", [False, True], ids=["plain", "fenced"])
async def test_a_multi_line_paste_in_private(
    alice_and_bot: tuple[Peer, IrcAdapter], spied_bot: SpiedBot, fenced: bool
) -> None:
    alice, _ = alice_and_bot
    await fresh_migration(alice)
    await said(alice, "forgebot", ["migrate grid"], "Paste the lines now")
    lines = CASES["multi-line"].text.splitlines()
    if fenced:
        lines = ["```", *lines, "```"]
    answer = await said(alice, "forgebot", [*lines, "end"], "Migration of")
    assert "sample-cron" in answer
    await assert_reached_the_migration(spied_bot.bot.services.store, KEY, CASES["multi-line"])
