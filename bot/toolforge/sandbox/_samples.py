"""The sample tools of ``tools.toml`` turned into a running world at the clock's start.

Each job's ``status`` in the file says where it is when the sandbox starts:
running for a while, crash-looping (with the ``crash`` that causes it),
finished at its last schedule. Sample log lines end just before the start,
inside the logs API's default one-hour window.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.toolforge.sandbox import _buildsim, _images
from bot.toolforge.sandbox._classic import ClassicWeb
from bot.toolforge.sandbox._cron import parse_schedule
from bot.toolforge.sandbox._jobspec import normalise
from bot.toolforge.sandbox._newjob import parse_new_job
from bot.toolforge.sandbox._runtime import HEARTBEAT, PULL_RETRY, Runtime, backoff, pod_name
from bot.toolforge.sandbox._state import (
    BuildRecord,
    Crash,
    JobRecord,
    Outcome,
    Run,
    SandboxState,
    ToolState,
    fake_hex,
)

DEFAULT_DATA = Path(__file__).with_name("tools.toml")
_DURATION = re.compile(r"(\d+)([dhms])")
_EXIT = re.compile(r"exitcode (\d+)")
_RESTARTED = re.compile(r"restarted \((\d+)\)")


def _seconds(duration: str) -> int:
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in _DURATION.findall(duration))


def _build(tool: str, item: dict[str, Any]) -> BuildRecord:
    build_id = str(item["build_id"])
    status = str(item.get("status", "BUILD_SUCCESS"))
    image_name = str(item.get("image_name", f"tool-{tool}"))
    image = f"{_images.HARBOR}/tool-{tool}/{image_name}:latest"
    if status == "BUILD_SUCCESS":
        image += "@sha256:" + fake_hex(build_id, 64)
    start = str(item.get("start_time", "2026-11-01T00:00:00Z"))
    data = {
        "build_id": build_id, "start_time": start, "end_time": str(item.get("end_time", "")),
        "status": status,
        "message": str(item.get("message") or _buildsim.build_message(status, build_id)),
        "parameters": {
            "source_url": str(item.get("source_url", "")), "ref": str(item.get("ref", "")),
            "envvars": {}, "image_name": image_name, "use_latest_versions": False,
            "use_deprecated_versions": False,
        },
        "destination_image": image, "resolved_ref": fake_hex(build_id + "ref", 40),
    }  # fmt: skip
    started = datetime.fromisoformat(start.replace("Z", "+00:00"))
    log = [str(line) for line in item.get("log", [])]
    return BuildRecord(data, log, started=started, final_status=status)


def _job(state: SandboxState, tool: ToolState, item: dict[str, Any], now: datetime) -> JobRecord:
    raw = {k: v for k, v in item.items() if k not in ("status", "status_short", "crash", "listens")}
    spec = normalise(parse_new_job(raw))
    record = JobRecord(spec, created=now - timedelta(days=30))
    status = dict(item.get("status", {}))
    record.up_to_date = bool(status.get("up_to_date", True))
    short = str(status.get("short", "running"))
    messages = [str(m) for m in status.get("messages", [])]
    since = now - timedelta(seconds=_seconds(str(status.get("duration", "0s"))))
    exit_found = next((int(m.group(1)) for m in map(_EXIT.search, messages) if m), None)
    image = _images.resolve(state, str(spec["imagename"]))
    if "crash" in item:
        crash = item["crash"]
        record.crash = Crash(
            cause=f"{image.source}|{spec['cmd']}",
            exit_code=int(crash.get("exit_code", 1)),
            lines=tuple(str(line) for line in crash.get("lines", [])),
        )
    if "listens" in item:  # a program that listens on the wrong address (see the front)
        record.binds = (f"{image.source}|{spec['cmd']}", str(item["listens"]))
    record.pods_started = 1
    run = Run(started=since, phase="running", since=since, pod=pod_name(tool, record, since))
    record.run = run
    if record.job_type == "scheduled":
        schedule = parse_schedule(str(spec["schedule"]), tool.name, record.name)
        last = schedule.previous_before(now)
        record.last_schedule = last
        record.next_event = schedule.next_after(now)
        if last is not None:  # its last run: the one at its last scheduled time
            run.started = last
            since = min(now, last + timedelta(seconds=_seconds(str(status.get("duration", "")))))
            run.since = since
        else:  # its schedule has not fired since it was created: no run yet
            record.run = None
            return record
    pull_error = Runtime(state).pull_error(record)
    if pull_error:
        run.phase, run.waiting = "initializing", pull_error
        record.next_event = now + timedelta(seconds=PULL_RETRY)
    elif messages and messages[0].startswith("Unable to start"):
        run.phase, run.message = "failed", messages[0]
    elif short == "running":
        run.outcome = Outcome(exit_code=None, after=0.0)
        if record.job_type == "continuous" and spec.get("health_check"):
            record.next_event = now + timedelta(seconds=HEARTBEAT)
    elif short == "pending" and record.crash is not None:
        restarts = next((int(m.group(1)) for m in map(_RESTARTED.search, messages) if m), 1)
        run.phase, run.restarts, run.exit_code = "backoff", restarts, record.crash.exit_code
        run.outcome = Outcome(record.crash.exit_code, 2.0, exit_lines=record.crash.lines)
        record.next_event = since + timedelta(seconds=backoff(restarts))
    elif short in ("succeeded", "failed"):
        run.phase = short
        run.exit_code = 0 if short == "succeeded" else (exit_found or 1)
        if record.job_type == "one-off":
            # it has just ended: like every finished one-off job, it is gone 30 s later
            run.since = now
            record.finished = now
            record.next_event = now + timedelta(seconds=30)
    return record


def load_state(path: Path | None, now: datetime, runtime_factory: type[Runtime] = Runtime):
    """The world of ``path`` (default: the samples) as it stands at ``now``."""
    with (path or DEFAULT_DATA).open("rb") as handle:
        raw = tomllib.load(handle)
    state = SandboxState(
        tools={},
        accounts=dict(raw.get("accounts", {})),
        secrets=[str(s) for s in raw.get("secrets", {}).get("values", [])],
    )
    for name, data in raw.get("tools", {}).items():
        tool = ToolState(name=name, maintainers=list(data.get("maintainers", [])))
        builds = [_build(name, item) for item in data.get("builds", [])]
        tool.builds = sorted(builds, key=lambda b: str(b.data["start_time"]), reverse=True)
        state.tools[name] = tool
    for name, data in raw.get("tools", {}).items():
        tool = state.tools[name]
        for item in data.get("jobs", []):
            record = _job(state, tool, item, now)
            tool.jobs[record.name] = record
        for job, items in data.get("logs", {}).items():
            run = tool.jobs[job].run if job in tool.jobs else None
            pod = run.pod if run is not None else job
            for index, entry in enumerate(items):
                fields = entry if isinstance(entry, dict) else {"message": str(entry)}
                moment = now - timedelta(seconds=7 * (len(items) - index))
                tool.log(
                    job, moment, str(fields.get("message", "")),
                    str(fields.get("pod", pod)), str(fields.get("container", "job")),
                )  # fmt: skip
        tool.envvars = {str(k): str(v) for k, v in data.get("envvars", {}).items()}
        if "webservice" in data:
            tool.classic = _classic_web(name, data["webservice"], now)
    return state, runtime_factory(state)


def _classic_web(tool: str, item: dict[str, Any], now: datetime) -> ClassicWeb:
    """A classic web service, its pods created ``status.duration`` before ``now``."""
    status = dict(item.get("status", {}))
    since = now - timedelta(seconds=_seconds(str(status.get("duration", "1d"))))
    crash = item.get("crash")
    exits = (int(crash.get("exit_code", 1)), str(crash.get("reason", "Error"))) if crash else None
    web = ClassicWeb(
        tool=tool, wstype=str(item.get("type", "python3.11")),
        replicas=int(item.get("replicas", 1)), memory=str(item.get("memory", "512Mi")),
        cpu=str(item.get("cpu", "500m")), created=now - timedelta(days=60),
        crash=exits,
        pull_error=str(item.get("pull_error", "")), listens=str(item.get("listens", "")),
    )  # fmt: skip
    for _ in range(web.replicas):
        web.new_pod(since)
    return web
