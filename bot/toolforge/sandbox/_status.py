"""A job's status as the jobs API reports it: ``status`` (v2) and the legacy strings.

Computed from the runtime's record at the clock's ``now``, with the texts of
tjf/runtimes/k8s/status.py and status_deprecated.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.toolforge.sandbox._cron import parse_schedule
from bot.toolforge.sandbox._state import JobRecord, Run, rfc3339


def format_duration(seconds: int) -> str:
    """The API's ``24d24h59m45s`` style (tjf/runtimes/k8s/utils.py)."""
    minutes, secs = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    value = ""
    if days > 0:
        value += f"{days}d"
    if hours > 0:
        value += f"{hours}h"
    if minutes > 0:
        value += f"{minutes}m"
    if (secs > 0 and days == 0) or value == "":
        value += f"{secs}s"
    return value


def _since(moment: datetime, now: datetime) -> str:
    return format_duration(int((now - moment).total_seconds()))


def _run_status(run: Run, now: datetime) -> dict[str, Any]:
    duration = _since(run.since, now)
    if run.message:
        return {"short": "failed", "messages": [run.message], "duration": duration}
    if run.phase == "scheduling":
        return {"short": "pending", "messages": ["scheduling"], "duration": duration}
    if run.phase == "initializing":
        messages = ["initializing", run.waiting] if run.waiting else ["initializing"]
        return {"short": "pending", "messages": messages, "duration": duration}
    if run.phase == "running":
        return {"short": "running", "messages": [], "duration": duration}
    if run.phase == "backoff":
        messages = [f"restarted ({run.restarts})", f"exitcode {run.exit_code}"]
        return {"short": "pending", "messages": messages, "duration": duration}
    if run.phase == "succeeded":
        return {"short": "succeeded", "messages": [], "duration": duration}
    return {"short": "failed", "messages": [f"exitcode {run.exit_code}"], "duration": duration}


def status(tool: str, record: JobRecord, now: datetime) -> dict[str, Any]:
    run = record.run
    if run is None:
        found: dict[str, Any] = {"short": "pending", "messages": [], "duration": ""}
        found["duration"] = _since(record.created, now)
    else:
        found = _run_status(run, now)
    found["up_to_date"] = record.up_to_date
    if record.job_type == "scheduled":
        schedule = parse_schedule(str(record.spec["schedule"]), tool, record.name)
        if record.last_schedule is not None:
            found["previous_schedule"] = rfc3339(record.last_schedule)
        upcoming = schedule.next_after(max(now, record.last_schedule or now))
        if upcoming is not None:
            found["next_schedule"] = rfc3339(upcoming)
    return found


def legacy_short(record: JobRecord, current: dict[str, Any]) -> str:
    """The deprecated ``status_short`` string."""
    short, run = current["short"], record.run
    if record.job_type == "scheduled" and short != "running":
        if record.last_schedule is not None:
            return f"Last schedule time: {rfc3339(record.last_schedule)}"
        return "Waiting for scheduled time"
    if short == "running":
        if record.job_type == "continuous":
            return "Running"
        return f"Running for {current['duration']}"
    if short == "pending":
        if run is not None and run.phase == "backoff":
            return "Not running"
        return "Not running" if record.job_type == "continuous" else "Pending"
    if short == "succeeded":
        return "Completed"
    if short == "failed":
        messages = current.get("messages") or []
        if messages and str(messages[0]).startswith("Unable to start"):
            return str(messages[0]).replace("limits.", "")
        return "Failed"
    return "Unknown"


_PHASES = {"scheduling": "Pending", "initializing": "Pending", "backoff": "Running",
           "running": "Running", "succeeded": "Succeeded", "failed": "Failed"}  # fmt: skip


def legacy_long(record: JobRecord, now: datetime) -> str:
    """The deprecated ``status_long`` sentence."""
    run = record.run
    if run is None:
        return "No pods were created for this job."
    phase = _PHASES[run.phase]
    text = f"Last run at {rfc3339(run.started)}. Pod in '{phase}' phase."
    if run.restarts:
        text += f" Pod has been restarted {run.restarts} times."
    if run.phase == "running":
        text += f" State 'running'. Started at '{rfc3339(run.since)}'."
    elif run.phase == "backoff":
        text += " State 'waiting'. Reason 'CrashLoopBackOff'."
    elif run.phase in ("succeeded", "failed"):
        reason = "Completed" if run.phase == "succeeded" else "Error"
        text += f" State 'terminated'. Reason '{reason}'. Finished at '{rfc3339(run.since)}'."
        text += f" Exit code '{run.exit_code}'."
    return text
