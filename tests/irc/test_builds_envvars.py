"""Issue 15's commands on the real IRC network: builds and help topics answered in the
channel, and an envvar value typed in a channel refused (and called leaked) while the
same line in a private message sets it, with nothing of it in the channel."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.irc.conftest import ACCOUNTS, CHANNEL, SpiedBot, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Peer, privmsgs_from

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]

VALUE = "irc-SECRET-value 42"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alice(irc_network: IrcNetwork, spied_bot: SpiedBot) -> AsyncIterator[Peer]:
    await spied_bot.bot.services.store.link_add("irc:alice-libera", "alice", created_by="test")
    host, port = irc_network.host, irc_network.port
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(running(bot_config(irc_network), spied_bot.bot))
        peer = await Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"])
        await peer.join(CHANNEL)
        yield peer
        await peer.close()


async def answer(peer: Peer, target: str, text: str, expect: str) -> str:
    """Send ``text`` to ``target``; the bot's first line there (or privately) with ``expect``."""
    since = peer.mark()
    await peer.say(target, text)
    line = await peer.expect(
        lambda ln: (
            (privmsgs_from("forgebot", CHANNEL)(ln) or privmsgs_from("forgebot", "alice")(ln))
            and expect in ln.text
        ),
        since=since,
    )
    return line.text


async def test_builds_and_a_topic_are_answered_in_the_channel(alice: Peer) -> None:
    status = await answer(alice, CHANNEL, "!tf build status sample-web", "build k3m9p")
    assert status.startswith("alice: sample-web build k3m9p: [build ok]")
    topic = await answer(alice, CHANNEL, "!tf help oauth", "OAuth")
    assert topic.startswith("alice: OAuth (logging users in")


async def test_a_value_typed_in_the_channel_is_refused_and_a_private_one_is_set(
    alice: Peer, spied_bot: SpiedBot
) -> None:
    since = alice.mark()
    refused = await answer(
        alice, CHANNEL, f"!tf envvars set sample-web IRC_TOKEN {VALUE}", "direct conversation"
    )
    assert "treat it as leaked" in " ".join(ln.text for ln in alice.lines[since:])
    assert "IRC_TOKEN" not in spied_bot.sandbox.state.tools["sample-web"].envvars
    asked = await answer(alice, "forgebot", f"envvars set sample-web IRC_TOKEN {VALUE}", "confirm")
    code = re.search(r"confirm (\d{4})", asked)
    assert code is not None, asked
    await answer(alice, "forgebot", f"confirm {code.group(1)}", "is set")
    assert spied_bot.sandbox.state.tools["sample-web"].envvars["IRC_TOKEN"] == VALUE
    said = [ln.text for ln in alice.lines[since:] if ln.command == "PRIVMSG"]
    assert said and not any("irc-SECRET" in text for text in said), refused
