"""Neutral presentation of jobs and builds, shared by status, restart and migrate."""

from __future__ import annotations

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
