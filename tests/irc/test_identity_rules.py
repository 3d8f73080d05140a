"""One test per rule of the IRC account tracker (adapters/irc/identity.py).

A WHOIS answer is believed only for the same user *and* the same host that
sent the message (the issue's mutation run found that comparing the host
alone went unnoticed, because the only test changed both together).
``make deletions`` deletes each rule in turn and checks that a test fails.
"""

from __future__ import annotations

import asyncio

import pytest

from adapters.irc.identity import AccountTracker, same_account
from tests.irc.test_units import FakeClock


def tracker() -> AccountTracker:
    t = AccountTracker(whois_ttl=30, whois_timeout=5, clock=FakeClock())
    t.joined("alice", "#c", None, known=False)  # shares a channel: her QUIT reaches us
    return t


async def whois(
    t: AccountTracker, nick: str, user: str, host: str, answer: tuple[str, str, str | None]
) -> tuple[str | None, list[str]]:
    """Ask ``t`` for ``nick`` seen as user@host while the server answers ``answer``
    (user, host, account); what it concluded and what it sent."""
    sent: list[str] = []

    async def reply() -> None:
        await asyncio.sleep(0)
        a_user, a_host, account = answer
        t.whois_user(nick, a_user, a_host)
        if account is not None:
            t.whois_account(nick, account)
        t.whois_end(nick)

    task = asyncio.create_task(reply())
    found = await t.whois(nick, user, host, sent.append)
    await task
    return found, sent


async def test_the_same_user_and_host_get_the_account() -> None:
    found, sent = await whois(tracker(), "alice", "al", "home.example",
                              ("al", "home.example", "alice-libera"))  # fmt: skip
    assert (found, sent) == ("alice-libera", ["WHOIS alice"])


async def test_another_host_with_the_same_user_is_not_believed() -> None:
    found, _ = await whois(tracker(), "alice", "al", "evil.example",
                           ("al", "home.example", "alice-libera"))  # fmt: skip
    assert found is None


async def test_another_user_on_the_same_host_is_not_believed() -> None:
    found, _ = await whois(tracker(), "alice", "mal", "home.example",
                           ("al", "home.example", "alice-libera"))  # fmt: skip
    assert found is None


async def test_a_cached_answer_is_checked_against_user_and_host_too() -> None:
    t = tracker()
    await whois(t, "alice", "al", "home.example", ("al", "home.example", "alice-libera"))
    sent: list[str] = []
    assert await t.whois("alice", "al", "other.example", sent.append) is None
    assert await t.whois("alice", "other", "home.example", sent.append) is None
    assert await t.whois("ALICE", "al", "home.example", sent.append) == "alice-libera"
    assert sent == []  # all three from the cache


async def test_no_account_in_the_answer_is_not_logged_in() -> None:
    found, _ = await whois(tracker(), "alice", "al", "home.example",
                           ("al", "home.example", None))  # fmt: skip
    assert found is None


async def test_the_cache_expires_after_its_ttl() -> None:
    t = tracker()
    clock = t.clock
    assert isinstance(clock, FakeClock)
    await whois(t, "alice", "al", "home.example", ("al", "home.example", "alice-libera"))
    clock.now = 29.9
    sent: list[str] = []
    assert await t.whois("alice", "al", "home.example", sent.append) == "alice-libera"
    assert sent == []
    clock.now = 30.0
    found, sent = await whois(t, "alice", "al", "home.example", ("al", "home.example", None))
    assert (found, sent) == (None, ["WHOIS alice"])  # asked again: she logged out meanwhile


async def test_one_whois_is_sent_for_messages_arriving_together() -> None:
    t = tracker()
    sent: list[str] = []
    first = asyncio.ensure_future(t.whois("alice", "al", "home.example", sent.append))
    second = asyncio.ensure_future(t.whois("alice", "al", "home.example", sent.append))
    await asyncio.sleep(0)
    t.whois_user("alice", "al", "home.example")
    t.whois_account("alice", "alice-libera")
    t.whois_end("alice")
    assert await asyncio.gather(first, second) == ["alice-libera", "alice-libera"]
    assert sent == ["WHOIS alice"]


async def test_a_reconnection_answers_pending_whois_with_nobody() -> None:
    t = tracker()
    t.whois_timeout = 3600  # the answer must come from the reset, not from giving up
    pending = asyncio.ensure_future(t.whois("alice", "al", "home.example", lambda _: None))
    await asyncio.sleep(0)
    t.reset()
    assert await asyncio.wait_for(pending, timeout=60) is None
    assert t.live("alice") == (False, None) and not t.sees("alice")


