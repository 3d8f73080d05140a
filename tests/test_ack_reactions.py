"""Acknowledging by reaction on Zulip and Slack (their fakes speak real HTTP), with the real
core: a reaction on the announcement's direct message is an ``ack``, audited as one."""

from __future__ import annotations

import json

from bot.core import Bot
from bot.reply import Reply
from tests.bulletin_support import FakeClock, announce, person
from tests.conftest import MakeBot
from tests.fakes.slack_server import FakeSlack
from tests.fakes.zulip_server import FakeZulip
from tests.test_slack_adapter import socket_mode
from tests.test_zulip_adapter import _no_proxy  # noqa: F401  (autouse: loopback only)
from tests.test_zulip_adapter import running as zulip_running

ALICE, BOB = 11, 12


def announcement_dm(number: int) -> Reply:
    """The words a recipient's direct message carries (as bot.announce composes it)."""
    return Reply.text(f"[maintenance] NFS maintenance (announcement #{number}). You get this as "
                      f"a maintainer of sample-web. Tell the Toolforge admins: ack {number}")


async def audited(bot: Bot) -> list[tuple[str | None, str | None, str, str]]:
    events = await bot.services.store.audit_events()
    return [(e.actor_account, e.target, e.result, e.detail) for e in reversed(events)
            if e.action == "ack"]  # fmt: skip


async def test_a_zulip_reaction_on_the_announcement_acknowledges_it(make_bot: MakeBot) -> None:
    zulip = FakeZulip(heartbeat=0.3)
    await zulip.start()
    try:
        bot = await make_bot()
        bot.services.clock = clock = FakeClock()
        store = bot.services.store
        number = await announce(store, "NFS maintenance", person("alice", f"zulip:{ALICE}", "w"))
        async with zulip_running(zulip, bot) as adapter:
            await adapter.send(f"zulip:{ALICE}", announcement_dm(number))
            await adapter.send(f"zulip:{BOB}", announcement_dm(number))
            await adapter.send(f"zulip:{ALICE}", Reply.text("an answer about sample-web"))
            first, other = zulip.sent_ids(ALICE)
            # bob reacts to his copy: not his announcement; alice to a plain answer: nothing
            zulip.inject_reaction(BOB, zulip.sent_ids(BOB)[0])
            zulip.inject_reaction(ALICE, other)
            zulip.inject_reaction(ALICE, first, "tada")
            await zulip.wait_for(lambda: any("Thank you" in s.content for s in zulip.sent))
            thanks = [s for s in zulip.sent if "Thank you" in s.content]
            assert thanks[0].to == (ALICE,)
            said = thanks[0].content
            assert f"announcement **#{number} NFS maintenance** is acknowledged" in said
            # bob is told it is not his to acknowledge
            await zulip.wait_for(lambda: any(s.to == (BOB,) and "not sent to you" in s.content
                                             for s in zulip.sent))  # fmt: skip
            # a second emoji says nothing more; the sentinel shows the core got that far
            zulip.inject_reaction(ALICE, first, "eyes")
            zulip.inject_dm(ALICE, "news")
            await zulip.wait_for(lambda: "No current incidents" in zulip.sent[-1].content)
            assert len([s for s in zulip.sent if "Thank you" in s.content]) == 1
            assert len([s for s in zulip.sent if "already" in s.content]) == 0
        deliveries = await store.announcement_deliveries(number)
        assert [d.acked_at for d in deliveries] == [clock.now]
        # one person's reactions in order; bob's and alice's concurrently
        assert sorted(await audited(bot), key=lambda row: row[0] or "") == [
            ("alice", str(number), "ok", f"acknowledged #{number} by reacting tada"),
            ("alice", str(number), "already",
             f"You had already acknowledged announcement #{number}; nothing changed."),
            ("bob", str(number), "not recipient",
             f"announcement #{number} was not sent to you (bob), so it is not yours to "
             "acknowledge"),
        ]  # fmt: skip
    finally:
        await zulip.stop()


async def test_a_slack_reaction_on_the_announcement_acknowledges_it(make_bot: MakeBot) -> None:
    slack = FakeSlack()
    await slack.start()
    try:
        bot = await make_bot()
        bot.services.clock = FakeClock()
        store = bot.services.store
        number = await announce(store, "NFS", person("alice", "slack:T0001:U0ALICE", "w"))
        async with socket_mode(slack, bot) as adapter:
            await adapter.send("slack:T0001:U0ALICE", announcement_dm(number))
            ts = slack.history["D0ALICE"][-1]["ts"]
            # a reaction on someone else's message, or in a channel, is not for the bot
            await slack.push("events_api", slack.reaction("U0ALICE", "D0ALICE", ts,
                                                          item_user="U0BOB"))  # fmt: skip
            await slack.push("events_api", slack.reaction("U0ALICE", "D0ALICE", ts))
            await slack.wait_for(lambda: len(slack.posted("chat.postMessage")) == 2)
            thanks = slack.posted("chat.postMessage")[1].args
            assert thanks["channel"] == "D0ALICE"
            assert f"announcement #{number} is acknowledged" in json.dumps(thanks)
        assert [d.acked_at is not None for d in await store.announcement_deliveries(number)] == [
            True
        ]
        # the reaction on another's message was never an ack (it would have left two rows)
        assert [r[:3] for r in await audited(bot)] == [("alice", str(number), "ok")]
    finally:
        await slack.stop()
