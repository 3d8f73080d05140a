"""The issue's scenarios: the real core, a real IRC network, a sandboxed Toolforge.

alice is logged in to the services account ``alice-libera``, which is linked
to developer ``alice`` (maintainer of sample-crashloop and sample-web);
mallory has no account; ``alicia`` is logged in to a Libera account that is
merely *named* alice. A spy on the command handlers proves which messages
reached maintainer-only code.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from adapters.irc import IrcAdapter
from tests.irc.conftest import ACCOUNTS, CHANNEL, SpiedBot, bot_config, running
from tests.irc.network import OPER_NAME, OPER_PASSWORD, IrcNetwork
from tests.irc.peer import Line, Peer, Predicate, privmsgs_from
from tests.support import PATIENCE, wait_until

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]

TOOL, JOB = "sample-crashloop", "irc-bot"
MAINTAINER_ONLY = ("restart", "logs")


@dataclass
class World:
    network: IrcNetwork
    core: SpiedBot
    bot: IrcAdapter
    alice: Peer
    mallory: Peer
    alicia: Peer

    def restarts(self) -> int:
        return self.core.sandbox.restart_count(TOOL, JOB)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(irc_network: IrcNetwork, spied_bot: SpiedBot) -> AsyncIterator[World]:
    store = spied_bot.bot.services.store
    await store.link_add("irc:alice-libera", "alice", created_by="test")
    host, port = irc_network.host, irc_network.port
    async with contextlib.AsyncExitStack() as stack:
        bot, alice, mallory, alicia = await asyncio.gather(
            # pages as long as a private reply may be: the outbox's pacing is what is tested
            stack.enter_async_context(
                running(bot_config(irc_network, comfortable_lines=60), spied_bot.bot)
            ),
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
            Peer.connect(host, port, "mallory"),
            Peer.connect(host, port, "alicia", "alice", ACCOUNTS["alice"]),
        )
        await asyncio.gather(*(p.join(CHANNEL) for p in (alice, mallory, alicia)))
        yield World(irc_network, spied_bot, bot, alice, mallory, alicia)
        for peer in (alice, mallory, alicia):
            await peer.close()


def to(peer: Peer, target: str) -> Predicate:
    """The first line of the bot's answer to ``peer`` in ``target`` (addressed) or in private."""
    from_bot = privmsgs_from("forgebot", target)

    def match(line: Line) -> bool:
        return from_bot(line) and (target == peer.nick or line.text.startswith(f"{peer.nick}: "))

    return match


async def command(peer: Peer, text: str, *, expect: str = "", target: str = CHANNEL) -> Line:
    """Send ``text``; return the first line of the answer that contains ``expect``."""
    since = peer.mark()
    await peer.say(target if target.startswith("#") else "forgebot", text)
    first = await peer.expect(to(peer, target), since=since)
    from_bot = privmsgs_from("forgebot", target)
    start = peer.lines.index(first)
    return await peer.expect(lambda ln: from_bot(ln) and expect in ln.text, since=start)


def assert_only_alice_reached_maintainer_handlers(world: World) -> None:
    for call in world.core.calls:
        if call.command in MAINTAINER_ONLY:
            assert call.account == "alice" and call.sender.user_id == "alice-libera", call


async def test_logged_in_maintainer_restarts_a_tool_after_confirming(world: World) -> None:
    before = world.restarts()
    asked = await command(world.alice, f"!tf restart {TOOL} {JOB}", expect="confirm")
    code = re.search(r"confirm (\d{4})", asked.text)
    assert code is not None, asked.text
    assert world.restarts() == before  # nothing happens before the confirmation
    done = await command(world.alice, f"!tf confirm {code.group(1)}", expect="Restart")
    assert "1 restarted" in done.text
    assert world.restarts() == before + 1
    assert_only_alice_reached_maintainer_handlers(world)


async def test_same_nick_without_an_account_is_refused(world: World) -> None:
    alice, before, reached = world.alice, world.restarts(), len(world.core.reached("restart"))
    since = alice.mark()
    await alice.say("NickServ", "LOGOUT")
    await alice.expect(lambda ln: ln.command == "901", since=since)  # RPL_LOGGEDOUT
    try:
        refused = await command(alice, f"!tf restart {TOOL}", expect="only")
        assert "not logged in" in refused.text and "NickServ" in refused.text
        private = await command(alice, f"restart {TOOL}", target="alice", expect="only")
        assert "NickServ" in private.text
    finally:
        since = alice.mark()
        await alice.say("NickServ", f"IDENTIFY alice-libera {ACCOUNTS['alice-libera']}")
        await alice.expect(lambda ln: ln.command == "900", since=since)  # RPL_LOGGEDIN
    assert world.restarts() == before and len(world.core.reached("restart")) == reached
    assert_only_alice_reached_maintainer_handlers(world)


