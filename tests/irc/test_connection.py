"""The adapter on a real network with a stand-in core: identity, output, staying up.

The commands here are an echo (who the adapter said is speaking), so these
tests are about the transport; tests/irc/test_scenarios.py runs the real core.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from adapters.irc import IrcAdapter, IrcSaslError
from adapters.irc.early import EarlyConnection
from adapters.irc.outbox import DeliveryFailed
from bot.message import Message
from bot.reply import Badge, Bullets, Code, Reply, Strong, Table, Text, Tone
from tests.fakes.core import TestCore
from tests.irc.conftest import ACCOUNTS, CHANNEL, bot_config, running
from tests.irc.network import IrcNetwork
from tests.irc.peer import Line, Peer, privmsgs_from
from tests.irc.proxy import TcpRelay
from tests.support import PATIENCE, wait_until

pytestmark = [pytest.mark.irc, pytest.mark.asyncio(loop_scope="module")]

CHAN = CHANNEL
OWNERS = "#owners"
HOSTILE = "evil\r\nQUIT :pwned\r\nPRIVMSG #test :injected\x00\x01ACTION x\x01"


class Echo(TestCore):
    """Answers ``!tf <word>`` with a canned reply, or with who the adapter said spoke."""

    def __init__(self, direct_only: bool = False) -> None:
        self.seen: list[Message] = []
        self.canned: dict[str, Reply] = {}
        self.direct_only = direct_only

    async def handle(self, message: Message) -> Reply | None:
        self.seen.append(message)
        text = message.text
        if self.direct_only and not message.direct:
            return None
        if text.startswith("!tf "):
            text = text[4:]
        elif not (message.direct or message.mentioned):
            return None
        if text in self.canned:
            return self.canned[text]
        return Reply.text(
            f"{text}: {message.sender.user_id or 'nobody'} ({message.sender.display})"
        )

    def last(self, display: str) -> Message:
        return [m for m in self.seen if m.sender.display == display][-1]


@dataclass
class World:
    network: IrcNetwork
    bot: IrcAdapter
    echo: Echo
    whois_bot: IrcAdapter
    whois_echo: Echo
    alice: Peer
    mallory: Peer
    extra: list[Peer] = field(default_factory=list)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(irc_network: IrcNetwork) -> AsyncIterator[World]:
    echo, whois_echo = Echo(), Echo(direct_only=True)
    main = bot_config(
        irc_network, channels=(CHAN,), owner_channels=(OWNERS,), owners=("alice-libera",)
    )
    # No IRCv3 account capabilities: the adapter must fall back to WHOIS.
    fallback = bot_config(
        irc_network,
        nick="whoisbot",
        sasl_account="forgebot2",
        password=ACCOUNTS["forgebot2"],
        channels=(CHAN,),
        caps=(),
    )
    async with contextlib.AsyncExitStack() as stack:
        host, port = irc_network.host, irc_network.port
        bot, whois_bot, alice, mallory = await asyncio.gather(
            stack.enter_async_context(running(main, echo)),
            stack.enter_async_context(running(fallback, whois_echo)),
            Peer.connect(host, port, "alice", "alice-libera", ACCOUNTS["alice-libera"]),
            Peer.connect(host, port, "mallory"),
        )
        await asyncio.gather(
            alice.join(CHAN), mallory.join(CHAN), alice.join(OWNERS), mallory.join(OWNERS)
        )
        w = World(irc_network, bot, echo, whois_bot, whois_echo, alice, mallory)
        yield w
        for peer in (alice, mallory, *w.extra):
            await peer.close()


async def ask(peer: Peer, target: str, text: str, bot: str = "forgebot") -> Line:
    since = peer.mark()
    await peer.say(target, text)
    if not target.startswith("#"):
        return await peer.expect(privmsgs_from(bot, peer.nick), since=since)
    to_me = privmsgs_from(bot, target)
    return await peer.expect(
        lambda ln: to_me(ln) and ln.text.startswith(f"{peer.nick}: "), since=since
    )


async def channel_before_sentinel(world: World, m_since: int) -> list[Line]:
    """What mallory saw the bot say in the channel from ``m_since`` until its answer to
    alice's "!tf sync", asked after everything the test checks."""
    from_bot = privmsgs_from("forgebot", CHAN)
    seen = await world.mallory.before_answer(
        world.alice, CHAN, "!tf sync", lambda ln: from_bot(ln) and ln.text.startswith(
            "alice: sync: "), m_since,
    )  # fmt: skip
    return [ln for ln in seen if from_bot(ln)]


