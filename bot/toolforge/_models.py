"""What the Toolforge APIs return, parsed leniently into small frozen values.

Parsing never raises on a missing or oddly typed key: the APIs have changed
shape over the years (see toolforge-api.md §2.3) and a status command must
still show what it can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_RESTARTED = re.compile(r"restarted \((\d+)\)")

_BUILD_STATES = {
    "BUILD_SUCCESS": "ok",
    "BUILD_FAILURE": "error",
    "BUILD_RUNNING": "running",
    "BUILD_PENDING": "pending",
    "BUILD_CANCELLED": "cancelled",
    "BUILD_TIMEOUT": "timeout",
}


def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else str(value)


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value in (None, "") else str(value)


def _int(value: Any, default: int | None = None) -> int | None:
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _bool(value: Any) -> bool:
    """Booleans, plus the old API's ``"True"``/``"False"`` strings."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def _legacy_state(status_short: str) -> str:
    """Best guess of ``status.short`` from the deprecated ``status_short`` string."""
    text = status_short.lower()
    if text.startswith("running"):
        return "running"
    if text.startswith("completed"):
        return "succeeded"
    if text.startswith(("failed", "specified command fails")):
        return "failed"
    if text.startswith(("not running", "unable to start", "waiting")):
        return "pending"
    return "unknown"


def _job_type(data: dict[str, Any]) -> str:
    job_type = data.get("job_type")
    if job_type in ("continuous", "scheduled", "one-off"):
        return str(job_type)
    if _bool(data.get("continuous")):
        return "continuous"
    if data.get("schedule"):
        return "scheduled"
    return "one-off"


@dataclass(frozen=True, slots=True)
class Job:
    """One job of a tool, as the jobs API describes it."""

    name: str
    job_type: str = "one-off"
    image: str = ""
    image_state: str = "unknown"
    cmd: str = ""
    schedule: str | None = None
    schedule_actual: str | None = None
    state: str = "unknown"
    status_messages: tuple[str, ...] = ()
    duration: str = ""
    restarts: int = 0
    replicas: int | None = None
    port: int | None = None
    publish: bool = False
    filelog: bool = False
    mount: str = ""
    memory: str = ""
    cpu: str = ""
    emails: str = "none"
    up_to_date: bool = True
    previous_schedule: str | None = None  # scheduled jobs: when it last ran (None: never)
    next_schedule: str | None = None  # and when it runs next (None: never again)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_webservice(self) -> bool:
        """A continuous job published at ``https://<tool>.toolforge.org/``."""
        return self.job_type == "continuous" and self.publish

    @property
    def uses_build_service(self) -> bool:
        """True for images built by the build service (``tool-<tool>/<name>:<tag>``)."""
        return "/" in self.image and "docker-registry" not in self.image

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Job:
        status = data.get("status")
        status = status if isinstance(status, dict) else {}
        messages = status.get("messages")
        messages = tuple(str(m) for m in messages) if isinstance(messages, list) else ()
        state = _opt_str(status, "short") or _legacy_state(_str(data, "status_short"))
        restarts = 0
        for message in messages:
            found = _RESTARTED.search(message)
            if found:
                restarts = int(found.group(1))
        return cls(
            name=_str(data, "name"),
            job_type=_job_type(data),
            image=_str(data, "image") or _str(data, "imagename"),
            image_state=_str(data, "image_state", "unknown"),
            cmd=_str(data, "cmd"),
            schedule=_opt_str(data, "schedule"),
            schedule_actual=_opt_str(data, "schedule_actual"),
            state=state,
            status_messages=messages,
            duration=_str(status, "duration"),
            restarts=restarts,
            replicas=_int(data.get("replicas")),
            port=_int(data.get("port")),
            publish=data.get("publish") == "/" or data.get("publish") is True,
            filelog=_bool(data.get("filelog")),
            mount=_str(data, "mount"),
            memory=_str(data, "memory"),
            cpu=_str(data, "cpu"),
            emails=_str(data, "emails", "none"),
            up_to_date=_bool(status.get("up_to_date", True)),
            previous_schedule=_opt_str(status, "previous_schedule"),
            next_schedule=_opt_str(status, "next_schedule"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Build:
    """One build-service build (a Tekton PipelineRun)."""

    build_id: str
    status: str = "BUILD_UNKNOWN"
    message: str = ""
    start_time: str = ""
    end_time: str = ""
    source_url: str = ""
    ref: str = ""
    destination_image: str = ""
    resolved_ref: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def state(self) -> str:
        """The CLI's short word: ok, error, running, pending, cancelled, timeout, unknown."""
        return _BUILD_STATES.get(self.status, "unknown")

    @property
    def finished(self) -> bool:
        return self.state in ("ok", "error", "cancelled", "timeout")

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Build:
        params = data.get("parameters")
        params = params if isinstance(params, dict) else {}
        return cls(
            build_id=_str(data, "build_id"),
            status=_str(data, "status", "BUILD_UNKNOWN"),
            message=_str(data, "message"),
            start_time=_str(data, "start_time"),
            end_time=_str(data, "end_time"),
            source_url=_str(params, "source_url"),
            ref=_str(params, "ref"),
            destination_image=_str(data, "destination_image"),
            resolved_ref=_str(data, "resolved_ref"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log line of a job, from the logs API."""

    datetime: str
    pod: str
    container: str
    message: str

    @property
    def is_placeholder(self) -> bool:
        """The logs API's ``nopod``/``nocontainer`` entries (T410055) carry nothing useful."""
        return self.pod == "nopod" or self.container == "nocontainer"

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> LogEntry:
        return cls(
            datetime=_str(data, "datetime"),
            pod=_str(data, "pod"),
            container=_str(data, "container"),
            message=_str(data, "message"),
        )


_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 0.001}


def quantity(text: str) -> float | None:
    """A Kubernetes quantity as the quota API writes it (``8.0Gi``, ``0.5``, ``500m``)."""
    text = text.strip()
    suffix = next((s for s in _UNITS if text.endswith(s)), "")
    try:
        return float(text.removesuffix(suffix)) * _UNITS.get(suffix, 1)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class QuotaItem:
    """One line of ``toolforge jobs quota``: a category's item, its limit and what is used."""

    category: str
    name: str
    limit: str
    used: str | None

    @property
    def exhausted(self) -> bool:
        """Everything the limit allows is used (a new pod or job of this kind cannot start)."""
        limit = quantity(self.limit)
        used = quantity(self.used) if self.used is not None else None
        return limit is not None and used is not None and limit > 0 and used >= limit

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> list[QuotaItem]:
        quota = body.get("quota")
        categories = quota.get("categories") if isinstance(quota, dict) else None
        found: list[QuotaItem] = []
        for category in categories if isinstance(categories, list) else []:
            if not isinstance(category, dict) or not isinstance(category.get("items"), list):
                continue
            for item in category["items"]:
                if isinstance(item, dict):
                    used = item.get("used")
                    shown = None if used is None else str(used)
                    found.append(
                        cls(_str(category, "name"), _str(item, "name"), _str(item, "limit"), shown)
                    )
        return found
