"""An announcement as typed: title and body, severity, link, window; checked with sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import AnnounceSettings
from bot.errors import UsageError
from bot.store import Announcement
from bot.store.models import SEVERITIES
from bot.text import quote_user

_TITLE_SPLIT = re.compile(r"(?:^|\s+)\|(?:\s+|$)|\n")


@dataclass(frozen=True)
class Draft:
    """What an admin wrote, checked; ``announcement()`` makes the row."""

    severity: str
    title: str
    body: str
    link: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None

    def announcement(self, author: str, audience: str) -> Announcement:
        return Announcement(
            author=author,
            title=self.title,
            body=self.body,
            severity=self.severity,
            link=self.link,
            window_start=self.window_start,
            window_end=self.window_end,
            audience=audience,
        )


def split_message(text: str) -> tuple[str, str]:
    """Title and body: the first line, or what comes before `` | ``, is the title."""
    parts = _TITLE_SPLIT.split(text.strip(), maxsplit=1)
    title = parts[0].strip()
    body = parts[1].strip() if len(parts) > 1 else ""
    return title, body


def parse_time(text: str, what: str) -> datetime:
    """An ISO 8601 time; without an offset it is UTC (as every time in announcements)."""
    cleaned = text.strip().upper().replace(" UTC", "").removesuffix("UTC")
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UsageError(
            f"{what} {quote_user(text)} is not a time such as 2026-12-05T10:00 (UTC)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_window(text: str) -> tuple[datetime, datetime]:
    """``START/END`` (or ``START END``, ``START..END``); END may be a time of START's day."""
    for separator in ("/", "..", " to "):
        if separator in text:
            pieces = [p.strip() for p in text.split(separator, 1) if p.strip()]
            break
    else:
        pieces = text.split()
    if len(pieces) != 2:
        raise UsageError(
            f"--window {quote_user(text)} needs a start and an end, "
            "such as 2026-12-05T10:00/2026-12-05T12:00 (UTC)"
        )
    start = parse_time(pieces[0], "the window's start")
    end_text = pieces[1]
    if re.fullmatch(r"\d{1,2}:\d{2}", end_text):
        end_text = f"{start:%Y-%m-%d}T{end_text}"
    end = parse_time(end_text, "the window's end")
    if end <= start:
        raise UsageError("the window ends before it starts; give --window START/END in UTC")
    return start, end


def draft(
    settings: AnnounceSettings,
    severity: str,
    message: str,
    *,
    link: str | None,
    window: str | None,
) -> Draft:
    """The announcement checked: a title, a body, lengths, the link's scheme, the window."""
    if severity not in SEVERITIES:
        raise UsageError(f"the severity must be one of {', '.join(SEVERITIES)}")
    title, body = split_message(message or "")
    if not title:
        raise UsageError("the announcement needs a title (its first line, or before ' | ')")
    if not body:
        raise UsageError(
            "the announcement's body is empty: write it after the title, on the next lines "
            "or after ' | '"
        )
    if len(title) > settings.max_title:
        raise UsageError(f"the title is {len(title)} characters long; at most "
                         f"{settings.max_title} please")  # fmt: skip
    if len(body) > settings.max_body:
        raise UsageError(f"the body is {len(body)} characters long; at most {settings.max_body} "
                         "please (put the details behind --link)")  # fmt: skip
    if link is not None and not re.fullmatch(r"https?://\S+", link):
        raise UsageError(f"--link {quote_user(link)} is not an http(s) URL")
    start = end = None
    if window is not None:
        start, end = parse_window(window)
    return Draft(severity, title, body, link, start, end)