async def test_an_unanswered_whois_is_not_logged_in_and_is_asked_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = tracker()
    t.whois_timeout = 0.01
    sent: list[str] = []
    assert await t.whois("alice", "al", "home.example", sent.append) is None
    assert await t.whois("alice", "al", "home.example", sent.append) is None
    assert sent == ["WHOIS alice", "WHOIS alice"]
    assert caplog.messages == ["irc: WHOIS alice got no answer; treating as not logged in"] * 2


async def test_everyone_waiting_on_an_unanswered_whois_gets_nobody() -> None:
    t = tracker()
    t.whois_timeout = 0.01
    waiting = [t.whois("alice", "al", "home.example", lambda _: None) for _ in range(2)]
    assert await asyncio.gather(*waiting) == [None, None]


def test_leaving_or_quitting_unknown_nicks_changes_nothing() -> None:
    t = AccountTracker()
    t.left("stranger", "#c")
    t.quit("stranger")
    assert t._channels == {} and t._live == {} and t._cache == {}


def test_after_a_quit_the_nick_is_a_stranger_again() -> None:
    t = AccountTracker()
    t.joined("ivy", "#c", "ivy-irc", known=True)
    t.quit("ivy")
    assert not t.sees("ivy")
    t.joined("ivy", "#c", None, known=False)  # someone else, joining without the account
    assert t.live("ivy") == (False, None)


async def test_renaming_into_a_nick_forgets_its_whois() -> None:
    t = tracker()
    t.joined("zed", "#c", None, known=False)
    await whois(t, "zed", "z", "z.example", ("z", "z.example", "zed-libera"))
    t.renamed("alice", "zed")  # the old zed left unseen; someone took the nick
    found, sent = await whois(t, "zed", "z", "z.example", ("z", "z.example", None))
    assert (found, sent) == (None, ["WHOIS zed"])


def test_answers_about_other_nicks_are_ignored() -> None:
    t = tracker()
    t.whois_user("bob", "b", "b.example")
    t.whois_account("bob", "bob-irc")
    t.whois_end("bob")  # nobody asked: nothing to resolve, nothing cached
    assert t._cache == {} and t._whois == {}


def test_live_state_needs_a_shared_channel_and_follows_the_account() -> None:
    t = AccountTracker()
    t.joined("Carol", "#c", "carol-irc", known=True)
    assert t.live("CAROL") == (True, "carol-irc") and t.sees("carol")
    t.joined("dan", "#c", None, known=False)  # a JOIN without extended-join's account
    assert t.live("dan") == (False, None)
    t.account_changed("carol", "carol-2")
    assert t.live("carol") == (True, "carol-2")
    t.account_changed("stranger", "x")  # not in a channel with us: nothing to keep
    assert t.live("stranger") == (False, None)


def test_a_rename_drops_what_was_known_about_the_new_nick() -> None:
    t = AccountTracker()
    t.joined("kim", "#c", "kim-irc", known=True)
    t.joined("lou", "#c", None, known=False)
    t.renamed("lou", "kim")  # kim's QUIT was missed: what we knew of kim is not lou's
    assert t.live("kim") == (False, None)
    t.joined("eve", "#c", "eve-irc", known=True)
    t.joined("zed", "#c", None, known=False)
    t.renamed("zed", "eve_away")
    assert t.live("eve_away") == (False, None)
    t.quit("eve")
    t.joined("eve2", "#c", "eve-irc", known=True)
    t.renamed("eve2", "eve")
    assert t.live("eve") == (True, "eve-irc") and t.live("eve2") == (False, None)


def test_accounts_compare_with_the_servers_case_mapping() -> None:
    assert same_account("Alice[m]", "alice{M}")
    assert not same_account("alice", "alice2")
    assert not same_account(None, None) and not same_account("a", None)


def test_the_nicks_logged_in_to_an_account_are_those_we_share_a_channel_with() -> None:
    t = AccountTracker()
    t.joined("Alice", "#c", "alice-libera", known=True)
    t.joined("alice_phone", "#d", "Alice-Libera", known=True)  # the same account, folded
    t.joined("bob", "#c", "bob-irc", known=True)
    t.joined("guest", "#c", None, known=True)
    assert t.nicks_of("alice-libera") == ["alice", "alice_phone"]
    t.left("alice_phone", "#d")
    assert t.nicks_of("ALICE-LIBERA") == ["alice"]
    assert t.nicks_of("nobody") == []
