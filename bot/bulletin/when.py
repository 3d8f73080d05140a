"""Times in the words news uses: ``14:00 UTC``, ``Dec 5 14:00 UTC``, ``in 2 h 10 min``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def moment(at: datetime, now: datetime) -> str:
    """``at`` in UTC; with its date unless it is on ``now``'s day."""
    at, now = at.astimezone(UTC), now.astimezone(UTC)
    if at.date() == now.date():
        return at.strftime("%H:%M UTC")
    day = at.strftime("%b %d").replace(" 0", " ")
    year = "" if at.year == now.year else f" {at.year}"
    return f"{day}{year} {at.strftime('%H:%M')} UTC"


def duration(span: timedelta) -> str:
    """A span in the two largest units that matter: ``3 d 4 h``, ``2 h 10 min``, ``5 min``."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "less than a minute"


def stamp(at: datetime) -> str:
    """``at`` with its full date, for the public record: ``2026-12-05 14:00 UTC``."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