async def test_bot_logs_in_with_sasl_and_negotiates_account_capabilities(world: World) -> None:
    session = world.bot.session
    assert session is not None and session.account == "forgebot"
    assert {"sasl", "account-tag", "extended-join", "account-notify"} <= session.caps


async def test_the_speaker_is_the_services_account_not_the_nick(world: World) -> None:
    reply = await ask(world.alice, CHAN, "!tf who")
    assert reply.text == "alice: who: alice-libera (alice)"
    msg = world.echo.last("alice")
    assert (msg.platform, msg.room, msg.direct) == ("irc", CHAN, False)
    reply = await ask(world.mallory, "forgebot", "who")
    assert reply.text == "who: nobody (mallory)"
    assert world.echo.last("mallory").direct and world.echo.last("mallory").room is None


async def test_forged_account_tags_are_not_believed(world: World) -> None:
    for tag in ("@account=alice-libera", "@+account=alice-libera", "@+draft/account=alice-libera"):
        since = world.mallory.mark()
        await world.mallory.send(f"{tag} PRIVMSG {CHAN} :!tf forged")
        reply = await world.mallory.expect(privmsgs_from("forgebot", CHAN), since=since)
        assert reply.text == "mallory: forged: nobody (mallory)", tag


async def test_addressing_by_nick_is_a_mention(world: World) -> None:
    reply = await ask(world.alice, CHAN, "ForgeBot: ping")
    assert reply.text == "alice: ping: alice-libera (alice)"
    assert world.echo.last("alice").mentioned and world.echo.last("alice").text == "ping"


async def test_whois_fallback_finds_the_account_and_follows_nick_changes(world: World) -> None:
    assert world.whois_bot.session is not None and "account-tag" not in world.whois_bot.session.caps
    reply = await ask(world.alice, "whoisbot", "who", bot="whoisbot")
    assert reply.text == "who: alice-libera (alice)"
    await world.alice.change_nick("alice_")
    await world.mallory.change_nick("alice")
    try:
        reply = await ask(world.mallory, "whoisbot", "who", bot="whoisbot")
        assert reply.text == "who: nobody (alice)"
        reply = await ask(world.alice, "whoisbot", "who", bot="whoisbot")
        assert reply.text == "who: alice-libera (alice_)"
    finally:
        await world.mallory.change_nick("mallory")
        await world.alice.change_nick("alice")


async def test_owner_channel_hears_only_its_owners(world: World) -> None:
    reply = await ask(world.alice, OWNERS, "!tf who")
    assert reply.text == "alice: who: alice-libera (alice)"
    seen, since = len(world.echo.seen), world.mallory.mark()
    await world.mallory.say(OWNERS, "!tf who")
    await ask(world.alice, OWNERS, "!tf sync")  # answered after mallory's line was handled
    assert [m.sender.display for m in world.echo.seen[seen:]] == ["alice"]
    assert not [ln for ln in world.mallory.lines[since:] if "mallory" in ln.text]


async def test_private_reply_goes_to_the_speaker_with_a_note_in_the_channel(world: World) -> None:
    world.echo.canned["secret"] = Reply((Code("token line 1\nline 2"),), private=True)
    a_since, m_since = await world.alice.sync(), await world.mallory.sync()
    await world.alice.say(CHAN, "!tf secret")
    await world.alice.expect(lambda ln: ln.text == "line 2", since=a_since)
    channel = await channel_before_sentinel(world, m_since)
    assert [ln.text for ln in channel] == ["alice: I sent you the answer in a private message."]
    private = [ln.text for ln in world.alice.lines[a_since:] if ln.params[0] == "alice"]
    assert private == ["token line 1", "line 2"]


async def test_a_200_line_reply_does_not_flood_the_channel(world: World) -> None:
    world.echo.canned["flood"] = Reply((Code("\n".join(f"log {i}" for i in range(200))),))
    a_since, m_since = await world.alice.sync(), await world.mallory.sync()
    await world.alice.say(CHAN, "!tf flood")
    await world.alice.expect(lambda ln: "more lines: ask with --lines" in ln.text, since=a_since)
    channel = await channel_before_sentinel(world, m_since)
    assert len(channel) == 1 and "200 lines long" in channel[0].text
    private = [
        ln
        for ln in world.alice.lines[a_since:]
        if ln.command == "PRIVMSG" and ln.params[0] == "alice"
    ]
    assert len(private) == world.bot.config.max_private_lines


