"""Schedules the way the jobs API reads them (tjf/core/cron.py), and when they fire.

The error texts are the real service's: a field error is raised as
``Unable to parse cron expression "<field>": <why>`` and the API wraps it as
``Unable to parse cron expression "<schedule>" (<field error>)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_WEEKDAYS = {"7": "0", "sun": "0", "mon": "1", "tue": "2", "wed": "3", "thu": "4", "fri": "5",
             "sat": "6"}  # fmt: skip
_SEARCH_DAYS = 4 * 366


class CronError(ValueError):
    """A schedule the jobs API refuses; the message is the API's own."""


def _fail(value: str, why: str) -> CronError:
    return CronError(f'Unable to parse cron expression "{value}": {why}')


def _integer(text: str, value: str, what: str | None = None) -> int:
    try:
        return int(text)
    except ValueError:
        raise _fail(value, f"Unable to parse '{what or text}' as an integer") from None


def _values(value: str, index: int) -> set[int]:
    """The values one field allows, checked like the API checks them."""
    low, high = _RANGES[index]
    allowed: set[int] = set()
    for entry in value.split(","):
        step: str | None = None
        if "-" in entry and "/" in entry:
            raise _fail(value, "Step syntax is not supported with ranges")
        if "/" in entry:
            entry, step = entry.split("/", 1)
        if "-" in entry:
            start_text, end_text = entry.split("-", 1)
            start, end = _integer(start_text, value), _integer(end_text, value)
            if start > end:
                raise _fail(value, f"End value {end} must be smaller than start value {start}")
            if start < low:
                raise _fail(value, f"Start value {start} must be at least {low}")
            if end > high:
                raise _fail(value, f"End value {end} must be at most {high}")
            first, last = start, end
        elif entry == "*":
            first, last = low, high
        else:
            entry = _WEEKDAYS.get(entry, entry) if index == 4 else entry
            number = _integer(entry, value)
            if number < low or number > high:
                raise _fail(value, f"Invalid value '{entry}', expected {low}-{high}")
            first, last = number, high if step else number
        stride = 1
        if step is not None:
            stride = _integer(step, value, f"{step}' (from '{entry}")
            if stride == 0 or stride < low or stride > high:
                raise _fail(value, f"Invalid step value in '{entry}'")
        allowed.update(range(first, last + 1, stride))
    return allowed


@dataclass(frozen=True)
class Schedule:
    text: str  # as the user wrote it
    actual: str  # five fields, macros resolved
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    def next_after(self, moment: datetime) -> datetime | None:
        """The first time after ``moment`` the schedule fires (UTC, whole minutes)."""
        start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(_SEARCH_DAYS):
            if day.month in self.months and self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        return None

    def previous_before(self, moment: datetime) -> datetime | None:
        """The last time at or before ``moment`` the schedule fired (within a few years)."""
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        for _ in range(_SEARCH_DAYS):
            if day.month in self.months and self._day_matches(day):
                for hour in sorted(self.hours, reverse=True):
                    for minute in sorted(self.minutes, reverse=True):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate <= moment:
                            return candidate
            day -= timedelta(days=1)
        return None

    def _day_matches(self, day: datetime) -> bool:
        weekday = (day.weekday() + 1) % 7  # cron counts from Sunday
        by_day, by_weekday = day.day in self.days, weekday in self.weekdays
        if self.any_day or self.any_weekday:
            return by_day and by_weekday
        return by_day or by_weekday  # both restricted: either one, as cron does


def parse_schedule(text: str, tool: str, job: str) -> Schedule:
    """Parse like ``CronExpression.parse``; raises :class:`CronError` with the API's text."""
    if text.startswith("@"):
        mapped = MACROS.get(text)
        if mapped is None:
            raise _fail(
                text, f"Invalid at-macro '{text}', supported macros are: {', '.join(MACROS)}"
            )
        # The API seeds Python's random with "<tool> <job>": the same job keeps its minute.
        rng = random.Random(f"{tool} {job}")
        parts = mapped.split(" ")
        for index, (low, high) in enumerate(_RANGES):
            if parts[index] != "*":
                parts[index] = str(rng.randint(low, high))
    else:
        parts = [part for part in text.lower().split(" ") if part != ""]
        if len(parts) != 5:
            raise _fail(text, f"Expected to find 5 space-separated values, found {len(parts)}")
    minutes, hours, days, months, weekdays = (
        frozenset(_values(part, index)) for index, part in enumerate(parts)
    )
    return Schedule(
        text, " ".join(parts), minutes, hours, days, months, weekdays,
        any_day=parts[2] == "*", any_weekday=parts[4] == "*",
    )  # fmt: skip


def api_error(text: str, error: CronError) -> str:
    """The message of the API's 400 answer for a schedule it cannot parse."""
    return f'Unable to parse cron expression "{text}" ({error})'
