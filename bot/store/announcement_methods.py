"""The Store's announcement methods: the API the ``announce`` feature is built on.

For commands and the dispatcher (all async, each one short transaction):

- ``announcement_create(Announcement(...), [Recipient(...), ...], now=)`` -> id:
  the announcement and one ``Delivery`` per (recipient, destination).
  ``Recipient(recipient=account, destination="zulip:12", kind="dm",
  tools=("mytool",))``; channels: ``recipient`` = ``destination``,
  ``kind="channel"``; nobody to reach: ``kind="none"``,
  ``destination="none:"``, ``status="unreachable"``, ``error=why``.
- ``announcement_get(id)``, ``announcements(period, now=)`` with period
  ``current`` / ``upcoming`` / ``past`` / ``all`` (what ``news`` and the
  public page show), ``announcement_cancel(id, by=)``.
- ``announcement_ack(id, account)`` -> ``acked`` / ``already`` / ``unknown`` /
  ``not_recipient``; sets ``acked_at`` on every delivery to that person.
- ``announcement_deliveries(id)`` (rows for ``announce status`` per tool and
  per person) and ``announcement_counts(id)`` -> :class:`StatusCounts`.
- The outbox, for dispatchers: ``deliveries_claim(worker, platforms, limit=)``,
  ``delivery_complete(id)``, ``delivery_fail(id, worker=, error=, retry_at=)``,
  ``deliveries_renew(worker, ids)``, ``deliveries_recover(stale_before=)``,
  ``announcements_settle()``; see :mod:`bot.store.outbox` for the guarantees.

Reminders (``Delivery.reminders_sent``, ``last_reminded_at``) are columns
ready for the follow-up code; nothing here sets them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from bot.store import announcements, outbox
from bot.store.announcements import (
    RECENT_INCIDENT,
    AckOutcome,
    Period,
    Recipient,
    StatusCounts,
)
from bot.store.models import Announcement, Delivery, as_utc, as_utc_or_now

T = TypeVar("T")


class AnnouncementMethods:
    """Mixed into :class:`bot.store.Store`, which provides ``_run``."""

    async def _run(self, work: Callable[[Session], T], *, retry_conflicts: bool = False) -> T:
        raise NotImplementedError

    async def announcement_create(
        self, announcement: Announcement, recipients: Sequence[Recipient], *, now: datetime
    ) -> int:
        """Store ``announcement`` (``created_at`` = ``now``) and its deliveries; its id.

        One delivery per distinct (recipient, destination); an announcement with
        no delivery left to try is settled (``sent_at``) at once.
        """
        announcement.created_at = as_utc(now)
        for name in ("window_start", "window_end"):
            value = getattr(announcement, name)
            if value is not None:
                setattr(announcement, name, as_utc(value))

        def work(session: Session) -> int:
            created = announcements.create(session, announcement, recipients)
            outbox.settle(session, announcement.created_at)
            return created

        return await self._run(work)

    async def announcement_get(self, announcement_id: int) -> Announcement | None:
        return await self._run(lambda session: announcements.get(session, announcement_id))

    async def announcements(
        self,
        period: Period = "all",
        *,
        now: datetime | None = None,
        recent: timedelta = RECENT_INCIDENT,
        limit: int = 50,
    ) -> list[Announcement]:
        """Announcements of a period, at ``now``; cancelled ones are only ever ``past``/``all``.

        ``upcoming``: a window that starts later (soonest first). ``current``: a
        window that has started and not ended (no end: open), or an incident
        with no window created within ``recent``. ``past``: all the others.
        ``all``: every one. Except ``upcoming``, newest first.
        """
        at = as_utc_or_now(now)
        return await self._run(
            lambda session: announcements.listing(session, period, at, recent, limit)
        )

    async def announcement_cancel(
        self, announcement_id: int, *, by: str, now: datetime | None = None
    ) -> tuple[Announcement | None, int]:
        """Cancel: the announcement (``None`` if unknown) and how many deliveries were dropped."""
        at = as_utc_or_now(now)

        def work(session: Session) -> tuple[Announcement | None, int]:
            result = announcements.cancel(session, announcement_id, by, at)
            outbox.settle(session, at)
            return result

        return await self._run(work)

    async def announcement_ack(
        self, announcement_id: int, account: str, *, now: datetime | None = None
    ) -> AckOutcome:
        """``acked`` (now), ``already``, ``unknown`` (no such announcement) or
        ``not_recipient`` (it was not sent to ``account`` as a person)."""
        at = as_utc_or_now(now)
        return await self._run(
            lambda session: announcements.ack(session, announcement_id, account, at)
        )

    async def announcement_deliveries(self, announcement_id: int) -> list[Delivery]:
        """Every delivery of the announcement, by recipient then destination."""
        return await self._run(lambda session: announcements.deliveries(session, announcement_id))

    async def announcement_counts(self, announcement_id: int) -> StatusCounts:
        return await self._run(lambda session: announcements.counts(session, announcement_id))

    async def outbox_depth(self) -> dict[str, int]:
        """Deliveries still to send, per platform (for ``/metrics``)."""
        return await self._run(outbox.depth)

    async def deliveries_claim(
        self, worker: str, platforms: Collection[str], *, limit: int, now: datetime | None = None
    ) -> list[Delivery]:
        """Claim up to ``limit`` due deliveries on ``platforms`` for ``worker`` (oldest first)."""
        at = as_utc_or_now(now)
        return await self._run(lambda session: outbox.claim(session, worker, platforms, limit, at))

    async def delivery_complete(self, delivery_id: int, *, now: datetime | None = None) -> bool:
        """Record a delivery as sent; ``False`` if it was recorded as sent before."""
        at = as_utc_or_now(now)
        return await self._run(lambda session: outbox.complete(session, delivery_id, at))

    async def delivery_fail(
        self,
        delivery_id: int,
        *,
        worker: str,
        error: str,
        retry_at: datetime | None,
        final: str = "failed",
        now: datetime | None = None,
    ) -> bool:
        """Record a failed attempt by the claim's holder: retry at ``retry_at``, or
        ``None``: end with ``final`` (``failed``, or ``cancelled`` when the announcement
        was cancelled before it was sent). ``False`` if ``worker`` no longer holds the claim."""
        at = as_utc_or_now(now)
        retry = None if retry_at is None else as_utc(retry_at)
        return await self._run(
            lambda session: outbox.fail(session, delivery_id, worker, error, at, retry, final)
        )

    async def deliveries_renew(
        self, worker: str, delivery_ids: Sequence[int], *, now: datetime | None = None
    ) -> int:
        """Keep ``worker``'s claims fresh while it is still sending them."""
        at = as_utc_or_now(now)
        return await self._run(lambda session: outbox.renew(session, worker, delivery_ids, at))

    async def deliveries_recover(self, *, stale_before: datetime) -> int:
        """Claims not renewed since ``stale_before`` go back to ``pending``; how many."""
        before = as_utc(stale_before)
        return await self._run(lambda session: outbox.recover(session, before))

    async def delivery_fall_back(self, failed: Delivery, destination: str) -> bool:
        """Mail instead: queue ``destination`` for the person of ``failed`` (a direct
        message that failed for good) unless another delivery reached them or still may."""
        return await self._run(
            lambda session: outbox.fall_back(session, failed, destination),
            retry_conflicts=True,  # two of their messages failed at once: one mail
        )

    async def announcements_settle(self, *, now: datetime | None = None) -> int:
        """Mark announcements whose fan-out is over as sent; how many."""
        at = as_utc_or_now(now)
        return await self._run(lambda session: outbox.settle(session, at))
