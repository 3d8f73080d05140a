"""Every schedule the migration writes is one cron accepts, with cronsim as the oracle.

A crontab line is whatever a tool's maintainer once typed: numbers out of
range, names, steps, lists, ranges written backwards, macros. The migration
either writes a schedule that a kept cron library accepts (five fields or one
of the jobs API's macros) and that fires exactly when the original did, or
writes none and says why (the job is left out of jobs.yaml with a warning).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import yaml
from cronsim import CronSim, CronSimError
from hypothesis import example, given
from hypothesis import strategies as st

from bot.migration.jobsyaml import render
from bot.migration.model import Severity
from bot.migration.schedule import MACRO_ALIASES, MACROS, Schedule, normalise
from bot.migration.translate import translate_grid

START = datetime(2024, 1, 1, tzinfo=UTC)
_NAMES = ("jan", "Feb", "MAR", "dec", "sun", "Mon", "sat", "fri", "xyz", "")


def _atom(high: int) -> st.SearchStrategy[str]:
    number = st.integers(0, high + 3).map(str)
    return st.one_of(st.just("*"), number, st.sampled_from(_NAMES))


@st.composite
def cron_field(draw: st.DrawFn, high: int) -> str:
    """One field as people write them, valid or not: 5, */15, 10-1/2, mon-fri, 1,15,..."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        part = draw(_atom(high))
        if draw(st.booleans()):
            part += "-" + draw(_atom(high))
        if draw(st.integers(0, 3)) == 0:
            part += "/" + draw(st.sampled_from(["0", "1", "2", "7", "40", "x", ""]))
        parts.append(part)
    return ",".join(parts)


HIGHS = (59, 23, 31, 12, 7)
crontab_schedule = st.one_of(
    st.tuples(*(cron_field(h) for h in HIGHS)).map(" ".join),
    st.sampled_from([*MACROS, *MACRO_ALIASES, "@reboot", "@every", "@HOURLY"]),
)


def accepted_by_cron(schedule: str) -> bool:
    if schedule in MACROS:
        return True
    if len(schedule.split()) != 5:
        return False
    try:
        CronSim(schedule, START)
    except CronSimError:
        return False
    return True


def firings(schedule: str, count: int = 12) -> list[datetime]:
    it = CronSim(schedule, START)
    return [next(it) for _ in range(count)]


@given(crontab_schedule)
@example("10-1/2 * * * *")
@example("10-1 * * * *")
@example("0 0 * * sat-sun")
@example("0 0 30 2 *")
@example("0 0 31 2-4/2 *")
@example("1-10/2 * * * *")
@example("0 0 31 */2 *")
@example("0 0 30 2/12 *")
@example("0 0 31 4-6 *")
@example("0 0 31 4,6,9,11 *")
@example("0 0 30-31 2 *")
@example("0 0 5/30 2 *")
@example("0 0 30/5 2 *")
@example("0 0 */40 2 *")
@example("0 0 31 4/2 *")  # April, June, ..., August has a 31st
@example("0 0 1 jan-jun/2 *")
@example("0 0 * * mon-fri/2")
@example("*-5/2 * * * *")
@example("0 0 * * sat-mon/2")
@example("1-2-3 * * * *")
@example("*-5 * * * *")
@example("*/1 * * * *")
@example("1-5/1 * * * *")
@example("50-59/5 * * * *")
@example("1-10/3,30 * * * *")
def test_a_schedule_is_valid_cron_and_keeps_its_meaning_or_is_refused_with_a_reason(
    raw: str,
) -> None:
    schedule = normalise(raw)
    if schedule.value is None:
        assert schedule.problems and all(p.strip() for p in schedule.problems), raw
        # Refused only what cron itself refuses (or macros the API lacks, like @reboot).
        assert raw.startswith("@") or not accepted_by_cron_input(raw), (raw, schedule)
        return
    assert schedule.problems == ()
    assert accepted_by_cron(schedule.value), f"{raw!r} became {schedule.value!r}"
    if (
        not schedule.value.startswith("@")
        and accepted_by_cron_input(raw)
        and not _ONE_VALUE_STEPPED.search(raw)
    ):
        assert firings(schedule.value) == firings(raw), f"{raw!r} -> {schedule.value!r}"


# cronsim reads a stepped range of one value (``5-5/2``) as from 5 to the field's end;
# cron (Vixie, the grid's) as 5 alone, which is what the migration writes: no oracle there.
_ONE_VALUE_STEPPED = re.compile(r"(?:^|[ ,])(\w+)-\1/", re.I)


def accepted_by_cron_input(raw: str) -> bool:
    try:
        CronSim(raw, START)
    except (CronSimError, ValueError, IndexError):
        return False
    return True


