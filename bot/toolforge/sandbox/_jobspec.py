"""Jobs the way the jobs API resolves, checks and shows them (toolforge-api.md §2.2-2.5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.toolforge.sandbox import _images, _status
from bot.toolforge.sandbox._cron import CronError, api_error, parse_schedule
from bot.toolforge.sandbox._newjob import quantity
from bot.toolforge.sandbox._state import ApiError, JobRecord, SandboxState, ToolState

MAX_MEMORY, MAX_MEMORY_TEXT = 4 * 2**30, "4Gi"  # the tools' LimitRange, per container
MAX_CPU, MAX_CPU_TEXT = 1.0, "1"
FRONT_DOMAIN = "toolforge.org"


def is_build_image(imagename: str) -> bool:
    rest = imagename.split("@", 1)[0]
    if "/" in rest and "." in rest.split("/", 1)[0]:
        rest = rest.split("/", 1)[1]
    return "/" in rest and rest.startswith("tool-")


def resolved_filelog(spec: dict[str, Any]) -> bool:
    """File logging: as set, else on for pre-built images and off for build-service ones."""
    if "filelog" in spec:
        return bool(spec["filelog"])
    return not is_build_image(str(spec["imagename"]))


def normalise_memory(value: str) -> str:
    """``512Mi`` -> ``0.5Gi``, ``1Gi`` -> ``1.0Gi``, as the jobs API echoes it."""
    return f"{float(round(quantity(value) / 2**30, 3))}Gi"


def normalise_cpu(value: str) -> str:
    return str(float(round(quantity(value), 3)))


def _pydantic_error(model: str, message: str, job: dict[str, Any]) -> ApiError:
    """A core model's ValueError as the API's error handler prints the pydantic error."""
    shown = repr(job)
    if len(shown) > 50:
        shown = shown[:25] + "..." + shown[-24:]
    return ApiError(
        400,
        f"1 validation error for {model}\n  Value error, {message} "
        f"[type=value_error, input_value={shown}, input_type=dict]",
    )


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    """The stored form: quantities as the API writes them back."""
    job = dict(spec)
    for key, write in (("memory", normalise_memory), ("cpu", normalise_cpu)):
        if job.get(key):
            job[key] = write(str(job[key]))
    return job


def check_model(tool: str, job: dict[str, Any]) -> None:
    """The core models' own checks (400s), in the order the API runs them."""
    build_image = is_build_image(str(job["imagename"]))
    if not build_image and job.get("mount") == "none":
        raise _pydantic_error(
            "CommonJob", "Mount type none is only supported for build service images", job
        )
    if job.get("filelog") and "mount" in job and job["mount"] != "all":
        raise _pydantic_error("CommonJob", "File logging is only available with --mount=all", job)
    if job["job_type"] == "scheduled":
        try:
            parse_schedule(str(job["schedule"]), tool, str(job["name"]))
        except CronError as error:
            raise ApiError(400, api_error(str(job["schedule"]), error)) from None
    if job["job_type"] == "continuous":
        if job.get("publish"):
            if job.get("port") is None:
                raise _pydantic_error("ContinuousJob", "publish requires port to be set", job)
            if job.get("port_protocol", "tcp") != "tcp":
                message = "publish requires port_protocol set to tcp"
                raise _pydantic_error("ContinuousJob", message, job)
        check = job.get("health_check")
        if check and check["type"] == "http" and job.get("port") is None:
            raise _pydantic_error("ContinuousJob", "Port must be set for HTTP health checks", job)


def check_runtime(state: SandboxState, tool: ToolState, job: dict[str, Any]) -> None:
    """What the runtime refuses when it creates the Kubernetes objects (400s)."""
    image = _images.resolve(state, str(job["imagename"]))
    if not image.exists:
        raise ApiError(400, f"No such image '{image.full_url}'")
    if job.get("cpu") and quantity(job["cpu"]) > MAX_CPU:
        raise ApiError(
            400,
            f"Requested CPU {job['cpu']} is over maximum allowed per container ({MAX_CPU_TEXT})",
        )
    if job.get("memory") and quantity(job["memory"]) > MAX_MEMORY:
        raise ApiError(
            400,
            f"Requested memory {job['memory']} is over maximum allowed per container "
            f"({MAX_MEMORY_TEXT})",
        )
    if job.get("publish"):
        for other in tool.jobs.values():
            if other.name != job["name"] and other.spec.get("publish"):
                raise ApiError(
                    400,
                    "Attempt to create job failed. The job cannot be published because the "
                    f"domain '{tool.name}.{FRONT_DOMAIN}' and path '/' are already in use by "
                    "another public job or webservice.",
                )


def render_job(
    state: SandboxState, tool: str, record: JobRecord, now: datetime, include_unset: bool = True
) -> dict[str, Any]:
    """The job object of GET responses (§2.3), with defaults resolved unless asked not to."""
    spec = record.spec
    job_type = record.job_type
    image = str(spec["imagename"])
    if not include_unset:
        return {**spec, "image": image, "job_type": job_type}
    build_image = is_build_image(image)
    name = record.name
    filelog = resolved_filelog(spec)
    home = f"/data/project/{tool}"

    def log_path(key: str, suffix: str) -> str | None:
        if not filelog:
            return spec.get(key)
        path = str(spec.get(key) or f"{name}.{suffix}")
        return path if path.startswith("/") else f"{home}/{path}"

    current = _status.status(tool, record, now)
    job: dict[str, Any] = {
        "name": name,
        "cmd": spec["cmd"],
        "imagename": image,
        "filelog": filelog,
        "filelog_stdout": log_path("filelog_stdout", "out"),
        "filelog_stderr": log_path("filelog_stderr", "err"),
        "emails": spec.get("emails", "none"),
        "mount": spec.get("mount", "none" if build_image else "all"),
        "memory": spec.get("memory") or "0.5Gi",
        "cpu": spec.get("cpu") or "0.1",
        "image": image,
        "image_state": _images.resolve(state, image).state,
        "status_short": _status.legacy_short(record, current),
        "status_long": _status.legacy_long(record, now),
        "job_type": job_type,
    }
    if job_type == "continuous":
        job.update(continuous=True, replicas=spec.get("replicas", 1), port=spec.get("port"))
        job.update(port_protocol=spec.get("port_protocol", "tcp"), publish=spec.get("publish", ""))
        job["health_check"] = spec.get("health_check")
    elif job_type == "scheduled":
        job.update(timeout=spec.get("timeout") or 0, retry=spec.get("retry", 0))
        job["schedule"] = spec["schedule"]
        job["schedule_actual"] = parse_schedule(str(spec["schedule"]), tool, name).actual
    else:
        job["retry"] = spec.get("retry", 0)
    job["status"] = current
    return job


def as_created(job: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The POST answer shows the job before defaults are resolved (toolforge-api.md §2.3)."""
    shown = dict(job)
    unresolved = {"mount": "none", "filelog": False, "filelog_stdout": None, "filelog_stderr": None}
    shown.update({key: spec.get(key, value) for key, value in unresolved.items()})
    shown.update(status_short="Unknown", status_long="Unknown")
    shown["status"] = {"short": "unknown", "duration": "", "messages": [], "up_to_date": True}
    return shown
