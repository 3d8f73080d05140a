"""The logs API's time window: ``since``/``until`` as ISO 8601 times or durations back from now."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.toolforge.sandbox._state import ApiError

DEFAULT_SINCE = timedelta(hours=1)
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def moment(text: str, now: datetime, name: str) -> datetime:
    text = text.strip()
    found = _DURATION.match(text)
    if text and found and any(found.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
        return now - timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            422, f"{name}: expected an ISO 8601 time or a duration such as 1h32m22s, got {text!r}"
        ) from None
    if parsed.tzinfo is None:
        raise ApiError(422, f"{name}: the time needs a timezone, got {text!r}")
    return parsed


def window(since: str | None, until: str | None, now: datetime) -> tuple[datetime, datetime]:
    start = moment(since, now, "since") if since else now - DEFAULT_SINCE
    end = moment(until, now, "until") if until else now
    return start, end


def inside(entry: dict[str, str], start: datetime, end: datetime) -> bool:
    when = datetime.fromisoformat(entry["datetime"])
    return start <= when <= end
