"""Announcements for the tests of news, acks, reminders and the public record.

They are stored the way ``announce send`` stores them (through the Store's
API), so these tests do not depend on how the audience was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.store import Recipient, Store
from bot.store.models import Announcement

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """The bot's clock in tests: moves only when told to."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **span: float) -> datetime:
        self.now += timedelta(**span)
        return self.now


def person(account: str, destination: str, *tools: str, kind: str = "dm") -> Recipient:
    return Recipient(recipient=account, destination=destination, kind=kind, tools=tools)


def channel(destination: str) -> Recipient:
    return Recipient(recipient=destination, destination=destination, kind="channel")


async def announce(
    store: Store,
    title: str,
    *recipients: Recipient,
    severity: str = "maintenance",
    body: str = "Details follow.",
    start: timedelta | None = None,
    length: timedelta | None = None,
    link: str | None = None,
    now: datetime = T0,
) -> int:
    """Store an announcement created at ``now``; a window from ``now + start`` lasting
    ``length`` (open-ended when ``None``)."""
    window_start = None if start is None else now + start
    window_end = None if window_start is None or length is None else window_start + length
    row = Announcement(
        author="root-sre", title=title, body=body, severity=severity, link=link,
        window_start=window_start, window_end=window_end, audience="test",
    )  # fmt: skip
    return await store.announcement_create(row, list(recipients), now=now)


async def deliver_all(store: Store, now: datetime, platforms: tuple[str, ...] = (
        "irc", "zulip", "slack", "email")) -> list[str]:
    """Claim and complete every due delivery, as a dispatcher that never fails would;
    the ``purpose:destination`` of each, in order."""
    done = []
    while claimed := await store.deliveries_claim("test", platforms, limit=100, now=now):
        for delivery in claimed:
            assert delivery.id is not None
            await store.delivery_complete(delivery.id, now=now)
            done.append(f"{delivery.purpose}:{delivery.destination}")
    return done
