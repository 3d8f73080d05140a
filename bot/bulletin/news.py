"""The news in neutral reply parts: one short line per announcement.

Used by ``news`` (everything current or upcoming) and as an aside in
``status <tool>`` and ``diagnose <tool>`` (what concerns that tool), so that
"is it me or is it Toolforge?" is answered without a human.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.bulletin.reading import news
from bot.bulletin.view import AnnouncementView
from bot.bulletin.when import duration, moment
from bot.reply import Badge, Bullets, Inline, Link, Part, Strong, Text, Tone

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)


def line(view: AnnouncementView, now: datetime) -> tuple[Inline, ...]:
    """One announcement: what, which one, and when relative to ``now``."""
    phase = view.phase(now)
    spans: list[Inline] = []
    if phase == "incident":
        spans += [Badge("incident", Tone.ERROR), f" #{view.id} ", Strong(view.title)]
        spans.append(f": since {moment(view.created_at, now)}, "
                     f"{duration(now - view.created_at)} ago")  # fmt: skip
    elif phase == "ongoing":
        spans += [Badge(f"{view.kind} now", Tone.WARN), f" #{view.id} ", Strong(view.title)]
        end = view.window_end
        spans.append(f": until {moment(end, now)} (another {duration(end - now)})"
                     if end is not None else ": no end announced")  # fmt: skip
    else:
        start = view.window_start or view.created_at
        spans += [Badge(view.kind, Tone.INFO), f" #{view.id} ", Strong(view.title)]
        until = f" to {moment(view.window_end, now)}" if view.window_end is not None else ""
        spans.append(f": {moment(start, now)}{until} (in {duration(start - now)})")
    if view.link:
        spans += [" ", Link("details", view.link)]
    return tuple(spans)


def news_parts(views: list[AnnouncementView], now: datetime) -> list[Part]:
    if not views:
        return []
    return [Bullets(tuple(line(view, now) for view in views))]


async def tool_news(store: Store, tool: str, now: datetime) -> list[Part]:
    """The aside for ``status``/``diagnose``: announcements concerning ``tool``, or nothing.

    A store that cannot answer costs the aside only, never the status.
    """
    try:
        views = await news(store, now, tool)
    except Exception:
        log.warning("could not read the announcements for %s", tool, exc_info=True)
        return []
    if not views:
        return []
    heading = Text.of(
        Badge("Toolforge news", Tone.WARN),
        f" that concerns {tool} (it may be Toolforge, not the tool):",
    )
    return [heading, *news_parts(views, now)]
