"""The sandbox's world: tools with jobs, builds, logs and envvars, changed by API calls.

What lives in time (pods, runs, builds) is moved on by :mod:`._runtime` and
:mod:`._buildsim`; this module holds the records and the small helpers they share.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.toolforge.sandbox._classic import ClassicWeb

MAX_LOG_ENTRIES = 5000  # per job, so a long real-time demo stays small


class ApiError(Exception):
    """An error answer in the real API's shape: ``{"error": [message]}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> web.Response:
        return web.json_response({"error": [self.message]}, status=self.status)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fake_hex(seed: str, length: int) -> str:
    """Stable fake digests and git shas, so sample data looks the same every run."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


@dataclass
class Crash:
    """Why a job's container exits; it lasts while ``cause`` (image source and command) does."""

    cause: str
    exit_code: int = 1
    lines: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What a container does once started: exit after ``after`` seconds, or keep running."""

    exit_code: int | None
    after: float
    lines: tuple[str, ...] = ()
    exit_lines: tuple[str, ...] = ()


@dataclass
class Run:
    """A pod (continuous) or one run (one-off, scheduled) and where it is in its life."""

    started: datetime
    phase: str  # scheduling, initializing, running, backoff, succeeded, failed
    since: datetime
    pod: str
    restarts: int = 0
    exit_code: int | None = None
    attempt: int = 0
    outcome: Outcome | None = None
    message: str = ""  # a status hint such as "Unable to start, out of quota for memory"
    waiting: str = ""  # why the container does not start ('Back-off pulling image "..."')


@dataclass
class JobRecord:
    """A job as its owner defined it (``spec``) plus what the runtime is doing with it."""

    spec: dict[str, Any]
    created: datetime
    run: Run | None = None
    next_event: datetime | None = None
    last_schedule: datetime | None = None
    crash: Crash | None = None
    up_to_date: bool = True
    finished: datetime | None = None  # one-off jobs vanish 30 s after this
    pods_started: int = 0
    # (cause, address): the program listens there instead of 0.0.0.0:$PORT while its
    # image and command stay the same, so the web front cannot reach it.
    binds: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    @property
    def job_type(self) -> str:
        return str(self.spec["job_type"])


@dataclass
class Snapshot:
    """The repository a build used: its files (path -> text), if the sandbox could read them."""

    files: dict[str, str]

    @property
    def procfile(self) -> dict[str, str]:
        types: dict[str, str] = {}
        for line in self.files.get("Procfile", "").splitlines():
            name, sep, command = line.partition(":")
            if sep and name.strip() and not name.startswith("#"):
                types[name.strip()] = command.strip()
        return types


@dataclass
class BuildRecord:
    """One build; it moves pending -> running -> its ``final_status`` with the clock."""

    data: dict[str, Any]
    log: list[str]
    started: datetime
    final_status: str = "BUILD_SUCCESS"
    snapshot: Snapshot | None = None

    @property
    def build_id(self) -> str:
        return str(self.data["build_id"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    @property
    def finished(self) -> bool:
        return self.status not in ("BUILD_PENDING", "BUILD_RUNNING")

    @property
    def image_name(self) -> str:
        return str(self.data["parameters"]["image_name"])


@dataclass
class ToolState:
    name: str
    maintainers: list[str]
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    builds: list[BuildRecord] = field(default_factory=list)  # newest first
    logs: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # oldest first
    events: list[dict[str, Any]] = field(default_factory=list)  # the logs API's "jobs" source
    envvars: dict[str, str] = field(default_factory=dict)
    restarts: Counter[str] = field(default_factory=Counter)
    classic: ClassicWeb | None = None  # a web service started with `webservice <type> start`

    def log(self, job: str, moment: datetime, message: str, pod: str, container: str = "job"):
        entries = self.logs.setdefault(job, [])
        entries.append(
            {
                "pod": pod,
                "container": container,
                "datetime": moment.astimezone(UTC).replace(microsecond=0).isoformat(),
                "message": message,
            }
        )
        del entries[:-MAX_LOG_ENTRIES]

    def event(self, moment: datetime, kind: str, job: str, user: str, message: str = "") -> None:
        entry: dict[str, Any] = {
            "source": "jobs",
            "event_type": kind,
            "datetime": moment.astimezone(UTC).replace(microsecond=0).isoformat(),
            "job_name": job,
            "user_name": user,
        }
        if kind != "restarted":
            entry.update(message=message, message_format="text")
        self.events.append(entry)
        del self.events[:-MAX_LOG_ENTRIES]

    def successful_build(self, image_name: str) -> BuildRecord | None:
        """The newest successful build of ``tool-<tool>/<image_name>``."""
        for build in self.builds:
            if build.status == "BUILD_SUCCESS" and build.image_name == image_name:
                return build
        return None


@dataclass
class SandboxState:
    tools: dict[str, ToolState]
    accounts: dict[str, dict[str, Any]]
    secrets: list[str]
    log_page_size: int = 500
    front_faults: dict[str, str] = field(default_factory=dict)  # tool -> hang, loop, away

    def tool(self, name: str) -> ToolState:
        if name not in self.tools:
            raise ApiError(404, f"Tool '{name}' does not exist")
        return self.tools[name]


STATE = web.AppKey("sandbox_state", SandboxState)
