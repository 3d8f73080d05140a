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