@given(crontab_schedule)
def test_jobs_yaml_holds_only_valid_schedules_and_a_refused_one_is_said(raw: str) -> None:
    translation = translate_grid(f"{raw} jsub -once -N nightly python3 $HOME/run.py\n")
    written = yaml.safe_load(render(translation.jobs)) or []
    schedules = [job["schedule"] for job in written if "schedule" in job]
    assert all(accepted_by_cron(s) for s in schedules), (raw, schedules)
    if not schedules:
        warned = [n for n in translation.notes if n.severity is Severity.WARNING]
        assert warned, f"{raw!r} gave no schedule and no warning"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("10-1/2 * * * *", "minute '10-1/2' is a range that runs backwards; write it as a list"),
        ("10-1 * * * *", "minute '10-1' is a range that runs backwards; write it as a list"),
        ("0 0 * * sat-sun", "day of week 'sat-sun' is a range that runs backwards; write it "
         "as a list"),
        ("0 0 30 2 *", "day of month '30' never comes in month '2': the job would never run"),
        ("0 0 31 4,6 *", "day of month '31' never comes in month '4,6': the job would never run"),
        ("0 0 * * sat-mon/2", "day of week 'sat-mon/2' is a range that runs backwards; write "
         "it as a list"),
        ("*-5/2 * * * *", "minute '*-5/2' is not understood"),
        ("*-5 * * * *", "minute '*-5' is not understood"),
        ("1-2-3 * * * *", "minute '1-2-3' is not a value or a range"),
    ],
)  # fmt: skip
def test_schedules_cron_would_refuse_or_never_fire_are_refused_with_why(
    raw: str, problem: str
) -> None:
    assert normalise(raw).problems == (problem,)
    translation = translate_grid(f"{raw} jsub -once -N nightly python3 run.py\n")
    assert render(translation.jobs) == "---\n# left out until their schedule is fixed: nightly\n"
    assert any(
        problem in n.message for n in translation.notes if n.problem == "schedule-unsupported"
    )


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("0 0 31 2 1", "0 0 31 2 1"),  # also every Monday of February: it does fire
        ("0 0 29 2 *", "0 0 29 2 *"),  # leap years
        ("0 0 1,31 2 *", "0 0 1,31 2 *"),
        ("5-5 * * * *", "5-5 * * * *"),
        ("1-10/2 * * * *", "1,3,5,7,9 * * * *"),
        ("0 0 * * sun-sat", "0 0 * * 0-6"),
        ("*/1 * * * *", "*/1 * * * *"),
        ("1-5/1 * * * *", "1,2,3,4,5 * * * *"),
        ("5-5/2 * * * *", "5 * * * *"),  # as cron reads it (cronsim: 5,7,...,59)
        ("50-59/5 * * * *", "50,55 * * * *"),  # up to the field's last value
        ("1-10/3,30 * * * *", "1,4,7,10,30 * * * *"),  # the list goes on after a range
    ],
)
def test_schedules_that_fire_are_kept(raw: str, value: str) -> None:
    assert normalise(raw).value == value


@pytest.mark.parametrize(
    ("raw", "value", "problems", "changed"),
    [
        ("@daily", "@daily", (), False),
        ("@HOURLY", "@hourly", (), False),
        ("@midnight", "@daily", (), True),
        ("@annually", "@yearly", (), True),
        ("@reboot", None, ("@reboot has no equivalent: there is no machine that boots",), False),
        ("@every", None, ("unknown cron macro @every",), False),
    ],
)
def test_macros_are_kept_renamed_or_refused_with_why(
    raw: str, value: str | None, problems: tuple[str, ...], changed: bool
) -> None:
    assert normalise(raw) == Schedule(value, problems, changed)


@pytest.mark.parametrize("raw", ["* * * * * *", "0 0 * *"])
def test_a_schedule_without_five_fields_is_refused_with_why(raw: str) -> None:
    assert normalise(raw) == Schedule(
        None, (f"'{raw}' does not have the 5 cron fields the jobs framework needs",)
    )


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("0 0 * * mon-fri", "0 0 * * 1-5"),
        ("1-10/3 * * * *", "1,4,7,10 * * * *"),
        ("0 0 * * 1-5", "0 0 * * 1-5"),
    ],
)
def test_a_rewritten_schedule_is_said_and_an_unchanged_one_is_not(raw: str, written: str) -> None:
    translation = translate_grid(f"{raw} jsub -once -N nightly ./nightly.sh\n")
    (job,) = yaml.safe_load(render(translation.jobs))
    assert job["schedule"] == written
    said = [n.message for n in translation.notes if n.message.startswith("schedule rewritten")]
    assert said == ([] if written == raw else [f"schedule rewritten as '{written}'"])
