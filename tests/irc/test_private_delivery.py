"""Private replies stay with the person who asked, not with the nick (no network).

A nick changes hands as soon as its holder quits. The outbox paces a long
private answer over minutes, so whatever is still queued must be dropped
when the asker quits, logs out, or when the bot reconnects, and follow a nick
change. tests/irc/test_scenarios.py checks the same on the real network.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.irc.adapter import IrcAdapter
from adapters.irc.config import IrcConfig
from adapters.irc.flood import TokenBucket
from adapters.irc.identity import AccountTracker
from adapters.irc.membership import UNFOLLOWED_GRACE, Membership
from adapters.irc.outbox import DeliveryFailed, Outbox, Recipient
from adapters.irc.render import Outgoing
from bot.message import Message
from bot.reply import Reply
from tests.fakes.core import TestCore
from tests.support import PATIENCE, wait_until

ALICE = Recipient("alice", "al", "home.example", "alice-libera")
DAVE = Recipient("dave", "dave", "dave.example", None)  # not logged in, no channel with us


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeSession:
    monitor: bool = True
    nick: str = "forgebot"
    own_mask: str = "forgebot!forgebot@bot.example"
    connected: bool = True
    caps: set[str] = field(default_factory=lambda: {"extended-join", "account-notify"})
    sent: list[str] = field(default_factory=list)
    isupport: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.monitor:
            self.isupport["MONITOR"] = "30"

    def send(self, line: str) -> None:
        self.sent.append(line)


def event(kind: str, source: str | None = None, target: str | None = None, *args: str) -> Any:
    nick, _, userhost = (source or "").partition("!")
    user, _, host = userhost.partition("@")
    who = SimpleNamespace(nick=nick, user=user or None, host=host or None) if source else None
    return SimpleNamespace(type=kind, source=who, target=target, arguments=list(args), tags=[])


@dataclass
class Rig:
    outbox: Outbox
    membership: Membership
    session: FakeSession
    clock: FakeClock
    written: list[str] = field(default_factory=list)

    def handle(
        self, kind: str, source: str | None = None, target: str | None = None, *a: str
    ) -> None:
        self.membership.handle(self.session, event(kind, source, target, *a))  # type: ignore[arg-type]

    def whois(self, nick: str, user: str | None, host: str | None, account: str | None) -> None:
        """The server's answer to ``WHOIS nick`` (user and host None: no such nick)."""
        if user and host:
            self.handle("whoisuser", None, "forgebot", nick, user, host, "*", "real name")
        if account:
            self.handle("whoisaccount", None, "forgebot", nick, account, "is logged in as")
        self.handle("endofwhois", None, "forgebot", nick, "End of /WHOIS list.")

    async def flush(self) -> list[str]:
        """Let the outbox send what it may; return what it wrote since the last flush."""
        before = len(self.written)
        task = asyncio.create_task(self.outbox.run(self.written.extend))
        for _ in range(5):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return self.written[before:]


def rig(monitor: bool = True, rate: float = 0) -> Rig:
    clock = FakeClock()
    outbox = Outbox(TokenBucket(1, rate), clock=clock)
    membership = Membership(IrcConfig(channels=("#c",), password="x"), AccountTracker(), outbox)
    session = FakeSession(monitor=monitor)
    membership.start(session)  # type: ignore[arg-type]
    session.sent.clear()
    return Rig(outbox, membership, session, clock)


def private(who: Recipient, n: int, nick: str | None = None) -> list[Outgoing]:
    return [Outgoing(nick or who.nick, f"{who.nick} secret {i}") for i in range(n)]


def in_channel(r: Rig, nick: str, user: str, host: str, account: str | None) -> None:
    r.handle("join", f"{nick}!{user}@{host}", "#c", account or "*", "real name")


