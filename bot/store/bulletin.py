"""Which tools announcements concern: transaction bodies for the news and the aside.

An announcement's audience is stored per delivery (``Delivery.tools``, a
JSON list); an announcement none of whose deliveries names a tool (channel
posts only) concerns all of Toolforge.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.store import announcements
from bot.store.models import Announcement, Delivery

NO_TOOLS = "[]"
_ESCAPE = "/"


def _like_literal(text: str) -> str:
    """``text`` matched literally by LIKE (with ``/`` as the escape character)."""
    for special in (_ESCAPE, "%", "_"):
        text = text.replace(special, _ESCAPE + special)
    return text


def scopes(session: Session, ids: Sequence[int], tool: str | None) -> tuple[set[int], set[int]]:
    """Of ``ids``: those naming some tool, and those naming ``tool`` (empty when ``None``)."""
    if not ids:
        return set(), set()
    of_them = col(Delivery.announcement_id).in_(list(ids))
    naming = set(
        session.exec(
            select(Delivery.announcement_id).where(of_them, Delivery.tools != NO_TOOLS).distinct()
        ).all()
    )
    if tool is None:
        return naming, set()
    # ``tools`` is json.dumps of a sorted list, so the tool appears as its JSON string.
    needle = f"%{_like_literal(json.dumps(tool))}%"
    touching = set(
        session.exec(
            select(Delivery.announcement_id)
            .where(of_them, col(Delivery.tools).like(needle, escape=_ESCAPE))
            .distinct()
        ).all()
    )
    return naming, touching


@dataclass(frozen=True)
class NewsRows:
    """What is news at one moment: the announcements and which of them name tools."""

    rows: list[Announcement]  # current ones first (newest first), then upcoming (soonest)
    naming: set[int]  # those naming any tool; the others are Toolforge-wide
    touching: set[int]  # those naming the tool asked about


def news(session: Session, now: datetime, tool: str | None, recent: timedelta) -> NewsRows:
    """Current and upcoming announcements at ``now``, with their scopes, in one transaction."""
    rows: list[Announcement] = []
    seen: set[int | None] = set()
    for period in ("current", "upcoming"):
        for row in announcements.listing(session, period, now, recent, 50):
            if row.id not in seen:
                seen.add(row.id)
                rows.append(row)
    ids = [row.id for row in rows if row.id is not None]
    naming, touching = scopes(session, ids, tool)
    return NewsRows(rows, naming, touching)
