"""The Store's methods for what follows an announcement: news scopes and reminders.

Mixed into :class:`bot.store.Store` beside the announcement methods; each is
one short transaction (bodies in :mod:`bot.store.bulletin`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from bot.shared_reads import SharedReads
from bot.store import bulletin, reminders
from bot.store.announcements import RECENT_INCIDENT
from bot.store.models import as_utc

T = TypeVar("T")

class BulletinMethods:
    """Mixed into :class:`bot.store.Store`, which provides ``_run`` and ``_shared_reads``."""

    _shared_reads: SharedReads[tuple[str, str | None], bulletin.NewsRows]

    async def _run(self, work: Callable[[Session], T], *, retry_conflicts: bool = False) -> T:
        raise NotImplementedError

    async def news(self, now: datetime, tool: str | None = None) -> bulletin.NewsRows:
        """Current and upcoming announcements at ``now`` and their scopes, in one transaction.

        Asked by every ``status`` and ``diagnose``: the same question asked again while
        one is in flight shares its answer (see :mod:`bot.shared_reads`).
        """
        at = as_utc(now)
        return await self._shared_reads.read(
            ("news", tool),
            lambda: self._run(lambda session: bulletin.news(session, at, tool, RECENT_INCIDENT)),
        )

    async def announcement_scopes(
        self, ids: Sequence[int], tool: str | None = None
    ) -> tuple[set[int], set[int]]:
        """Of the announcements ``ids``: those naming any tool (the others are
        Toolforge-wide), and those naming ``tool``."""
        return await self._run(lambda session: bulletin.scopes(session, ids, tool))

    async def reminders_queue(
        self,
        *,
        now: datetime,
        every: timedelta,
        most: int,
        before_window: timedelta,
        limit: int = 500,
    ) -> tuple[int, int]:
        """Queue the reminders due at ``now`` as outbox deliveries, each exactly once:
        (reminders to people who have not acknowledged, reminders before a window).

        At most ``most`` reminders per delivery, ``every`` apart; one more to every
        delivered recipient when a window starts within ``before_window``.
        """
        at = as_utc(now)
        nudged = await self._run(
            lambda session: reminders.queue_nudges(session, at, every, most, limit),
            retry_conflicts=True,
        )
        windowed = await self._run(
            lambda session: reminders.queue_window(session, at, before_window, limit),
            retry_conflicts=True,  # two processes raced to the same one: the key kept one
        )
        return nudged, windowed
