"""The announcement store and its outbox on every backend: create, claim, complete,
fail and retry, recover after a crash, cancel, acknowledge, list by period, and
two stores draining one outbox without taking a row twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.store import Announcement, Delivery, Recipient, Store
from tests.store_fixtures import shared_db_url, store

__all__ = ["shared_db_url", "store"]  # fixtures

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def announcement(title: str = "NFS maintenance", **fields: object) -> Announcement:
    values: dict[str, object] = {
        "author": "sre",
        "title": title,
        "body": "The **NFS** servers restart.",
        "severity": "maintenance",
        "audience": "maintainers of tools with jobs on deprecated images",
    }
    return Announcement(**(values | fields))


def dm(account: str, destination: str, *tools: str) -> Recipient:
    return Recipient(account, destination, "dm", tools)


RECIPIENTS = [
    Recipient("irc:#wikimedia-cloud", "irc:#wikimedia-cloud", "channel"),
    dm("alice", "irc:alice", "tool-a"),
    dm("alice", "irc:alice", "tool-b"),  # the same person and place: one row, both tools
    dm("alice", "zulip:12", "tool-a", "tool-b"),
    Recipient("bob", "email:bob@example.org", "email", ("tool-b",)),
    Recipient("carol", "none:", "none", ("tool-c",), "unreachable", "no chat link, no email"),
]


async def test_one_delivery_per_recipient_and_destination_with_their_tools(store: Store) -> None:
    aid = await store.announcement_create(announcement(), RECIPIENTS, now=NOW)
    rows = await store.announcement_deliveries(aid)
    assert [(d.recipient, d.destination, d.platform, d.kind, d.status) for d in rows] == [
        ("alice", "irc:alice", "irc", "dm", "pending"),
        ("alice", "zulip:12", "zulip", "dm", "pending"),
        ("bob", "email:bob@example.org", "email", "email", "pending"),
        ("carol", "none:", "none", "none", "unreachable"),
        ("irc:#wikimedia-cloud", "irc:#wikimedia-cloud", "irc", "channel", "pending"),
    ]
    assert rows[0].tool_names() == ["tool-a", "tool-b"] and rows[0].address == "alice"
    assert rows[3].last_error == "no chat link, no email"
    counts = await store.announcement_counts(aid)
    assert (counts.people, counts.acked) == (3, 0)
    assert counts.count("pending") == 4 and counts.count("unreachable", "none") == 1

    stored = await store.announcement_get(aid)
    assert stored is not None and stored.created_at == NOW and stored.sent_at is None
    with Session(store.engine) as session:
        session.add(Delivery(announcement_id=aid, recipient="alice", destination="zulip:12",
                             platform="zulip", kind="dm"))  # fmt: skip
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_recipient_names_a_known_kind_and_a_platform() -> None:
    with pytest.raises(ValueError, match="kind"):
        Recipient("alice", "irc:alice", "pigeon")
    with pytest.raises(ValueError, match="platform"):
        Recipient("alice", "alice", "dm")


async def test_claims_take_due_rows_of_the_platforms_asked_for_once(store: Store) -> None:
    aid = await store.announcement_create(announcement(), RECIPIENTS, now=NOW)
    irc = await store.deliveries_claim("w1", {"irc"}, limit=10, now=NOW)
    assert sorted(d.destination for d in irc) == ["irc:#wikimedia-cloud", "irc:alice"]
    assert all(d.status == "claimed" and d.claimed_by == "w1" for d in irc)
    assert await store.deliveries_claim("w2", {"irc"}, limit=10, now=NOW) == []
    first = await store.deliveries_claim("w2", {"zulip", "email", "none"}, limit=1, now=NOW)
    assert [d.destination for d in first] == ["zulip:12"]  # oldest first; unreachable never

    channel, alice = sorted(irc, key=lambda d: d.kind)
    assert channel.id is not None and alice.id is not None
    assert await store.delivery_complete(channel.id, now=LATER) is True
    assert await store.delivery_complete(channel.id, now=LATER) is False
    # a transient failure: pending again after its backoff, claimable then and not before
    assert await store.delivery_fail(alice.id, worker="w2", error="x", retry_at=LATER) is False
    retry = LATER + timedelta(seconds=30)
    assert await store.delivery_fail(alice.id, worker="w1", error="down", retry_at=retry,
                                     now=LATER)  # fmt: skip
    assert await store.deliveries_claim("w1", {"irc"}, limit=10, now=LATER) == []
    again = await store.deliveries_claim("w1", {"irc"}, limit=10, now=retry)
    assert [d.id for d in again] == [alice.id]
    assert await store.delivery_fail(alice.id, worker="w1", error="refused", retry_at=None)

    rows = {d.destination: d for d in await store.announcement_deliveries(aid)}
    assert (rows["irc:#wikimedia-cloud"].status, rows["irc:#wikimedia-cloud"].sent_at) == (
        "sent", LATER)  # fmt: skip
    assert (rows["irc:alice"].status, rows["irc:alice"].attempts,
            rows["irc:alice"].last_error) == ("failed", 2, "refused")  # fmt: skip


async def test_stale_claims_are_recovered_renewed_ones_kept(store: Store) -> None:
    aid = await store.announcement_create(
        announcement(), [dm(f"u{i}", f"zulip:{i}", "t") for i in range(4)], now=NOW
    )
    dead = await store.deliveries_claim("dead", {"zulip"}, limit=2, now=NOW)
    alive = await store.deliveries_claim("alive", {"zulip"}, limit=2, now=NOW)
    assert await store.deliveries_renew("alive", [d.id for d in alive if d.id], now=LATER) == 2
    assert await store.deliveries_renew("alive", [d.id for d in dead if d.id], now=LATER) == 0
    assert await store.deliveries_recover(stale_before=NOW + timedelta(minutes=1)) == 2

    again = await store.deliveries_claim("new", {"zulip"}, limit=10, now=LATER)
    assert {d.id for d in again} == {d.id for d in dead}
    assert all(d.attempts == 1 for d in again)
    # the dead process had in fact sent one: its late report still counts as sent
    assert dead[0].id is not None and await store.delivery_complete(dead[0].id)
    for d in again[1:] + alive:
        assert d.id is not None and await store.delivery_complete(d.id, now=LATER)
    assert await store.announcements_settle(now=LATER) == 1
    stored = await store.announcement_get(aid)
    assert stored is not None and stored.sent_at == LATER
    assert (await store.announcement_counts(aid)).count("sent") == 4


async def test_cancel_drops_what_was_not_sent_and_settles(store: Store) -> None:
    aid = await store.announcement_create(announcement(), RECIPIENTS, now=NOW)
    claimed = await store.deliveries_claim("w", {"zulip"}, limit=1, now=NOW)
    cancelled, dropped = await store.announcement_cancel(aid, by="sre2", now=LATER)
    assert cancelled is not None and (cancelled.cancelled_at, cancelled.cancelled_by) == (
        LATER, "sre2")  # fmt: skip
    assert dropped == 3 and await store.deliveries_claim("w", {"irc", "email"}, limit=9) == []
    assert (await store.announcement_get(aid)).sent_at is None  # type: ignore[union-attr]
    assert claimed[0].id is not None and await store.delivery_complete(claimed[0].id)
    await store.announcements_settle(now=LATER)
    again, dropped = await store.announcement_cancel(aid, by="sre3")
    assert again is not None and again.cancelled_by == "sre2" and again.sent_at is not None
    assert dropped == 0
    assert await store.announcement_cancel(999_999, by="sre") == (None, 0)


async def test_an_announcement_nobody_can_receive_is_settled_at_once(store: Store) -> None:
    aid = await store.announcement_create(announcement(), RECIPIENTS[-1:], now=NOW)
    stored = await store.announcement_get(aid)
    assert stored is not None and stored.sent_at == NOW


async def test_acknowledgements_are_per_person_and_said_plainly(store: Store) -> None:
    aid = await store.announcement_create(announcement(), RECIPIENTS, now=NOW)
    assert await store.announcement_ack(aid, "alice", now=LATER) == "acked"
    assert await store.announcement_ack(aid, "alice") == "already"
    assert await store.announcement_ack(aid, "mallory") == "not_recipient"
    assert await store.announcement_ack(aid, "irc:#wikimedia-cloud") == "not_recipient"
    assert await store.announcement_ack(aid + 1000, "alice") == "unknown"
    rows = [d for d in await store.announcement_deliveries(aid) if d.recipient == "alice"]
    assert [d.acked_at for d in rows] == [LATER, LATER]
    counts = await store.announcement_counts(aid)
    assert (counts.people, counts.acked) == (3, 1)


async def test_periods_current_upcoming_and_past(store: Store) -> None:
    hour = timedelta(hours=1)
    made = {
        "window now": announcement(window_start=NOW - hour, window_end=NOW + hour),
        "open window": announcement(window_start=NOW - hour),
        "window later": announcement(window_start=NOW + 2 * hour, window_end=NOW + 3 * hour),
        "window sooner": announcement(window_start=NOW + hour, window_end=NOW + 3 * hour),
        "window over": announcement(window_start=NOW - 3 * hour, window_end=NOW - hour),
        "fresh incident": announcement(severity="incident"),
        "old notice": announcement(severity="info"),
        "cancelled window": announcement(window_start=NOW - hour, window_end=NOW + hour),
    }
    ids = {}
    for title, a in made.items():
        a.title = title
        created = NOW - timedelta(days=3) if title == "old notice" else NOW - timedelta(minutes=1)
        ids[title] = await store.announcement_create(a, RECIPIENTS[:1], now=created)
    await store.announcement_cancel(ids["cancelled window"], by="sre")

    async def titles(period: str) -> list[str]:
        found = await store.announcements(period, now=NOW)  # type: ignore[arg-type]
        return [a.title for a in found]

    assert await titles("upcoming") == ["window sooner", "window later"]
    assert set(await titles("current")) == {"window now", "open window", "fresh incident"}
    assert set(await titles("past")) == {"window over", "old notice", "cancelled window"}
    assert len(await titles("all")) == len(made)
    later = [a.title for a in await store.announcements("current", now=NOW + timedelta(days=2))]
    assert later == ["open window"]


async def test_two_stores_draining_one_outbox_never_take_the_same_row(
    store: Store, shared_db_url: str
) -> None:
    await store.announcement_create(
        announcement(), [dm(f"u{i}", f"slack:T1:U{i}", "t") for i in range(300)], now=NOW
    )
    other = await Store.open(shared_db_url)
    taken: dict[str, list[int]] = {"a": [], "b": []}

    async def drain(name: str, s: Store) -> None:
        while batch := await s.deliveries_claim(name, {"slack"}, limit=7, now=NOW):
            for d in batch:
                assert d.id is not None
                taken[name].append(d.id)
                assert await s.delivery_complete(d.id, now=NOW)

    try:
        await asyncio.gather(drain("a", store), drain("b", other), drain("a", store))
    finally:
        await other.close()
    both = taken["a"] + taken["b"]
    assert len(both) == len(set(both)) == 300


async def test_mail_replaces_direct_messages_only_when_none_got_through(store: Store) -> None:
    aid = await store.announcement_create(
        announcement(), [dm("alice", "irc:alice", "t"), dm("alice", "zulip:12", "t")], now=NOW
    )
    irc, zulip = await store.deliveries_claim("w", {"irc", "zulip"}, limit=2, now=NOW)
    assert irc.id is not None and zulip.id is not None
    mail = "email:alice@toolforge.org"
    await store.delivery_fail(irc.id, worker="w", error="offline", retry_at=None)
    assert await store.delivery_fall_back(irc, mail) is False  # zulip may still reach her
    await store.delivery_fail(zulip.id, worker="w", error="refused", retry_at=None)
    assert await store.delivery_fall_back(zulip, mail) is True
    assert await store.delivery_fall_back(irc, mail) is False  # once
    rows = {d.destination: d for d in await store.announcement_deliveries(aid)}
    assert (rows[mail].status, rows[mail].kind, rows[mail].tool_names()) == (
        "pending",
        "email",
        ["t"],
    )