async def test_user_taking_a_maintainers_nick_is_refused_and_cannot_use_her_code(
    world: World,
) -> None:
    alice, mallory, before = world.alice, world.mallory, world.restarts()
    asked = await command(alice, f"!tf restart {TOOL} {JOB}", expect="confirm")
    code = re.search(r"confirm (\d{4})", asked.text)
    assert code is not None
    await alice.change_nick("alice_away")
    await mallory.change_nick("alice")
    try:
        refused = await command(mallory, f"!tf restart {TOOL}", expect="only")
        assert "not logged in" in refused.text
        stolen = await command(mallory, f"!tf confirm {code.group(1)}", expect="code")
        assert "no pending action" in stolen.text
        whoami = await command(mallory, "whoami", target="alice")
        assert "not identified" in whoami.text
    finally:
        await mallory.change_nick("mallory")
        await alice.change_nick("alice")
    assert world.restarts() == before
    assert_only_alice_reached_maintainer_handlers(world)


async def test_forged_account_tags_never_reach_a_maintainer_handler(world: World) -> None:
    mallory, before = world.mallory, world.restarts()
    for tag in ("@account=alice-libera", "@+account=alice-libera"):
        since = mallory.mark()
        await mallory.send(f"{tag} PRIVMSG {CHANNEL} :!tf logs {TOOL}")
        refused = await mallory.expect(to(mallory, CHANNEL), since=since)
        assert "not logged in" in refused.text
    assert world.restarts() == before
    assert_only_alice_reached_maintainer_handlers(world)


async def test_a_libera_account_named_like_a_developer_is_not_that_developer(
    world: World,
) -> None:
    refused = await command(world.alicia, f"!tf restart {TOOL}", expect="only")
    assert "not linked" in refused.text and "irc:alice" in refused.text
    assert_only_alice_reached_maintainer_handlers(world)


async def test_a_200_line_log_reply_does_not_flood_the_channel(world: World) -> None:
    world.core.sandbox.append_logs(TOOL, JOB, [f"log line {i}" for i in range(250)])
    alice, mallory = world.alice, world.mallory
    cap = world.bot.config.max_private_lines
    in_channel = privmsgs_from("forgebot", CHANNEL)

    def whoami(ln: Line) -> bool:
        return in_channel(ln) and ln.text.startswith("alice: ") and "alice-libera" in ln.text

    for here in ("", " --here"):
        a_since, m_since = await alice.sync(), await mallory.sync()
        await alice.say(CHANNEL, f"!tf logs {TOOL} --lines 200{here}")
        await alice.expect(lambda ln: "more lines: say !tf more" in ln.text, since=a_since)
        seen = await mallory.before_answer(alice, CHANNEL, "!tf whoami", whoami, m_since)
        channel = [ln for ln in seen if in_channel(ln)]
        assert len(channel) == 1 and "private message" in channel[0].text, here
        private = [ln for ln in alice.lines[a_since:] if ln.params[:1] == ("alice",)]
        assert len(private) == cap and private[0].text.startswith("Last 200 log lines")


async def test_names_and_log_lines_with_crlf_cannot_inject_commands(world: World) -> None:
    tool = world.core.sandbox.state.tools["sample-web"]
    evil = "evil\r\nQUIT :pwned"
    cron = tool.jobs["refresh-cache"]
    tool.jobs[evil] = dataclasses.replace(cron, spec={**cron.spec, "name": evil})
    world.core.sandbox.append_logs(
        "sample-web", "webservice", [f"ok\r\nPRIVMSG {CHANNEL} :injected\r\nQUIT :pwned\x00"]
    )
    alice, mallory, registrations = world.alice, world.mallory, world.bot.registrations
    a_since, m_since = await alice.sync(), await mallory.sync()
    # The jobs API's document forbids such a name, and the sandbox checks its answers
    # against it; the planted job is served anyway, to show the adapter is safe regardless.
    world.core.sandbox.gateway.validate = False
    try:
        await command(alice, "!tf status sample-web", expect="")
        await command(alice, "!tf logs sample-web webservice --lines 1 --here", expect="Last")
        await alice.expect(lambda ln: ln.text == "QUIT :pwned", since=a_since)  # as text
        await command(alice, "!tf whoami", expect="alice")  # still connected, still answering
    finally:
        del tool.jobs[evil]
        world.core.sandbox.gateway.validate = True
    seen = alice.lines[a_since:] + mallory.lines[m_since:]
    assert not [ln for ln in seen if ln.nick == "forgebot" and ln.command == "QUIT"]
    assert not [ln for ln in seen if ln.command == "PRIVMSG" and ln.text == "injected"]
    assert any("evil QUIT :pwned" in ln.text for ln in alice.lines[a_since:])
    assert world.bot.registrations == registrations


