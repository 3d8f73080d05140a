"""The Store's methods for what follows an announcement: news scopes and reminders.

Mixed into :class:`bot.store.Store` beside the announcement methods; each is
one short transaction (bodies in :mod:`bot.store.bulletin`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlmodel import Session

from bot.store import bulletin

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
