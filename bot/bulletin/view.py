"""The read model of one announcement, as news, the page and the feed show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.store.models import Announcement

Phase = Literal["ongoing", "upcoming", "incident", "ended", "cancelled", "notice"]

SEVERITY_WORDS = {
    "incident": "incident",
    "maintenance": "maintenance",
    "deprecation": "deprecation",
    "info": "notice",
}


@dataclass(frozen=True)
class AnnouncementView:
    """What anyone may know about an announcement: never its recipients.

    ``tools`` are the tools it names (its maintainers were its audience);
    ``None`` means Toolforge-wide (posted to channels, or to every tool).
    """

    id: int
    title: str
    body: str
    severity: str
    created_at: datetime
    link: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    cancelled_at: datetime | None = None
    tools: frozenset[str] | None = None

    @classmethod
    def of(cls, row: Announcement, tools: frozenset[str] | None = None) -> AnnouncementView:
        assert row.id is not None
        return cls(
            id=row.id,
            title=row.title,
            body=row.body,
            severity=row.severity,
            created_at=row.created_at,
            link=row.link or None,
            window_start=row.window_start,
            window_end=row.window_end,
            cancelled_at=row.cancelled_at,
            tools=tools,
        )

    @property
    def wide(self) -> bool:
        return self.tools is None

    def affects(self, tool: str) -> bool:
        return self.tools is None or tool in self.tools

    def phase(self, now: datetime, recent: timedelta = timedelta(hours=24)) -> Phase:
        """Where it stands at ``now``: a window ``upcoming``/``ongoing``/``ended``, a
        fresh ``incident``, ``cancelled``, or a plain ``notice``."""
        if self.cancelled_at is not None:
            return "cancelled"
        if self.window_start is not None:
            if now < self.window_start:
                return "upcoming"
            if self.window_end is None or now < self.window_end:
                return "ongoing"
            return "ended"
        if self.severity == "incident":
            return "incident" if now - self.created_at < recent else "ended"
        return "notice"

    @property
    def kind(self) -> str:
        """The severity in a word people read (``notice`` for ``info``)."""
        return SEVERITY_WORDS.get(self.severity, self.severity)
