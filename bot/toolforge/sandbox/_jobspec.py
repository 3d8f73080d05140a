"""Jobs the way the jobs API resolves, validates and shows them (toolforge-api.md §2.2-2.5)."""

from __future__ import annotations

import random
import re
from typing import Any

from bot.toolforge.sandbox._state import ApiError, JobRecord

_REGISTRY = "docker-registry.tools.wmflabs.org"
# short name -> state; the sandbox's image-config.
PREBUILT_IMAGES = {
    "bookworm": "stable",
    "bullseye": "deprecated",
    "node20": "stable",
    "php7.4": "deprecated",
    "php8.2": "stable",
    "python3.9": "deprecated",
    "python3.11": "stable",
    "python3.13": "stable",
}
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_BUILT_IMAGE = re.compile(r"^(tools-harbor\.wmcloud\.org/)?tool-[a-z0-9-]+/[a-z0-9._-]+:[\w.-]+")
_QUANTITY = re.compile(r"^([0-9.]+)(Ki|Mi|Gi|Ti|K|M|G|T|m)?$")
_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "K": 1e3, "M": 1e6, "G": 1e9}
_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
}
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$|^[a-z]{3}$")
_JOB_KEYS = {
    "name", "cmd", "imagename", "job_type", "filelog", "filelog_stdout", "filelog_stderr",
    "emails", "mount", "memory", "cpu", "retry", "schedule", "timeout", "continuous",
    "replicas", "port", "port_protocol", "publish", "health_check",
}  # fmt: skip


def image_url(short: str) -> str:
    return f"{_REGISTRY}/toolforge-{short.replace('.', '')}-sssd-web:latest"


def is_prebuilt(image: str) -> bool:
    return image in PREBUILT_IMAGES


def image_state(image: str) -> str:
    if is_prebuilt(image):
        return PREBUILT_IMAGES[image]
    return "stable" if _BUILT_IMAGE.match(image) else "unknown"


def job_type_of(spec: dict[str, Any]) -> str:
    if spec.get("job_type"):
        return str(spec["job_type"])
    if spec.get("continuous"):
        return "continuous"
    return "scheduled" if spec.get("schedule") else "one-off"


def schedule_actual(tool: str, job: str, schedule: str) -> str:
    """Macros get fixed random fields, seeded like the real API with ``"<tool> <job>"``."""
    if schedule not in _MACROS:
        return schedule
    rng = random.Random(f"{tool} {job}")
    fields = _MACROS[schedule].split()
    for index, (low, high) in enumerate(_CRON_RANGES):
        if fields[index] != "*":
            fields[index] = str(rng.randint(low, high))
    return " ".join(fields)


def _quantity(value: str, what: str) -> float:
    found = _QUANTITY.match(str(value).strip())
    if not found:
        raise ApiError(400, f"Unable to parse {what} quantity '{value}'")
    number, unit = float(found.group(1)), found.group(2) or ""
    if what == "cpu":
        return number / 1000 if unit == "m" else number
    return number * _UNITS.get(unit, 1) / 2**30


def _decimal(value: float) -> str:
    return str(round(value, 3))


def normalise_memory(value: str) -> str:
    """``512Mi`` -> ``0.5Gi``, ``1Gi`` -> ``1.0Gi``, as the jobs API echoes it."""
    return _decimal(_quantity(value, "memory")) + "Gi"


def normalise_cpu(value: str) -> str:
    return _decimal(_quantity(value, "cpu"))


def _legacy_status(job_type: str, status: dict[str, Any]) -> str:
    short = status.get("short")
    if short == "running":
        return "Running" if job_type == "continuous" else f"Running for {status.get('duration')}"
    if short == "pending":
        restarted = any("restarted" in str(m) for m in status.get("messages", []))
        return (
            "Not running" if restarted or job_type == "continuous" else "Waiting for scheduled time"
        )
    if short == "succeeded":
        previous = status.get("previous_schedule")
        return f"Last schedule time: {previous}" if previous else "Completed"
    return "Failed" if short == "failed" else "Unknown"