async def test_long_lines_are_split_under_512_bytes_on_word_boundaries(world: World) -> None:
    words = [f"wörd{i}€" for i in range(300)]
    world.echo.canned["long"] = Reply.text(" ".join(words))
    since = world.alice.mark()
    await world.alice.say("forgebot", "long")
    await world.alice.expect(lambda ln: ln.text.endswith("wörd299€"), since=since)
    got = [ln for ln in world.alice.lines[since:] if ln.command == "PRIVMSG"]
    assert len(got) > 2
    for line in got:
        relayed = line.raw.split(" ", 1)[1] if line.raw.startswith("@") else line.raw
        assert len(relayed.encode()) + 2 <= 512
    assert " ".join(ln.text for ln in got).split(" ") == words


async def test_hostile_text_in_a_reply_cannot_inject_commands(world: World) -> None:
    world.echo.canned["evil"] = Reply(
        (
            Text.of(Strong(HOSTILE), " ", Badge(HOSTILE, Tone.ERROR)),
            Table(("job",), ((HOSTILE,),)),
            Bullets(((HOSTILE,),)),
            Code(HOSTILE),
        )
    )
    registrations = world.bot.registrations
    a_since, m_since = await world.alice.sync(), await world.mallory.sync()
    await world.alice.say("forgebot", "evil")
    await ask(world.alice, "forgebot", "after")  # still answering, in order
    lines = world.alice.lines[a_since:] + world.mallory.lines[m_since:]
    assert not [ln for ln in lines if ln.command == "QUIT" and ln.nick == "forgebot"]
    assert not [ln for ln in world.mallory.lines[m_since:] if ln.text == "injected"]
    assert all("\x00" not in ln.raw and "\x01" not in ln.raw for ln in lines)
    assert world.bot.registrations == registrations and world.bot.session is not None


async def test_a_line_that_is_not_utf8_does_not_break_the_connection(world: World) -> None:
    since = world.mallory.mark()
    await world.mallory.send(b"PRIVMSG forgebot :caf\xe9 \xff")
    reply = await world.mallory.expect(privmsgs_from("forgebot"), since=since)
    assert reply.text.startswith("café ÿ: nobody")


async def test_announcements_are_sent_and_undeliverable_lines_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    since = world.mallory.mark()
    await world.bot.send(CHAN, Reply.text("maintenance at 12:00\r\nQUIT"))
    line = await world.mallory.expect(privmsgs_from("forgebot", CHAN), since=since)
    assert line.text == "maintenance at 12:00"
    with pytest.raises(ValueError):
        await world.bot.send("#a,#b", Reply.text("x"))
    # the server refuses it, and the announcement says so instead of passing for delivered
    with pytest.raises(DeliveryFailed, match="No such nick"):
        await world.bot.send("nobody-here", Reply.text("your tool is down"))
    assert "could not deliver a line to nobody-here: No such nick" in caplog.text


async def test_flood_control_paces_a_long_private_reply(world: World) -> None:
    # A burst of 3, then a line every 2 s (the classic ircd rule): both bounds below
    # are a second away from what the bucket allows, so load cannot decide them.
    world.bot.outbox.bucket.capacity, world.bot.outbox.bucket.rate = 3, 0.5
    try:
        world.echo.canned["four"] = Reply((Code("\n".join(f"n{i}" for i in range(4))),))
        since = world.alice.mark()
        await world.alice.say("forgebot", "four")
        await world.alice.expect(lambda ln: ln.text == "n3", since=since)
        times = [ln.at for ln in world.alice.lines[since:] if ln.text.startswith("n")]
        assert times[2] - times[0] < 1.0  # the burst, written at once
        assert times[3] - times[0] >= 1.0  # then the 2 s the bucket takes to refill
    finally:
        world.bot.outbox.bucket.rate = 0


async def test_kicked_bot_rejoins_after_the_configured_delay(world: World) -> None:
    await world.alice.join("#kick")  # first in: alice is the channel operator
    config = bot_config(
        world.network,
        nick="kickbot",
        sasl_account="forgebot2",
        password=ACCOUNTS["forgebot2"],
        channels=("#kick",),
        rejoin_delay=1.5,
    )
    async with running(config, Echo()) as bot:
        # The bot is ready before its first JOIN has necessarily reached alice: wait for that
        # one, or it would pass for the rejoin.
        await world.alice.expect(lambda ln: ln.command == "JOIN" and ln.nick == "kickbot")
        since = world.alice.mark()
        await world.alice.send("KICK #kick kickbot :out")
        await world.alice.expect(lambda ln: ln.command == "KICK", since=since)
        join = await world.alice.expect(
            lambda ln: ln.command == "JOIN" and ln.nick == "kickbot", since=since
        )
        kick = next(ln for ln in world.alice.lines[since:] if ln.command == "KICK")
        # a lower bound a second under the delay: a late read of the KICK cannot fake it
        assert join.at - kick.at >= 0.5
        await asyncio.wait_for(bot.ready.wait(), PATIENCE)


