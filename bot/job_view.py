"""Neutral presentation of jobs and builds, shared by status, restart and migrate."""

from __future__ import annotations

from datetime import UTC, datetime

from cronsim import CronSim, CronSimError

from bot.reply import Badge, Inline, Tone
from bot.toolforge import Build, Job

_STATE_TONE = {
    "running": Tone.OK,
    "succeeded": Tone.OK,
    "pending": Tone.WARN,
    "failed": Tone.ERROR,
    "unknown": Tone.MUTED,
}

_KIND = {"continuous": "continuous", "scheduled": "scheduled", "one-off": "one-off"}


def job_badge(job: Job) -> Badge:
    """The job's state; a job that keeps restarting is called crash-looping."""
    if job.job_type == "continuous" and job.restarts >= 3 and job.state != "running":
        return Badge(f"crash-looping ({job.restarts} restarts)", Tone.ERROR)
    return Badge(job.state, _STATE_TONE.get(job.state, Tone.MUTED))


def image_cell(job: Job) -> Inline:
    if job.image_state == "deprecated":
        return Badge(f"{job.image} (deprecated)", Tone.WARN)
    return job.image


def schedule_cell(job: Job) -> str:
    if job.job_type != "scheduled":
        return ""
    if job.schedule_actual and job.schedule_actual != job.schedule:
        return f"{job.schedule} ({job.schedule_actual})"
    return job.schedule or ""


def next_run(job: Job, now: datetime) -> tuple[datetime | None, bool]:
    """When a scheduled job runs next, and whether forgebot computed it from the schedule.

    The jobs API says so itself (``status.next_schedule``) where it is recent
    enough; otherwise the real schedule (``schedule_actual``: a macro such as
    ``@daily`` becomes a time Toolforge picks per job) is evaluated in UTC.
    """
    if job.job_type != "scheduled":
        return None, False
    said = parse_time(job.next_schedule)
    if said is not None:
        return said, False
    expression = job.schedule_actual or job.schedule or ""
    if not expression or expression.startswith("@"):
        return None, False  # Toolforge picks the minute: unknown until it says
    try:
        return next(CronSim(expression, now.astimezone(UTC))), True
    except (CronSimError, StopIteration):
        return None, False


def parse_time(text: str | None) -> datetime | None:
    """An API time (``2026-12-02T05:22:00Z``) as an aware datetime; None if unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def runs_text(job: Job, now: datetime) -> str:
    """``last 2026-12-02 05:22 UTC, next 2026-12-03 05:22 UTC`` for a scheduled job."""
    if job.job_type != "scheduled":
        return ""
    last = parse_time(job.previous_schedule)
    upcoming, _ = next_run(job, now)
    said = [f"last {when(last)}" if last else "not run yet"]
    said.append(f"next {when(upcoming)}" if upcoming else "next run unknown")
    return ", ".join(said)


def kind_cell(job: Job) -> str:
    kind = _KIND.get(job.job_type, job.job_type)
    return "web" if job.is_webservice else kind


def build_badge(build: Build) -> Badge:
    tone = {"ok": Tone.OK, "error": Tone.ERROR, "timeout": Tone.ERROR}.get(build.state, Tone.INFO)
    return Badge(f"build {build.state}", tone)


def web_url(tool: str) -> str:
    return f"https://{tool}.toolforge.org/"


LOG_EXCERPT_LINES = 12


def failure_excerpt(lines: list[str]) -> tuple[str, ...]:
    """The lines that explain a failed build: the errors, else the end of the log."""
    errors = [line for line in lines if "error" in line.lower() or "fail" in line.lower()]
    chosen = errors or lines
    return tuple(chosen[-LOG_EXCERPT_LINES:])
