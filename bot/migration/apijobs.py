"""The tool's current jobs, as the jobs API lists them, as definitions to carry over.

Server-resolved defaults (``0.5Gi``, ``mount: all``, ``<home>/<name>.out``)
are removed again so the definitions stay as short as ``jobs dump`` writes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.migration.memory import DEFAULT_MIB, api_mib, quantity
from bot.migration.model import Job, JobKind, Note, Severity, Translation
from bot.migration.paths import home_relative


def is_build_service_image(image: str) -> bool:
    """``tool-<tool>/<name>:<tag>`` (with or without the Harbor host)."""
    return "tool-" in image and "/" in image and not image.startswith("docker-registry")


def translate_api_jobs(payload: Mapping[str, Any] | Sequence[Any], *, tool: str) -> Translation:
    """Definitions for the jobs in a ``GET /jobs`` answer (``{"jobs": [...]}`` or a bare list)."""
    raw = payload.get("jobs", []) if isinstance(payload, Mapping) else payload
    jobs: list[Job] = []
    notes: list[Note] = []
    names: list[str] = []
    for entry in raw if isinstance(raw, Sequence) else ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        name = entry["name"]
        names.append(name)
        image = str(entry.get("image") or entry.get("imagename") or "")
        kind = _kind(entry)
        source = f"current job {name}"
        if kind == "one-off":
            notes.append(
                Note(
                    "one-off",
                    "one-off jobs are not carried over: run them again when needed",
                    Severity.INFO,
                    name,
                    source,
                )
            )
            continue
        if is_build_service_image(image):
            notes.append(
                Note(
                    "already-migrated",
                    f"already runs on the build-service image {image}",
                    Severity.INFO,
                    name,
                    source,
                )
            )
        if entry.get("image_state") == "deprecated":
            notes.append(
                Note(
                    "image-deprecated",
                    f"image {image} is deprecated",
                    Severity.WARNING,
                    name,
                    source,
                )
            )
        jobs.append(_job(entry, name, image, kind, tool, source))
    return Translation(jobs=tuple(jobs), notes=tuple(notes), current_jobs=tuple(names))


def _kind(entry: Mapping[str, Any]) -> JobKind:
    job_type = entry.get("job_type")
    if job_type in ("scheduled", "continuous", "one-off"):
        return job_type  # type: ignore[no-any-return]
    if entry.get("schedule"):
        return "scheduled"
    if entry.get("continuous"):
        return "continuous"
    return "one-off"


def _job(
    entry: Mapping[str, Any], name: str, image: str, kind: JobKind, tool: str, source: str
) -> Job:
    prebuilt = not is_build_service_image(image)
    mem = None
    if isinstance(entry.get("memory"), str):
        mib = api_mib(entry["memory"])
        mem = None if mib in (None, DEFAULT_MIB) else quantity(mib)  # type: ignore[arg-type]
    cpu = entry.get("cpu")
    cpu = None if cpu in (None, "0.1", "100m") else str(cpu)
    health = entry.get("health_check") or {}
    filelog = entry.get("filelog")
    if isinstance(filelog, str):  # the pre-2024 API said "True"/"False"
        filelog = filelog.lower() == "true"
    return Job(
        name=name,
        command=str(entry.get("cmd") or entry.get("command") or ""),
        kind=kind,
        image=image,
        schedule=entry.get("schedule") if kind == "scheduled" else None,
        mem=mem,
        cpu=cpu,
        emails=None if entry.get("emails") in (None, "none") else entry.get("emails"),
        retry=int(entry.get("retry") or 0),
        timeout=int(entry.get("timeout") or 0),
        mount=None if entry.get("mount") == ("all" if prebuilt else "none") else entry.get("mount"),
        filelog=None if filelog in (None, prebuilt) else bool(filelog),
        filelog_stdout=_log(entry.get("filelog_stdout"), name, ".out", tool),
        filelog_stderr=_log(entry.get("filelog_stderr"), name, ".err", tool),
        port=entry.get("port") if kind == "continuous" else None,
        publish=kind == "continuous" and entry.get("publish") in ("/", True),
        replicas=None if entry.get("replicas") in (None, 1) else entry.get("replicas"),
        health_check_http=health.get("path") if health.get("type") == "http" else None,
        health_check_script=health.get("script") if health.get("type") == "script" else None,
        source=source,
    )


def _log(path: Any, name: str, suffix: str, tool: str) -> str | None:
    if not isinstance(path, str) or not path:
        return None
    relative = home_relative(path, tool)
    if relative == f"{name}{suffix}":
        return None
    return relative if relative is not None else path
