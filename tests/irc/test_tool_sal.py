"""The tools' Server Admin Log on a real IRC network: a confirmed restart by alice is
logged in the channel as ``!log tools.<tool> ... (via forgebot for alice)``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.config import SalDestination, SalSettings
from tests.irc.bot_world import World, bot_world
from tests.irc.conftest import CHANNEL
from tests.irc.network import IrcNetwork
from tests.irc.peer import privmsgs_from

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    irc_network: IrcNetwork, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    sal = SalSettings(destinations=(SalDestination(to=f"irc:{CHANNEL}"),))
    async with bot_world(irc_network, tmp_path_factory.mktemp("sal"), sal=sal) as world:
        yield world


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