async def test_quit_drops_the_rest_and_nothing_reaches_the_next_holder(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig(rate=1.0)  # a burst of one line, then one a second
    in_channel(r, "alice", "al", "home.example", "alice-libera")
    batch = r.outbox.put(private(ALICE, 10), "alice's logs", track=True, recipient=ALICE)
    r.outbox.put([Outgoing("#c", "public")], "status in #c")
    written: list[str] = []
    task = asyncio.create_task(r.outbox.run(written.extend))
    # Once the first line is out, the outbox waits for a token; nothing runs between
    # seeing that line and the QUIT below (no await), however slow the machine.
    await wait_until(lambda: bool(written), "the first line")
    r.handle("quit", "alice!al@home.example", None, "Ping timeout")
    in_channel(r, "alice", "mal", "evil.example", None)  # mallory, at once
    await wait_until(lambda: len(written) == 2, "the next line")
    assert len(r.outbox) == 0  # nothing left that could still reach the new alice
    task.cancel()
    assert written == ["PRIVMSG alice :alice secret 0", "PRIVMSG #c :public"]
    assert "9 lines for alice (account alice-libera) not delivered: alice left (Ping timeout)" in (
        caplog.text
    )
    assert batch.done is not None
    with pytest.raises(DeliveryFailed):
        await batch.done


async def test_with_echo_message_one_private_line_is_in_flight_and_a_takeover_gets_no_more(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The race no guard can close: alice's nick changes hands between the guard's check
    # and the server handling our line. With echo-message the next line waits for the
    # echo, by which time the server's NICK has reached us: the new holder gets at most
    # the one line that was in flight, never the rest of the reply.
    r = rig(monitor=False)
    r.outbox.confirm_writes = True
    in_channel(r, "alice", "al", "home.example", "alice-libera")
    r.outbox.put(private(ALICE, 3), "alice's logs", recipient=ALICE)
    r.outbox.put([Outgoing("#c", "public 1"), Outgoing("#c", "public 2")], "status in #c")
    # The first private line goes, and the channel is not held back behind it.
    assert await r.flush() == [
        "PRIVMSG alice :alice secret 0", "PRIVMSG #c :public 1", "PRIVMSG #c :public 2"
    ]  # fmt: skip
    assert r.outbox.pending_for("alice")  # the rest waits for the server's echo
    r.outbox.confirmed("alice", "alice secret 0")
    assert await r.flush() == ["PRIVMSG alice :alice secret 1"]
    # alice leaves and mallory takes the nick before the echo of line 1 comes back.
    r.handle("nick", "alice!al@home.example", "alice_away")
    r.handle("nick", "mal!mal@evil.example", "alice")
    r.outbox.confirmed("alice", "alice secret 1")
    written = await r.flush()
    assert not any("secret" in line and "PRIVMSG alice " in line for line in written), written
    assert written == ["PRIVMSG alice_away :alice secret 2"]  # the rest follows her


async def test_the_outbox_stops_when_cancelled_just_as_it_is_woken() -> None:
    # Python 3.11's wait_for lost a cancellation that arrived with the wake-up it waited
    # for: the outbox went on waiting and the adapter never stopped (a loaded run hung).
    r = rig(monitor=False)
    r.outbox.confirm_writes = True
    r.outbox.put(private(ALICE, 2), "alice's logs", recipient=ALICE)
    task = asyncio.create_task(r.outbox.run(r.written.extend))
    await wait_until(lambda: len(r.written) == 1, "the first line, the second held for its echo")
    for _ in range(5):
        await asyncio.sleep(0)  # the outbox is waiting, with held lines: the timed wait
    r.outbox.wake()
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=PATIENCE)
    assert task in done and task.cancelled()


async def test_a_nick_change_is_followed_and_a_reply_still_being_computed_dropped() -> None:
    r = rig()
    in_channel(r, "alice", "al", "home.example", "alice-libera")
    r.membership.watch("alice")
    r.outbox.put(private(ALICE, 2), "alice's logs", recipient=ALICE)
    mark = r.membership.mark()  # a second question, still being answered
    r.handle("730", None, "forgebot", "alice!al@home.example")
    r.handle("nick", "alice!al@home.example", "alice_")
    assert r.session.sent == [
        "MONITOR + alice", "WHOIS alice", "MONITOR - alice", "MONITOR + alice_"
    ]
    assert await r.flush() == []  # held until the server confirms who holds alice_
    r.handle("730", None, "forgebot", "alice_!al@home.example")
    assert r.session.sent[-1] == "WHOIS alice_" and await r.flush() == []
    r.whois("alice_", "al", "home.example", "alice-libera")
    assert await r.flush() == ["PRIVMSG alice_ :alice secret 0", "PRIVMSG alice_ :alice secret 1"]
    assert r.session.sent[-1] == "MONITOR - alice_"  # nothing left for her
    assert r.membership.left_since("alice", mark)  # that answer is not sent to 'alice'
    assert not r.membership.left_since("bob", mark)


async def test_logout_drops_the_replies_meant_for_the_account(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig(monitor=False)
    in_channel(r, "alice", "al", "home.example", "alice-libera")
    anonymous = Recipient("alice", "al", "home.example", None)
    r.outbox.put(private(ALICE, 3), "alice's logs", recipient=ALICE)
    r.outbox.put([Outgoing("alice", "public help")], "help", recipient=anonymous)
    r.handle("account", "alice!al@home.example", "*")
    assert await r.flush() == ["PRIVMSG alice :public help"]
    assert "3 lines for alice (account alice-libera) not delivered: alice logged out" in caplog.text


async def test_the_guard_checks_the_account_before_every_line() -> None:
    r = rig(monitor=False)
    in_channel(r, "alice", "al", "home.example", "alice-libera")
    r.outbox.put(private(ALICE, 3), "alice's logs", recipient=ALICE)
    r.membership.tracker.account_changed("alice", "someone-else")  # no event for the outbox
    assert await r.flush() == []
    assert not r.outbox.pending_for("alice")


async def test_a_lost_connection_drops_private_lines_and_keeps_channel_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig()
    mark = r.membership.mark()
    r.outbox.put(private(ALICE, 3), "alice's logs", recipient=ALICE)
    r.outbox.put([Outgoing("dave", "your tool is down")], "an announcement to dave")
    r.outbox.put([Outgoing("#c", "public")], "status in #c")
    r.membership.stop()
    assert len(r.outbox) == 1 and r.outbox.pending_for("#c")
    assert "not delivered: the bot lost its connection to the server" in caplog.text
    assert r.membership.left_since("bob", mark)  # after a reconnect, anyone may be anyone


async def test_someone_only_messaging_the_bot_is_followed_with_monitor(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig()
    r.membership.watch("dave")
    r.outbox.put(private(DAVE, 3), "dave's question", recipient=DAVE)
    assert r.session.sent == ["MONITOR + dave"]
    assert await r.flush() == []
    r.handle("730", None, "forgebot", "dave")  # InspIRCd: the nick only
    assert r.session.sent[-1] == "WHOIS dave" and await r.flush() == []
    r.whois("dave", "dave", "dave.example", None)
    r.outbox.bucket = TokenBucket(1, 1e-9)  # one line, then no more tokens
    assert await r.flush() == ["PRIVMSG dave :dave secret 0"]
    r.handle("731", None, "forgebot", "dave")
    assert not r.outbox.pending_for("dave") and r.session.sent[-1] == "MONITOR - dave"
    assert "2 lines for dave (dave@dave.example, not logged in) not delivered: dave left" in (
        caplog.text
    )


async def test_monitor_showing_someone_else_on_the_nick_drops_the_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig()
    r.membership.watch("dave")
    r.outbox.put(private(DAVE, 3), "dave's question", recipient=DAVE)
    r.outbox.put([Outgoing("dave", "for whoever is dave")], "an announcement to dave")
    r.handle("730", None, "forgebot", "dave!mal@evil.example")
    r.whois("dave", "mal", "evil.example", None)
    assert await r.flush() == ["PRIVMSG dave :for whoever is dave"]
    assert "not delivered: dave is held by mal@evil.example now, someone else" in caplog.text


async def test_the_next_holder_on_the_same_host_is_not_the_account_that_asked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Lines for a logged-in person who only messaged the bot go to that account, not to
    whoever next holds the nick from the same user@host (a shared bouncer, a cloak)."""
    erin = Recipient("erin", "u", "shared.example", "erin-libera")
    r = rig()
    r.membership.watch("erin")
    r.outbox.put(private(erin, 8), "erin's logs", recipient=erin)
    r.handle("730", None, "forgebot", "erin")
    r.whois("erin", "u", "shared.example", None)  # same user@host, not logged in
    assert await r.flush() == []
    assert "8 lines for erin (account erin-libera) not delivered: erin is held by someone not " \
        "logged in as erin-libera" in caplog.text


async def test_the_account_is_compared_with_the_servers_casemapping() -> None:
    frank = Recipient("frank", "f", "f.example", "Frank[1]")
    r = rig()
    r.membership.watch("frank")
    r.outbox.put(private(frank, 1), "frank's logs", recipient=frank)
    r.handle("730", None, "forgebot", "frank")
    r.whois("frank", "f", "other.example", "frank{1}")  # rfc1459: the same account
    assert await r.flush() == ["PRIVMSG frank :frank secret 0"]


async def test_without_monitor_only_the_first_seconds_go_to_someone_we_cannot_follow(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig(monitor=False)
    r.handle("namreply", None, "forgebot", "=", "#c", "@forgebot +carol")
    carol = Recipient("carol", "c", "carol.example", None)
    r.outbox.put(private(DAVE, 2), "dave's question", recipient=DAVE)
    r.outbox.put(private(carol, 2), "carol's question", recipient=carol)
    r.outbox.bucket = TokenBucket(1, 1e-9)
    assert await r.flush() == ["PRIVMSG dave :dave secret 0"]
    r.clock.now = UNFOLLOWED_GRACE + 1
    r.outbox.bucket = TokenBucket(1, 0)
    sent = await r.flush()
    assert sent == ["PRIVMSG carol :carol secret 0", "PRIVMSG carol :carol secret 1"]
    assert "1 line for dave" in caplog.text and "shares no channel with the bot" in caplog.text


class Answer(TestCore):
    """A core whose answer is ready only when the test says so."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.asked = asyncio.Event()

    async def handle(self, message: Message) -> Reply | None:
        self.asked.set()
        await self.release.wait()
        return Reply.text("the answer", private=True)


async def test_an_answer_ready_after_the_asker_left_is_not_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = Answer()
    adapter = IrcAdapter(IrcConfig(channels=("#c",), password="x"), core)
    session = FakeSession(caps={"account-tag"})  # no tag on the message: not logged in
    adapter.session = session  # type: ignore[assignment]
    adapter.membership.start(session)  # type: ignore[arg-type]
    privmsg = event("privmsg", "dave!dave@dave.example", "forgebot", "logs mytool")
    adapter._on_event(session, privmsg)  # type: ignore[arg-type]
    await asyncio.wait_for(core.asked.wait(), PATIENCE)  # the answer is being computed
    adapter.membership.handle(session, event("quit", "dave!dave@dave.example", None, "bye"))  # type: ignore[arg-type]
    core.release.set()
    dropped = "dave left or changed nick before the answer was ready"
    await wait_until(lambda: core.settled and dropped in caplog.text, "the answer dropped")
    assert len(adapter.outbox) == 0
