"""Announcements as views: what is current or upcoming, for everyone or for one tool."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.bulletin.view import AnnouncementView

if TYPE_CHECKING:
    from bot.store import Store
    from bot.store.models import Announcement


async def views_of(
    store: Store, rows: list[Announcement], tool: str | None = None
) -> list[AnnouncementView]:
    """``rows`` as views; with ``tool``, only those that concern it (or all of Toolforge)."""
    ids = [row.id for row in rows if row.id is not None]
    naming, touching = await store.announcement_scopes(ids, tool)
    return _views(rows, naming, touching, tool)


def _views(
    rows: list[Announcement], naming: set[int], touching: set[int], tool: str | None
) -> list[AnnouncementView]:
    views = []
    for row in rows:
        if row.id not in naming:
            views.append(AnnouncementView.of(row, None))
        elif row.id in touching and tool is not None:
            views.append(AnnouncementView.of(row, frozenset({tool})))
        elif tool is None:
            views.append(AnnouncementView.of(row, frozenset()))
    return views


async def news(store: Store, now: datetime, tool: str | None = None) -> list[AnnouncementView]:
    """Ongoing windows and fresh incidents, then upcoming windows (soonest first).

    Cancelled announcements and ended windows are never news.
    """
    found = await store.news(now, tool)
    return _views(found.rows, found.naming, found.touching, tool)
