"""Reminders: to those who have not acknowledged, and shortly before a window starts.

:class:`Reminders` runs in the bot beside the announcement dispatcher and, on
the bot's clock, queues the reminders that are due as outbox deliveries (see
:mod:`bot.store.reminders`): the dispatcher sends them like any delivery, so
they are sent once, retried, and resumed after a crash. :func:`reminder_reply`
is what such a delivery says.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.bulletin.reactions import REACTING_PLATFORMS
from bot.bulletin.view import AnnouncementView
from bot.bulletin.when import duration, moment
from bot.reply import Badge, Link, Part, Reply, Strong, Text, Tone, plain_text

if TYPE_CHECKING:
    from bot.config import RemindersSettings
    from bot.core import Bot
    from bot.store import Store

log = logging.getLogger(__name__)

WINDOW = "window"
NUDGE = "reminder-"


@dataclass(frozen=True)
class Schedule:
    """How often and how many (from ``[reminders]``)."""

    every: timedelta = timedelta(hours=24)
    most: int = 2
    before_window: timedelta = timedelta(minutes=30)
    poll: float = 60.0

    @classmethod
    def of(cls, settings: RemindersSettings) -> Schedule:
        return cls(
            every=timedelta(hours=settings.every_hours),
            most=settings.most,
            before_window=timedelta(minutes=settings.before_window_minutes),
            poll=settings.poll_seconds,
        )


class Reminders:
    """Queues due reminders on the bot's ``clock`` and wakes the dispatcher."""

    def __init__(
        self,
        store: Store,
        schedule: Schedule,
        clock: Callable[[], datetime],
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.schedule = schedule
        self.clock = clock
        self.wake = wake

    async def tick(self) -> tuple[int, int]:
        """Queue what is due now: (reminders to the silent, reminders before a window)."""
        s = self.schedule
        queued = await self.store.reminders_queue(
            now=self.clock(), every=s.every, most=s.most, before_window=s.before_window
        )
        if any(queued):
            log.info("announcements: %d reminders and %d window reminders queued", *queued)
            if self.wake is not None:
                self.wake()
        return queued

    async def run(self) -> None:
        """Tick every ``poll`` seconds until cancelled; a failed tick is tried again."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("announcements: could not queue reminders; trying again")
            await asyncio.sleep(self.schedule.poll)


def is_reminder(purpose: str, *, nudge_only: bool = False) -> bool:
    """Whether a delivery's purpose is a reminder (``nudge_only``: one to the silent)."""
    return purpose.startswith(NUDGE) or (purpose == WINDOW and not nudge_only)


def reminders_for(bot: Bot) -> Reminders:
    """The reminders of a running bot, on its clock, waking its dispatcher (start that first)."""
    services = bot.services
    return Reminders(services.store, Schedule.of(bot.config.reminders),
                     clock=lambda: services.clock(), wake=services.outbox_wake)  # fmt: skip


def reminder_reply(
    view: AnnouncementView, purpose: str, tools: list[str], now: datetime, *, platform: str = ""
) -> Reply:
    """What a reminder delivery says; ``tools`` are a person's (empty for a channel);
    where ``platform`` reports reactions, it says a reaction acknowledges too."""
    number = f"announcement #{view.id}"
    parts: list[Part] = []
    start, end = view.window_start, view.window_end
    if purpose == WINDOW and start is not None:
        until = f", until {moment(end, now)}" if end is not None else ""
        parts.append(Text.of(Badge("starting soon", Tone.WARN), " ", Strong(view.title),
                             f" ({number}) starts at {moment(start, now)} (in "
                             f"{duration(start - now)}){until}."))  # fmt: skip
        summary = f"Starting in {duration(start - now)}: {view.title}"
    else:
        which = purpose.removeprefix(NUDGE)
        window = ""
        if start is not None:
            span = f"{moment(start, now)} to {moment(end, now)}" if end is not None else (
                f"from {moment(start, now)}")  # fmt: skip
            window = f" Window: {span}."
        parts.append(Text.of(Badge(f"reminder {which}", Tone.INFO), " ", Strong(view.title),
                             f" ({number}).{window}"))  # fmt: skip
        parts.extend(Text.of(paragraph) for paragraph in view.body.split("\n\n") if paragraph)
        summary = f"Reminder: {view.title}"
    if view.link:
        parts.append(Text.of("More: ", Link(view.link, view.link)))
    if tools:
        ask = ("If you have not yet, tell the Toolforge admins you have seen it: "
               if purpose == WINDOW else
               f"You get this as a maintainer of {', '.join(tools)} and have not acknowledged "
               "it yet; no more reminders once you say ")  # fmt: skip
        react = " (or react to this message)" if platform in REACTING_PLATFORMS else ""
        parts.append(Text.of(ask, Strong(f"ack {view.id}"), f"{react}."))
    return Reply(tuple(parts), summary=summary)


def reminder_email(
    view: AnnouncementView, purpose: str, tools: list[str], now: datetime
) -> tuple[str, str]:
    """Subject and plain-text body of a reminder by mail."""
    reply = reminder_reply(view, purpose, tools, now)
    return f"[Toolforge] {reply.summary}", plain_text(reply) + "\n"
