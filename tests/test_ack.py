"""ack <number>: recipients acknowledge; everyone else gets a clear sentence; all audited."""

from __future__ import annotations

from bot.core import Bot
from tests.bulletin_support import FakeClock, announce, channel, person
from tests.test_console_e2e import say


async def test_a_recipient_acknowledges_once_and_others_are_told_why_not(bot: Bot) -> None:
    clock = FakeClock()
    bot.services.clock = clock
    store = bot.services.store
    number = await announce(store, "Grid shutdown", person("alice", "irc:alice", "sample-web"),
                            channel("irc:#wikimedia-cloud"))  # fmt: skip
    called_off = await announce(store, "Called off", person("alice", "irc:alice", "sample-web"))
    await store.announcement_cancel(called_off, by="root-sre", now=clock.now)

    assert await say(bot, "alice", f"ack {number}") == (
        f"Thank you: announcement #{number} Grid shutdown is acknowledged; "
        "no more reminders about it."
    )
    assert "You had already acknowledged announcement" in await say(bot, "alice", f"ack {number}")
    assert f"Announcement #{number} was not sent to you (bob), so it is not yours" in await say(
        bot, "bob", f"ack {number}"
    )
    assert "There is no announcement #9999" in await say(bot, "alice", "ack 9999")
    assert f"Announcement #{called_off} was cancelled" in await say(
        bot, "alice", f"ack {called_off}"
    )
    assert "<id>" in await say(bot, "alice", "ack soon")
    acked = {d.recipient: d.acked_at for d in await store.announcement_deliveries(number)}
    assert acked == {"alice": clock.now, "irc:#wikimedia-cloud": None}

    rows = [(e.actor_account, e.target, e.result) for e in await store.audit_events()
            if e.action == "ack"]  # fmt: skip
    assert list(reversed(rows)) == [
        ("alice", str(number), "ok"),
        ("alice", str(number), "already"),
        ("bob", str(number), "not recipient"),
        ("alice", "9999", "unknown"),
        ("alice", str(called_off), "cancelled"),
    ], "a number that is not one never reaches the command (nothing to audit)"
