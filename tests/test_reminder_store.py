"""Reminders queued as outbox rows, exactly once, on SQLite, MariaDB and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.store import Store
from tests.bulletin_support import T0, announce, channel, deliver_all, person
from tests.store_fixtures import shared_db_url, store

__all__ = ["shared_db_url", "store"]
H = timedelta(hours=1)
RULES = {"every": 24 * H, "most": 2, "before_window": timedelta(minutes=30)}


async def queue(store: Store, after: timedelta) -> tuple[int, int]:
    return await store.reminders_queue(now=T0 + after, **RULES)  # type: ignore[arg-type]


async def test_the_silent_are_reminded_a_bounded_number_of_times_apart(store: Store) -> None:
    number = await announce(store, "Grid shutdown", person("alice", "zulip:11", "web"),
                            person("bob", "email:bob@tools.example", "bot", kind="email"),
                            channel("irc:#wikimedia-cloud"), severity="deprecation")  # fmt: skip
    await deliver_all(store, T0)
    assert await queue(store, 23 * H) == (0, 0), "not before the interval"
    assert await queue(store, 24 * H) == (2, 0), "both people, never the channel"
    assert await queue(store, 24 * H) == (0, 0), "queued once"
    assert sorted(await deliver_all(store, T0 + 24 * H)) == [
        "reminder-1:email:bob@tools.example", "reminder-1:zulip:11"]  # fmt: skip
    assert await store.announcement_ack(number, "bob", now=T0 + 30 * H) == "acked"
    assert await queue(store, 47 * H) == (0, 0)
    assert await queue(store, 48 * H) == (1, 0), "only the one who has not acknowledged"
    assert await deliver_all(store, T0 + 48 * H) == ["reminder-2:zulip:11"]
    assert await queue(store, 96 * H) == (0, 0), "two reminders at most"
    # the announcement's own rows still tell its status; reminders are counted on them
    rows = {d.recipient: d for d in await store.announcement_deliveries(number)}
    assert {k: (d.purpose, d.reminders_sent) for k, d in rows.items()} == {
        "alice": ("announce", 2), "bob": ("announce", 1),
        "irc:#wikimedia-cloud": ("announce", 0)}  # fmt: skip
    assert rows["alice"].last_reminded_at == T0 + 48 * H
    counts = await store.announcement_counts(number)
    assert counts.count("sent") == 3 and (counts.people, counts.acked) == (2, 1)


async def test_no_reminder_for_cancelled_ended_or_undelivered_ones(store: Store) -> None:
    called_off = await announce(store, "Called off", person("alice", "zulip:11", "web"))
    await announce(store, "Over", person("alice", "zulip:11", "web"), start=-2 * H, length=H)
    await deliver_all(store, T0)
    await store.announcement_cancel(called_off, by="root-sre", now=T0)
    await announce(store, "Not delivered yet", person("carol", "slack:T1:U3", "web"))
    assert await queue(store, 100 * H) == (0, 0)


async def test_one_reminder_before_the_window_to_every_recipient(store: Store) -> None:
    number = await announce(store, "NFS", person("alice", "zulip:11", "web"),
                            channel("irc:#wikimedia-cloud"), start=2 * H, length=H)  # fmt: skip
    await deliver_all(store, T0)
    assert await store.announcement_ack(number, "alice", now=T0) == "acked"
    assert await queue(store, 80 * timedelta(minutes=1)) == (0, 0), "not yet"
    assert await queue(store, 95 * timedelta(minutes=1)) == (0, 2), "acknowledged or not"
    assert await queue(store, 100 * timedelta(minutes=1)) == (0, 0), "once"
    assert sorted(await deliver_all(store, T0 + 95 * timedelta(minutes=1))) == [
        "window:irc:#wikimedia-cloud", "window:zulip:11"]  # fmt: skip
    # announced ten minutes before its window: it is the notice, nothing more is sent
    late = T0 + 110 * timedelta(minutes=1)
    await announce(store, "Soon", person("bob", "zulip:12", "web"), start=10 * timedelta(
        minutes=1), length=H, now=late)  # fmt: skip
    await deliver_all(store, late)
    assert await store.reminders_queue(now=late, **RULES) == (0, 0)  # type: ignore[arg-type]
    assert await deliver_all(store, late) == []


async def test_two_processes_queue_each_reminder_once(store: Store) -> None:
    for n in range(30):
        await announce(store, f"A{n}", person(f"p{n}", f"zulip:{n}", "web"),
                       person(f"q{n}", f"irc:q{n}", "web"), start=26 * H)  # fmt: skip
    await deliver_all(store, T0)
    other = await Store.open(store.url)
    try:
        later = T0 + 24 * H + 30 * timedelta(minutes=1)
        # The nudges first, then the window's (a window reminder postpones a nudge).
        results = []
        for most, before in ((2, timedelta(0)), (0, 3 * H)):
            rules = {"now": later, "every": 24 * H, "most": most, "before_window": before,
                     "limit": 7}  # fmt: skip
            for _ in range(3):  # rounds of both racing for the same rows
                results += await asyncio.gather(
                    *(s.reminders_queue(**rules) for s in (store, other, store, other))  # type: ignore[arg-type]
                )
            # Racing SKIP LOCKED scans may leave rows to the next tick (InnoDB locks the
            # rows a scan examines); one process alone takes the rest.
            while sum(found := await store.reminders_queue(**rules)):  # type: ignore[arg-type]
                results.append(found)
    finally:
        await other.close()
    assert sum(r[0] for r in results) == 60 and sum(r[1] for r in results) == 60
    sent = await deliver_all(store, later)
    assert len(sent) == len(set(sent)) == 120