@contextlib.contextmanager
def paced(bot: IrcAdapter, burst: int, rate: float) -> Iterator[None]:
    """Flood control as on a real network, fast: a 60-line answer takes seconds."""
    bucket = bot.outbox.bucket
    saved = bucket.capacity, bucket.rate
    bucket.capacity, bucket.rate = burst, rate
    try:
        yield
    finally:
        bucket.capacity, bucket.rate = saved


async def take_nick(peer: Peer, nick: str) -> None:
    """Change nick as soon as the server lets us (its holder may be quitting right now)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        since = peer.mark()
        await peer.send(f"NICK {nick}")
        answer = await peer.expect(
            lambda ln: (ln.command == "NICK" and ln.text == nick) or ln.command == "433",
            since=since,
        )
        if answer.command == "NICK":
            peer.nick = nick
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{peer.nick} could not take the nick {nick}")


def whoami_answer(nick: str) -> Predicate:
    """The first line of the bot's private answer to ``nick``'s "whoami"."""
    to_them = privmsgs_from("forgebot", nick)
    return lambda ln: to_them(ln) and ln.text.startswith(f"You are {nick} on irc")


def log_lines(peer: Peer, nick: str, since: int) -> list[Line]:
    from_bot = privmsgs_from("forgebot", nick)
    return [ln for ln in peer.lines[since:] if from_bot(ln) and "private log line" in ln.text]


async def test_private_log_lines_never_reach_the_next_holder_of_the_nick(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # alice asks from her phone, by private message only (no channel in common),
    # and her connection drops; mallory takes the nick the moment it is free.
    world.core.sandbox.append_logs(TOOL, JOB, [f"private log line {i}" for i in range(100)])
    host, port = world.network.host, world.network.port
    phone = await Peer.connect(host, port, "alice-phone", "alice-libera", ACCOUNTS["alice-libera"])
    mallory = world.mallory
    with paced(world.bot, burst=3, rate=10.0):  # 60 lines: 6 s
        since = phone.mark()
        await phone.say("forgebot", f"logs {TOOL} {JOB} --lines 100")
        await phone.expect(lambda ln: bool(log_lines(phone, "alice-phone", since)), since=since)
        await phone.close()
        m_since = mallory.mark()
        # Only once the bot has seen her QUIT: a line it wrote before that is already on
        # its way to whoever holds the nick when the server reads it (IRC cannot recall it).
        dropped = "for alice-phone (account alice-libera) not delivered: alice-phone left"
        await wait_until(lambda: dropped in caplog.text, "the rest to be dropped")
        try:
            await take_nick(mallory, "alice-phone")
            # a sentinel through the same queue: anything left would come before it
            await mallory.before_answer(mallory, "forgebot", "whoami",
                                        whoami_answer("alice-phone"), m_since)  # fmt: skip
        finally:
            await take_nick(mallory, "mallory")
    assert log_lines(mallory, "alice-phone", m_since) == []


async def test_private_log_lines_follow_a_nick_change_and_stop_at_logout(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    host, port = world.network.host, world.network.port
    laptop = await Peer.connect(host, port, "alice-pc", "alice-libera", ACCOUNTS["alice-libera"])
    await laptop.join(CHANNEL)
    mallory = world.mallory
    world.core.sandbox.append_logs(TOOL, JOB, [f"private log line {i}" for i in range(100)])

    def dropped_at_logout() -> re.Match[str] | None:
        return re.search(
            r"(\d+) lines for alice-pc_ \(account alice-libera, asked as alice-pc\) not "
            r"delivered: alice-pc_ logged out", caplog.text,
        )  # fmt: skip

    try:
        with paced(world.bot, burst=3, rate=20.0):  # 60 lines: 3 s
            since = laptop.mark()
            await laptop.say(CHANNEL, f"!tf logs {TOOL} {JOB} --lines 100")
            await laptop.expect(lambda ln: bool(log_lines(laptop, "alice-pc", since)), since=since)
            await laptop.change_nick("alice-pc_")  # the same person: the lines follow her
            # A line to alice-pc_ shows the bot followed her, and that the server has read
            # every line it wrote to alice-pc before (in order): from now on, nothing may
            # go to alice-pc. (Before, a line already on its way would reach mallory.)
            await laptop.expect(lambda ln: bool(log_lines(laptop, "alice-pc_", since)))
            m_since = mallory.mark()
            await take_nick(mallory, "alice-pc")
            try:
                await laptop.expect(lambda ln: len(log_lines(laptop, "alice-pc_", since)) >= 3)
                await laptop.say("NickServ", "LOGOUT")  # the account they were for is gone
                await laptop.expect(lambda ln: ln.command == "901", since=since)
                await wait_until(lambda: bool(dropped_at_logout()), "the rest to be dropped")
                # and a sentinel through the same queue: what was left would come before it
                seen = await laptop.before_answer(
                    laptop, "forgebot", "whoami", whoami_answer("alice-pc_"), since
                )  # fmt: skip
            finally:
                await take_nick(mallory, "mallory")
    finally:
        await laptop.close()
    to_her = (privmsgs_from("forgebot", "alice-pc"), privmsgs_from("forgebot", "alice-pc_"))
    got = len([ln for ln in seen if any(p(ln) for p in to_her)])
    dropped = dropped_at_logout()
    assert dropped is not None, caplog.text
    delivered_or_dropped = got + int(dropped.group(1))
    if "could not be delivered to alice-pc: No such nick" in caplog.text:
        # written to alice-pc before the bot saw her NICK, read by the server after it
        assert delivered_or_dropped < world.bot.config.max_private_lines
    else:
        assert delivered_or_dropped == world.bot.config.max_private_lines
    assert log_lines(mallory, "alice-pc", m_since) == []


async def test_killed_connection_reconnects_and_answers_again(world: World) -> None:
    mallory, registrations = world.mallory, world.bot.registrations
    since = mallory.mark()
    await mallory.send(f"OPER {OPER_NAME} {OPER_PASSWORD}")
    await mallory.expect(lambda ln: ln.command == "381", since=since)  # RPL_YOUREOPER
    await mallory.send("KILL forgebot :testing reconnection")
    await mallory.expect(lambda ln: ln.command == "QUIT" and ln.nick == "forgebot", since=since)
    await mallory.expect(lambda ln: ln.command == "JOIN" and ln.nick == "forgebot", since=since)
    assert world.bot.registrations == registrations + 1
    answer = await command(world.alice, "!tf whoami", expect="alice")
    assert "alice-libera" in answer.text


async def test_guessing_someone_elses_code_is_hopeless_and_locks_confirm(world: World) -> None:
    """alicia (logged in, not a maintainer) tries codes; alice's stays hers alone."""
    alice, alicia, before = world.alice, world.alicia, world.restarts()
    asked = await command(alice, f"!tf restart {TOOL} {JOB}", expect="confirm")
    code = re.search(r"confirm (\d{4})", asked.text)
    assert code is not None
    guesses = [f"{n:04d}" for n in range(6) if f"{n:04d}" != code.group(1)][:5]
    answers = [await command(alicia, f"confirm {g}", target="alicia", expect="code")
               for g in guesses]  # fmt: skip
    assert "confirm is locked for you" in answers[-1].text
    locked = await command(alicia, f"confirm {code.group(1)}", target="alicia", expect="locked")
    assert "confirm is locked for you" in locked.text  # even the right one
    assert world.restarts() == before
    done = await command(alice, f"!tf confirm {code.group(1)}", expect="Restart")
    assert "restarted" in done.text and world.restarts() == before + 1


async def test_a_300_character_name_is_refused_in_one_line(world: World) -> None:
    answer = await command(world.mallory, "!tf restart " + "x" * 300, expect="only")
    assert "not logged in" in answer.text and len(answer.text.encode()) < 512


async def test_no_attacker_got_a_secret_or_reached_maintainer_code(world: World) -> None:
    """The module's verdict over every attack above: of everything sent to mallory and
    alicia (channel and private), nothing holds one of the sandbox's secrets, and no
    maintainer-only handler ran for anyone but alice."""
    secrets = world.core.sandbox.fake_secrets
    assert secrets, "the sandbox plants secrets in logs and envvars"
    # one more try each, so the verdict is never over nothing (the module run alone)
    await command(world.mallory, f"logs {TOOL} --here", target="mallory", expect="only")
    await command(world.alicia, f"!tf logs {TOOL} --here", expect="only")
    for peer in (world.mallory, world.alicia):
        from_bot = [ln.text for ln in peer.lines if ln.nick == "forgebot"]
        assert from_bot, f"{peer.nick} heard from the bot"
        leaked = [t for t in from_bot for s in secrets if s in t or "SECRET" in t]
        assert leaked == [], leaked
    assert_only_alice_reached_maintainer_handlers(world)
