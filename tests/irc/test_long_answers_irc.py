"""Long answers and followed logs on a real IRC network: a page at a time with ``more``, a
short-lived page's link instead of thirty lines, new log lines sent privately until
``stop`` (the real core, the sandbox, InspIRCd + Atheme)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from tests.irc.bot_world import World, bot_world
from tests.irc.conftest import CHANNEL
from tests.irc.network import IrcNetwork
from tests.irc.peer import Line, Peer, privmsgs_from
from tests.test_long_answers import URL, serving_pages

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]
TOOL, JOB = "sample-crashloop", "irc-bot"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    irc_network: IrcNetwork, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    async with bot_world(irc_network, tmp_path_factory.mktemp("long")) as world:
        world.sandbox.append_logs(TOOL, JOB, [f"line {i} of the bot's log" for i in range(40)])
        yield world


def to_alice(line: Line) -> bool:
    return privmsgs_from("forgebot", "alice")(line)


async def answer(peer: Peer, target: str, text: str, *last: str) -> list[str]:
    """What the bot says to ``peer`` privately after ``text``, up to a line containing one
    of ``last``."""
    since = peer.mark()
    await peer.say(target, text)
    end = await peer.expect(lambda ln: to_alice(ln) and any(w in ln.text for w in last),
                            since=since)  # fmt: skip
    return [ln.text for ln in peer.lines[since : peer.lines.index(end) + 1] if to_alice(ln)]


async def test_a_long_answer_comes_a_page_at_a_time(world: World) -> None:
    alice = world.alice
    first = await answer(alice, "forgebot", f"logs {TOOL} {JOB} --lines 30", "say more")
    assert len(first) == 8 and first[0].startswith(f"Last 30 log lines of {TOOL}/{JOB}")
    assert first[-1] == "… 24 more lines: say more"
    pages = [first]
    while "say more" in pages[-1][-1]:
        pages.append(await answer(alice, "forgebot", "more", "say more", "line 39 of"))
    shown = [ln for page in pages for ln in page if not ln.startswith(("… ", "Last "))]
    assert len(shown) == 30 and len(pages) == 5
    assert all(len(page) <= 8 for page in pages)
    nothing = await answer(alice, "forgebot", "more", "nothing more")
    assert nothing == ["There is nothing more: no long answer of yours is waiting (they are "
                       "kept an hour)."]  # fmt: skip


async def test_with_a_web_page_the_channel_gets_a_note_and_alice_a_link(world: World) -> None:
    alice, bob = world.alice, world.bob
    async with serving_pages(world.bot):
        b_since = bob.mark()
        said = await answer(alice, CHANNEL, f"!tf logs {TOOL} {JOB} --lines 30", "/answers/")
        assert len(said) == 2 and said[0].startswith(f"Last 30 log lines of {TOOL}/{JOB}")
        found = URL.search(said[1])
        assert found and said[1].startswith("The whole answer (31 lines), until ")
        async with aiohttp.ClientSession() as http, http.get(found.group(0)) as page:
            body = await page.text()
        assert page.status == 200 and body.count("of the bot&#x27;s log") == 30
        await bob.say(CHANNEL, "sentinel")
        end = await bob.sync()
    channel = [ln.text for ln in bob.lines[b_since:end] if privmsgs_from("forgebot", CHANNEL)(ln)]
    assert channel == ["alice: I sent you the answer in a private message."]


async def test_followed_lines_come_privately_until_stop(world: World) -> None:
    alice, bob = world.alice, world.bob
    b_since = bob.mark()
    started = await answer(alice, "forgebot", f"logs {TOOL} {JOB} --follow", "Following")
    assert started[0].startswith(f"Following the log of {TOOL}/{JOB} for 2 minutes")
    world.sandbox.append_logs(TOOL, JOB, ["followed line", "token=glpat-SECRETabcdefghijkl"])
    since = alice.mark()
    await alice.expect(lambda ln: to_alice(ln) and "followed line" in ln.text, since=since)
    await alice.expect(lambda ln: to_alice(ln) and "token=" in ln.text, since=since)
    stopped = await answer(alice, "forgebot", "stop", "Stopped following")
    assert stopped[-1].startswith(f"Stopped following {TOOL}/{JOB}, as you asked (")
    await bob.say(CHANNEL, "sentinel")
    end = await bob.sync()
    everything = [ln.text for ln in [*alice.lines[since:], *bob.lines[b_since:end]]]
    assert not any("SECRET" in text for text in everything)
    assert not [ln for ln in bob.lines[b_since:end] if privmsgs_from("forgebot")(ln)]


async def test_older_logs_file_logs_and_scheduled_runs(world: World) -> None:
    alice, sandbox = world.alice, world.sandbox
    quiet = "sample-web refresh-cache"  # a job that writes little: an old line stays near the end
    sandbox.append_logs("sample-web", "refresh-cache", ["an hour and a half ago"])
    sandbox.advance(90 * 60)
    recent = await answer(alice, "forgebot", f"logs {quiet} --lines 5", "ast")
    assert not any("an hour and a half ago" in line for line in recent)
    older = await answer(alice, "forgebot", f"logs {quiet} --lines 5 --since 2h",
                         "an hour and a half ago")  # fmt: skip
    assert older[0].startswith("Last ") and "(in the last 2 hours)" in older[0]
    bad = await answer(alice, "forgebot", f"logs {TOOL} {JOB} --since soon", "--since")
    assert bad == ["--since 'soon' is neither a duration (6h, 2d, 1h30m) nor a time "
                   "(2026-12-01T10:00, UTC unless a zone is given)"]  # fmt: skip
    status = await answer(alice, "forgebot", "status sample-cron", "purge-cache")
    runs = [line for line in status if "purge-cache" in line]
    assert runs and "17 */6 * * *; last " in runs[0] and ", next " in runs[0]
