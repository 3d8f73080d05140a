"""``logs --since``: how far back to read, as a person types it and as the logs API takes it.

People write ``6h``, ``2d``, ``1h30m`` or a time (``2026-12-01``,
``2026-12-01T10:00``, with or without a zone; without one it is UTC, as
Toolforge's clocks are). The logs API takes ``since`` as an ISO 8601 time or
a duration such as ``1h32m22s`` (toolforge-api.md §3); days are sent as hours,
since the API's duration form names no days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import UsageError
from bot.text import quote_user

if TYPE_CHECKING:
    from bot.config import BotSettings

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
#: Further back than this is refused: Toolforge keeps logs for days, not months.
MAX_BACK = timedelta(days=30)
DEFAULT_WORDS = "in the last hour"


@dataclass(frozen=True, slots=True)
class LineCount:
    """How many log lines to read: ``--lines`` (else the default), at most the maximum;
    ``capped`` says so for the heading (``""`` when nothing was cut)."""

    lines: int
    capped: str

    @classmethod
    def of(cls, asked: int | None, settings: BotSettings) -> LineCount:
        wanted = settings.log_lines_default if asked is None else asked
        most = settings.log_lines_max
        return cls(min(wanted, most), f" (capped at {most})" if wanted > most else "")


@dataclass(frozen=True, slots=True)
class Since:
    """A start of the window: ``api`` for the logs API, ``words`` for the reply."""

    api: str
    words: str


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _duration_words(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [_plural(n, u) for n, u in ((days, "day"), (hours, "hour"), (minutes, "minute"),
                                         (seconds, "second")) if n]  # fmt: skip
    return "in the last " + " ".join(parts)


def _api_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n)


def parse_since(text: str, now: datetime) -> Since:
    """``text`` as a window start; a :class:`UsageError` says what is accepted."""
    value = text.strip().lower()
    found = _DURATION.match(value)
    if value and found and any(found.groups()):
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
        delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
        if delta.total_seconds() < 1:
            raise UsageError("--since needs a duration of at least one second, such as 6h")
        _not_too_far(delta)
        return Since(_api_duration(delta), _duration_words(delta))
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise UsageError(
            f"--since {quote_user(text)} is neither a duration (6h, 2d, 1h30m) "
            "nor a time (2026-12-01T10:00, UTC unless a zone is given)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment > now:
        raise UsageError(f"--since {quote_user(text)} is in the future (it is {now:%H:%M} UTC)")
    _not_too_far(now - moment)
    return Since(moment.isoformat(), f"since {moment:%Y-%m-%d %H:%M} UTC")


def _not_too_far(delta: timedelta) -> None:
    if delta > MAX_BACK:
        raise UsageError(
            f"--since goes back at most {MAX_BACK.days} days; Toolforge does not keep logs longer"
        )
