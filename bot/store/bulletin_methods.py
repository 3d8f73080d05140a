"""The Store's methods for what follows an announcement: news scopes and reminders.

Mixed into :class:`bot.store.Store` beside the announcement methods; each is
one short transaction (bodies in :mod:`bot.store.bulletin`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from bot.store import bulletin, reminders
from bot.store.models import as_utc

T = TypeVar("T")


class BulletinMethods:
    """Mixed into :class:`bot.store.Store`, which provides ``_run``."""

    async def _run(self, work: Callable[[Session], T], *, retry_conflicts: bool = False) -> T:
        raise NotImplementedError

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
