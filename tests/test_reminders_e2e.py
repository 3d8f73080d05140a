"""Reminders end to end on the bot's clock: an announcement reaches bob (Zulip, Slack) and
dave (mail); those who have not acknowledged are reminded a bounded number of times, a
reaction to a reminder acknowledges, and everyone hears once more before the window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.announce.dispatcher import Dispatcher, Pacing
from bot.bulletin.reminders import Reminders, Schedule
from bot.reply import Reply
from bot.store import Delivery, Store
from tests.announce_rig import announcing
from tests.bulletin_support import FakeClock, announce, deliver_all, person
from tests.conftest import MakeBot
from tests.test_announce_e2e import link_bob
from tests.test_linking import Recorder as LinkRecorder

BOB = 12


async def test_the_silent_are_reminded_and_everyone_before_the_window(
    make_bot: MakeBot,
) -> None:
    clock = FakeClock(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    async with announcing(make_bot) as rig:
        rig.bot.services.clock = rig.dispatcher.clock = clock
        await link_bob(rig)
        reminders = Reminders(rig.bot.services.store, Schedule(), clock, rig.dispatcher.wake)
        await rig.announce("--tools sample-legacy --window 2026-12-05T10:00/12:00 "
                           "maintenance NFS restart | The NFS servers restart.")  # fmt: skip
        zulip, slack, smtp = rig.zulip, rig.slack, rig.smtp
        await rig.until(lambda: rig.dispatcher.sent == 3)
        assert await reminders.tick() == (0, 0), "nothing is due yet"

        clock.advance(hours=24)
        assert await reminders.tick() == (3, 0), "bob on Zulip and Slack, dave by mail"
        await rig.until(lambda: rig.dispatcher.sent == 6)
        reminder = zulip.sent[-1]
        assert reminder.to == (BOB,)
        assert "reminder 1 **NFS restart** (announcement #1)." in reminder.content
        assert "Window: Dec 5 10:00 UTC to Dec 5 12:00 UTC." in reminder.content
        assert "have not acknowledged it yet" in reminder.content
        assert "**ack 1** (or react to this message)." in reminder.content
        assert "reminder 1" in str(slack.posted("chat.postMessage")[-1].args)
        mail = smtp.received[-1]
        assert mail.message["Subject"] == "[Toolforge] Reminder: NFS restart"
        assert "ack 1." in mail.text and "react" not in mail.text

        # bob reacts to the reminder on Zulip: acknowledged, on every platform
        zulip.inject_reaction(BOB, zulip.sent_ids(BOB)[-1])
        await zulip.wait_for(lambda: "Thank you" in zulip.sent[-1].content)
        clock.advance(hours=24)
        assert await reminders.tick() == (1, 0), "only dave has not acknowledged"
        await rig.until(lambda: len(smtp.received) == 3)
        clock.advance(hours=24)
        assert await reminders.tick() == (0, 0), "two reminders at most"

        clock.now = datetime(2026, 12, 5, 9, 40, tzinfo=UTC)
        assert await reminders.tick() == (0, 3), "everyone, acknowledged or not, once"
        await rig.until(lambda: rig.dispatcher.sent == 10)
        soon = zulip.sent[-1].content
        assert ("starting soon **NFS restart** (announcement #1) starts at 10:00 UTC (in 20 min), "
                "until 12:00 UTC.") in soon  # fmt: skip
        assert smtp.received[-1].message["Subject"] == "[Toolforge] Starting in 20 min: NFS restart"
        assert await reminders.tick() == (0, 0)

        # announce status still counts the announcement's own deliveries
        status = await rig.say("announce status 1")
        assert "3 deliveries: [3 sent]" in status and "1 acknowledged" in status
        assert len([s for s in zulip.sent if s.to == (BOB,)]) == 4  # announcement, 1, thanks, soon


class Recorder(LinkRecorder):
    """A running "irc" adapter that records what the dispatcher sends, direct messages too."""

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        self.sent.append((user_id, reply))


def rows_of(store: Store, purpose: str) -> list[Delivery]:
    with Session(store.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.purpose == purpose)).all())


async def test_a_reminder_acknowledged_before_its_turn_is_not_sent(make_bot: MakeBot) -> None:
    bot = await make_bot()
    store, clock = bot.services.store, FakeClock()
    number = await announce(store, "Grid", person("alice", "irc:alice", "web"), now=clock.now)
    await deliver_all(store, clock.now)
    clock.advance(hours=24)
    assert await Reminders(store, Schedule(), clock).tick() == (1, 0)
    assert await store.announcement_ack(number, "alice", now=clock.now) == "acked"
    irc = Recorder()
    irc.ready.set()
    dispatcher = Dispatcher(store, {"irc": irc}, clock=clock, pacing=Pacing(poll=0.05))
    task = asyncio.create_task(dispatcher.run())
    try:
        for _ in range(1000):  # until the dispatcher has dealt with it
            [row] = await asyncio.to_thread(rows_of, store, "reminder-1")
            if row.status != "pending" and row.status != "claimed":
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert row.status == "cancelled"
    assert row.last_error == "acknowledged before the reminder went out"
    assert irc.sent == []
