"""The sandbox's world: sample tools loaded from TOML, changed by API calls."""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

DEFAULT_DATA = Path(__file__).with_name("tools.toml")
_LOG_EPOCH = datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)


class ApiError(Exception):
    """An error answer in the real API's shape: ``{"error": [message]}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> web.Response:
        return web.json_response({"error": [self.message]}, status=self.status)


def utcnow() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def fake_hex(seed: str, length: int) -> str:
    """Stable fake digests and git shas, so sample data looks the same every run."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


@dataclass
class JobRecord:
    """A job as its owner defined it (``spec``) plus what the runtime says about it."""

    spec: dict[str, Any]
    status: dict[str, Any]
    status_short: str | None = None


@dataclass
class BuildRecord:
    """One build; ``stage`` 0 pending, 1 running, 2 finished (see ``SandboxState.refresh``)."""

    data: dict[str, Any]
    log: list[str]
    final_status: str = "BUILD_SUCCESS"
    stage: int = 2
    started: datetime = field(default_factory=utcnow)

    @property
    def build_id(self) -> str:
        return str(self.data["build_id"])

    @property
    def finished(self) -> bool:
        return self.data["status"] not in ("BUILD_PENDING", "BUILD_RUNNING")


@dataclass
class ToolState:
    name: str
    maintainers: list[str]
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    builds: list[BuildRecord] = field(default_factory=list)  # newest first
    logs: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # oldest first
    envvars: dict[str, str] = field(default_factory=dict)
    restarts: Counter[str] = field(default_factory=Counter)

    def add_logs(self, job: str, items: list[Any]) -> None:
        """Append entries; a string is a message, a table may set pod and container."""
        entries = self.logs.setdefault(job, [])
        kind = self.jobs[job].spec.get("job_type") if job in self.jobs else None
        pod = f"{job}-5c858fb978-{fake_hex(self.name + job, 5)}"
        if kind == "scheduled":
            pod = f"{job}-29012345-{fake_hex(job + self.name, 5)}"
        for item in items:
            fields = item if isinstance(item, dict) else {"message": str(item)}
            when = _LOG_EPOCH + timedelta(seconds=7 * len(entries))
            entries.append(
                {
                    "pod": str(fields.get("pod", pod)),
                    "container": str(fields.get("container", "job")),
                    "datetime": when.isoformat(),
                    "message": str(fields.get("message", "")),
                }
            )


@dataclass
class SandboxState:
    tools: dict[str, ToolState]
    accounts: dict[str, dict[str, Any]]
    secrets: list[str]
    build_step_seconds: float | None = None
    log_page_size: int = 500

    def tool(self, name: str) -> ToolState:
        if name not in self.tools:
            raise ApiError(404, f"Tool '{name}' does not exist")
        return self.tools[name]

    def refresh(self, now: datetime | None = None) -> None:
        """Let started builds progress with time (only when ``build_step_seconds`` is set)."""
        if not self.build_step_seconds:
            return
        now = now or utcnow()
        for tool in self.tools.values():
            for build in tool.builds:
                elapsed = (now - build.started).total_seconds()
                set_stage(build, max(build.stage, int(elapsed / self.build_step_seconds)))


_BUILD_MESSAGES = {
    "BUILD_PENDING": "build status is pending and it might not have started running yet. "
    "Check the logs with `toolforge build logs {id}`",
    "BUILD_RUNNING": "Not all Tasks have completed executing",
    "BUILD_SUCCESS": "Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0",
    "BUILD_FAILURE": "Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0. "
    "Check the logs with `toolforge build logs {id}`",
    "BUILD_CANCELLED": "PipelineRun was cancelled",
}


def build_message(status: str, build_id: str) -> str:
    return _BUILD_MESSAGES.get(status, "").format(id=build_id)


def set_stage(build: BuildRecord, stage: int) -> None:
    """Move a started build forward: pending -> running -> its final status."""
    stage = min(stage, 2)
    if build.finished or stage <= build.stage:
        return
    build.stage = stage
    status = "BUILD_RUNNING" if stage == 1 else build.final_status
    build.data["status"] = status
    build.data["message"] = build_message(status, build.build_id)
    if stage == 2:
        build.data["end_time"] = rfc3339(utcnow())
        if status == "BUILD_SUCCESS":
            build.data["destination_image"] += "@sha256:" + fake_hex(build.build_id, 64)


def build_from_toml(tool: str, item: dict[str, Any]) -> BuildRecord:
    build_id = str(item["build_id"])
    status = str(item.get("status", "BUILD_SUCCESS"))
    image_name = str(item.get("image_name", f"tool-{tool}"))
    image = f"tools-harbor.wmcloud.org/tool-{tool}/{image_name}:latest"
    if status == "BUILD_SUCCESS":
        image += "@sha256:" + fake_hex(build_id, 64)
    data = {
        "build_id": build_id,
        "start_time": str(item.get("start_time", "")),
        "end_time": str(item.get("end_time", "")),
        "status": status,
        "message": str(item.get("message") or build_message(status, build_id)),
        "parameters": {
            "source_url": str(item.get("source_url", "")),
            "ref": str(item.get("ref", "")),
            "envvars": {},
            "image_name": image_name,
            "use_latest_versions": False,
            "use_deprecated_versions": False,
        },
        "destination_image": image,
        "resolved_ref": fake_hex(build_id + "ref", 40),
    }
    stage = {"BUILD_PENDING": 0, "BUILD_RUNNING": 1}.get(status, 2)
    return BuildRecord(data=data, log=[str(line) for line in item.get("log", [])], stage=stage)


def load_state(path: Path | None = None) -> SandboxState:
    with (path or DEFAULT_DATA).open("rb") as handle:
        raw = tomllib.load(handle)
    tools: dict[str, ToolState] = {}
    for name, data in raw.get("tools", {}).items():
        tool = ToolState(name=name, maintainers=list(data.get("maintainers", [])))
        for job in data.get("jobs", []):
            spec = {k: v for k, v in job.items() if k not in ("status", "status_short")}
            status = {"short": "unknown", "duration": "", "messages": [], "up_to_date": True}
            status.update(job.get("status", {}))
            tool.jobs[spec["name"]] = JobRecord(spec, status, job.get("status_short"))
        builds = [build_from_toml(name, item) for item in data.get("builds", [])]
        tool.builds = sorted(builds, key=lambda b: str(b.data["start_time"]), reverse=True)
        for job, items in data.get("logs", {}).items():
            tool.add_logs(job, list(items))
        tool.envvars = {str(k): str(v) for k, v in data.get("envvars", {}).items()}
        tools[name] = tool
    return SandboxState(
        tools=tools,
        accounts=dict(raw.get("accounts", {})),
        secrets=[str(s) for s in raw.get("secrets", {}).get("values", [])],
    )


STATE = web.AppKey("sandbox_state", SandboxState)