async def test_refused_sasl_stops_or_continues_as_configured(world: World) -> None:
    strict = bot_config(world.network, nick="strictbot", password="wrong", sasl_required=True)
    lenient_echo = Echo()
    lenient = bot_config(world.network, nick="lenientbot", password="wrong", sasl_required=False)
    with pytest.raises(IrcSaslError, match="refused SASL PLAIN"):
        async with running(strict, Echo(), wait=True):
            pass
    async with running(lenient, lenient_echo) as bot:
        assert bot.session is not None and bot.session.account is None
        reply = await ask(world.alice, CHAN, "!tf who", bot="lenientbot")
        assert reply.text == "alice: who: alice-libera (alice)"


async def test_a_connection_opened_while_the_bot_starts_is_taken_over_with_what_came_meanwhile(
    world: World,
) -> None:
    """forgebot run registers on IRC while it opens its database and loads its commands:
    a private message that arrives in between is answered once the adapter takes over."""
    config = bot_config(world.network, nick="earlybot", sasl_account="forgebot2",
                        password=ACCOUNTS["forgebot2"])  # fmt: skip
    early = EarlyConnection(config)
    try:
        await asyncio.wait_for(early.opened, PATIENCE)  # registered, and no adapter yet
        since = world.alice.mark()
        await world.alice.say("earlybot", "who")
        await wait_until(lambda: any(e.type == "privmsg" for e in early.events),
                         "the message kept for the adapter")  # fmt: skip
        async with running(config, Echo(), early=early) as bot:
            reply = await world.alice.expect(privmsgs_from("earlybot", "alice"), since=since)
            assert reply.text == "who: alice-libera (alice)"
            assert bot.session is early.session and bot.registrations == 1
    finally:
        early.close()


async def test_dead_link_is_noticed_by_ping_timeout_and_the_nick_regained(world: World) -> None:
    relay = await TcpRelay(world.network.host, world.network.port).start()
    config = bot_config(
        world.network,
        port=relay.port,
        nick="pingbot",
        sasl_account="forgebot2",
        password=ACCOUNTS["forgebot2"],
        ping_interval=0.5,
        ping_timeout=2.0,
    )
    try:
        async with running(config, Echo()) as bot:
            relay.freeze()  # silence, no RST: only the watchdog can tell
            await wait_until(lambda: bot.registrations == 2 and bot.ready.is_set(),
                             "a second registration")  # fmt: skip
            assert bot.session is not None
            assert bot.session.nick != "pingbot"  # the ghost still holds it
            reply = await ask(world.alice, CHAN, "!tf who", bot=bot.session.nick)
            assert reply.text == "alice: who: alice-libera (alice)"
            relay.sever(only_frozen=True)  # the server drops the ghost...
            # ...and the bot takes its nick back
            await wait_until(lambda: bot.session is not None and bot.session.nick == "pingbot",
                             "the nick back")  # fmt: skip
    finally:
        await relay.stop()


async def test_lines_written_into_a_dead_link_go_out_again_after_reconnecting(
    world: World,
) -> None:
    """With echo-message the bot knows which lines the server took: an announcement
    written into a silently dead connection is sent again on the next one, once."""
    relay = await TcpRelay(world.network.host, world.network.port).start()
    config = bot_config(
        world.network, port=relay.port, nick="echobot", sasl_account="forgebot2",
        password=ACCOUNTS["forgebot2"], channels=(CHAN,), ping_interval=0.5, ping_timeout=2.0,
    )  # fmt: skip
    try:
        async with running(config, Echo()) as bot:
            assert bot.outbox.confirm_writes, "the test network offers echo-message"
            since = world.mallory.mark()
            relay.freeze()  # the link dies without a word
            sent = asyncio.ensure_future(bot.send(CHAN, Reply.text("maintenance at 12:00")))
            await asyncio.wait_for(asyncio.shield(sent), PATIENCE)  # done only once echoed
            assert bot.registrations == 2, "it was delivered on the second connection"
            line = await world.mallory.expect(
                lambda ln: privmsgs_from(ln.nick, CHAN)(ln) and ln.text.startswith("maint"),
                since=since,
            )  # fmt: skip
            sentinel = world.mallory.mark()
            await ask(world.alice, CHAN, "!tf who")  # answered by the main bot
            await world.mallory.expect(lambda ln: ln.text.startswith("alice: who"),
                                       since=sentinel)  # fmt: skip
            copies = [ln for ln in world.mallory.lines[since:] if ln.text == line.text]
            assert len(copies) == 1
    finally:
        await relay.stop()
