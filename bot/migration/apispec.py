"""A job definition as the body the jobs API takes (``PATCH /jobs``, what ``jobs load`` sends)."""

from __future__ import annotations

from typing import Any

from bot.migration.model import Job


def job_spec(job: Job) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": job.name, "cmd": job.command, "imagename": job.image}
    spec["job_type"] = job.kind
    if job.kind == "scheduled":
        spec["schedule"] = job.schedule
    elif job.kind == "continuous":
        spec["continuous"] = True
    optional: dict[str, Any] = {
        "memory": job.mem,
        "cpu": job.cpu,
        "emails": job.emails,
        "retry": job.retry or None,
        "timeout": job.timeout or None,
        "mount": job.mount,
        "filelog": job.filelog,
        "filelog_stdout": job.filelog_stdout,
        "filelog_stderr": job.filelog_stderr,
        "port": job.port,
        "publish": "/" if job.publish else None,
        "replicas": job.replicas,
    }
    spec.update({key: value for key, value in optional.items() if value is not None})
    if job.health_check_http:
        spec["health_check"] = {"type": "http", "path": job.health_check_http}
    elif job.health_check_script:
        spec["health_check"] = {"type": "script", "script": job.health_check_script}
    return spec


_COMMON = ("name", "cmd", "imagename", "job_type", "filelog", "filelog_stdout", "filelog_stderr",
           "emails", "mount", "memory", "cpu")  # fmt: skip
_BY_KIND = {
    "scheduled": (*_COMMON, "schedule", "retry", "timeout"),
    "continuous": (*_COMMON, "continuous", "replicas", "port", "port_protocol", "publish",
                   "health_check"),  # fmt: skip
}


def restoring_spec(definition: dict[str, Any]) -> dict[str, Any] | None:
    """The body that defines a job again exactly as ``definition`` had it (a job as the
    jobs API lists it with ``include_unset=false``); ``None`` for a one-off job, which
    ran once and is not defined again."""
    kind = definition.get("job_type")
    if kind not in _BY_KIND:
        kind = "continuous" if definition.get("continuous") else None
        kind = kind or ("scheduled" if definition.get("schedule") else None)
    if kind is None:
        return None
    spec = {k: v for k, v in definition.items() if k in _BY_KIND[kind] and v is not None}
    if "imagename" not in spec and definition.get("image"):
        spec["imagename"] = definition["image"]
    spec["job_type"] = kind
    return spec