def render_job(tool: str, record: JobRecord, include_unset: bool = True) -> dict[str, Any]:
    """The job object of GET responses (§2.3), with defaults resolved unless asked not to."""
    spec = record.spec
    job_type = job_type_of(spec)
    image = str(spec.get("imagename", ""))
    if not include_unset:
        return {**spec, "image": image, "job_type": job_type}
    prebuilt = is_prebuilt(image)
    name = str(spec["name"])
    filelog = bool(spec.get("filelog", prebuilt))
    home = f"/data/project/{tool}"
    job: dict[str, Any] = {
        "name": name,
        "cmd": spec.get("cmd", ""),
        "imagename": image,
        "filelog": filelog,
        "filelog_stdout": spec.get("filelog_stdout") or (f"{home}/{name}.out" if filelog else None),
        "filelog_stderr": spec.get("filelog_stderr") or (f"{home}/{name}.err" if filelog else None),
        "emails": spec.get("emails", "none"),
        "mount": spec.get("mount", "all" if prebuilt else "none"),
        "memory": normalise_memory(spec.get("memory", "512Mi")),
        "cpu": normalise_cpu(spec.get("cpu", "100m")),
        "image": image,
        "image_state": image_state(image),
        "status_short": record.status_short or _legacy_status(job_type, record.status),
        "status_long": f"Pod in '{str(record.status.get('short')).capitalize()}' phase.",
        "job_type": job_type,
    }
    if job_type == "continuous":
        job.update(continuous=True, replicas=spec.get("replicas", 1), port=spec.get("port"))
        job.update(port_protocol=spec.get("port_protocol", "tcp"), publish=spec.get("publish", ""))
        job["health_check"] = spec.get("health_check")
    elif job_type == "scheduled":
        job.update(timeout=spec.get("timeout", 0), retry=spec.get("retry", 0))
        job["schedule"] = spec.get("schedule")
        job["schedule_actual"] = schedule_actual(tool, name, str(spec.get("schedule")))
    else:
        job["retry"] = spec.get("retry", 0)
    job["status"] = dict(record.status)
    return job


def validate_job(tool: str, spec: Any, images: set[str]) -> dict[str, Any]:
    """The checks of POST/PATCH ``/jobs``; returns the spec to store. Raises ApiError."""
    if not isinstance(spec, dict):
        raise ApiError(422, "the body must be a JSON object")
    unknown = set(spec) - _JOB_KEYS
    missing = {"name", "cmd", "imagename"} - set(spec)
    if unknown or missing:
        problem = f"unknown fields {sorted(unknown)}" if unknown else f"missing {sorted(missing)}"
        raise ApiError(422, f"1 validation error for NewJob: {problem}")
    name, image = str(spec["name"]), str(spec["imagename"])
    if len(name) > 52 or not _NAME.match(name):
        raise ApiError(
            400,
            "Invalid job name. See the documentation for the naming rules: https://w.wiki/6YL8",
        )
    if not is_prebuilt(image) and image.split("@")[0] not in images:
        raise ApiError(400, f"No such image '{image}'")
    if is_prebuilt(image) and spec.get("mount") == "none":
        raise ApiError(400, "Mount type none is only supported for build service images")
    if spec.get("filelog") and spec.get("mount", "all" if is_prebuilt(image) else "none") != "all":
        raise ApiError(400, "File logging is only available with --mount=all")
    job_type = job_type_of(spec)
    if job_type == "scheduled":
        schedule = str(spec.get("schedule", ""))
        fields = schedule.split()
        if schedule not in _MACROS and (
            len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields)
        ):
            raise ApiError(400, f'Unable to parse cron expression "{schedule}"')
    if "memory" in spec and _quantity(spec["memory"], "memory") > 4:
        memory = normalise_memory(spec["memory"])
        raise ApiError(
            400, f"Requested memory {memory} is over maximum allowed per container (4Gi)"
        )
    check = spec.get("health_check")
    if isinstance(check, dict) and check.get("type") == "http" and not spec.get("port"):
        raise ApiError(400, "Port must be set for HTTP health checks")
    return {**spec, "job_type": job_type}
