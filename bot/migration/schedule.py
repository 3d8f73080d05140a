"""Cron schedules as the jobs API accepts them (5 fields or a macro, UTC)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MACROS = ("@hourly", "@daily", "@weekly", "@monthly", "@yearly")
# cron spellings the API does not know but that mean the same thing
MACRO_ALIASES = {"@midnight": "@daily", "@annually": "@yearly"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_FIELD_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class Schedule:
    """``value`` is what to write in jobs.yaml, ``None`` if nothing acceptable exists.

    ``problems`` are sentences for the user; ``changed`` says the value was rewritten.
    """

    value: str | None
    problems: tuple[str, ...] = ()
    changed: bool = False


def normalise(raw: str) -> Schedule:
    text = raw.strip()
    lowered = text.lower()
    if lowered.startswith("@"):
        return _macro(lowered)
    fields = text.split()
    if len(fields) != 5:
        return Schedule(
            None, (f"'{text}' does not have the 5 cron fields the jobs framework needs",)
        )
    out: list[str] = []
    problems: list[str] = []
    for index, field in enumerate(fields):
        value, problem = _field(field, index)
        out.append(value)
        if problem:
            problems.append(problem)
    value = " ".join(out)
    never = None if problems else _never_fires(out)
    if never:
        problems.append(never)
    if problems:
        return Schedule(None, tuple(problems))
    return Schedule(value, (), value != text)


def _never_fires(fields: list[str]) -> str | None:
    """A day of the month that none of the months has (``30 2``): cron accepts it, and
    the job never runs. (With a day of the week too, cron runs it on those days.)"""
    day, month, weekday = fields[2], fields[3], fields[4]
    if day == "*" or weekday != "*":
        return None
    longest = max(_DAYS_IN_MONTH[m - 1] for m in _values(month, 3))
    if min(_values(day, 2)) <= longest:
        return None
    return f"day of month '{day}' never comes in month '{month}': the job would never run"


def _values(field: str, index: int) -> set[int]:
    """The numbers a normalised field stands for (``*/15``, ``1-5``, ``3/10``, lists)."""
    low, high = _RANGES[index]
    found: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        first, _, last = base.partition("-")
        start = low if first == "*" else int(first)
        stop = int(last) if last else (high if first == "*" or step else start)
        found.update(range(start, stop + 1, int(step or 1)))
    return found


def _macro(text: str) -> Schedule:
    if text in MACROS:
        return Schedule(text)
    if text in MACRO_ALIASES:
        return Schedule(MACRO_ALIASES[text], (), True)
    if text == "@reboot":
        return Schedule(None, ("@reboot has no equivalent: there is no machine that boots",))
    return Schedule(None, (f"unknown cron macro {text}",))


def _field(field: str, index: int) -> tuple[str, str | None]:
    low, high = _RANGES[index]
    name = _FIELD_NAMES[index]
    parts = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            return field, f"{name} '{field}': step '{step}' is not a number"
        if step and int(step) < 1:
            return field, f"{name} '{field}': a step must be at least 1"
        if step and "-" in base:
            expanded = _expand_stepped_range(base, int(step), index)
            if expanded is None:
                why = _BACKWARDS if _backwards(base, index) else "is not understood"
                return field, f"{name} '{field}' {why}"
            parts.append(expanded)
            continue
        words = base.split("-")
        if len(words) > 2:
            return field, f"{name} '{field}' is not a value or a range"
        numbers = []
        for word in words:
            number = _number(word.lower(), index)
            if number is None:
                return field, f"{name} '{field}' is not understood"
            if number != "*" and not low <= int(number) <= high:
                return field, f"{name} '{field}' is outside {low}-{high}"
            numbers.append(number)
        if "*" in numbers and len(numbers) > 1:
            return field, f"{name} '{field}' is not understood"
        if _backwards(base, index):
            # cron refuses it (a crontab line with it never ran), and the jobs API too
            return field, f"{name} '{field}' {_BACKWARDS}"
        parts.append("-".join(numbers) + (f"/{step}" if step else ""))
    return ",".join(parts), None


_BACKWARDS = "is a range that runs backwards; write it as a list"


def _backwards(base: str, index: int) -> bool:
    """Whether ``base`` is a range from a higher number to a lower one (``10-1``)."""
    first, dash, last = base.partition("-")
    start, stop = _number(first.lower(), index), _number(last.lower(), index)
    if not dash or start in (None, "*") or stop in (None, "*"):
        return False
    return int(start) > int(stop)  # type: ignore[arg-type]


def _expand_stepped_range(base: str, step: int, index: int) -> str | None:
    """``1-10/2`` -> ``1,3,5,7,9``: the API rejects a step on a range but takes a list."""
    first, _, last = base.partition("-")
    start, stop = _number(first.lower(), index), _number(last.lower(), index)
    low, high = _RANGES[index]
    if start in (None, "*") or stop in (None, "*") or step < 1:
        return None
    a, b = int(start), int(stop)  # type: ignore[arg-type]
    if not (low <= a <= b <= high):
        return None  # out of range, or backwards (10-1/2)
    return ",".join(str(v) for v in range(a, b + 1, step))


def _number(word: str, index: int) -> str | None:
    if word == "*":
        return "*"
    if word.isdigit():
        return str(int(word))
    # The API takes day names but not month names; numbers are safe for both.
    if index == 3 and word in _MONTHS:
        return str(_MONTHS.index(word) + 1)
    if index == 4 and word in _DAYS:
        return str(_DAYS.index(word))
    return None


def looks_like_schedule(words: list[str]) -> bool:
    """Whether a crontab line starts with 5 time fields."""
    return len(words) >= 5 and all(re.match(r"^[\w*,/-]+$", w) for w in words[:5])
