"""Builds living on the sandbox's clock: pending, then running with logs appearing, then done.

A build reads its repository from the sandbox's own GitLab when the source
URL points there (the real service runs ``git ls-remote`` and clones; the
sandbox has no network). What it finds decides the outcome: no file a
buildpack recognises fails detection, a requirement the sandbox calls
``sandbox-missing-package`` (or a URL containing ``fail``) fails pip. Other
hosts cannot be read offline: their builds are assumed to be Python apps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.toolforge.sandbox._state import (
    ApiError,
    BuildRecord,
    Snapshot,
    ToolState,
    fake_hex,
    rfc3339,
)

PENDING_SECONDS = 5.0
RUNNING_SECONDS = 60.0
KEEP_OK, KEEP_FAILED, MAX_PARALLEL = 4, 2, 4
HARBOR = "tools-harbor.wmcloud.org"
_MESSAGES = {
    "BUILD_PENDING": "build status is pending and it might not have started running yet. "
    "Check the logs with `toolforge build logs {id}`",
    "BUILD_RUNNING": "Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0",
    "BUILD_SUCCESS": "Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0",
    "BUILD_FAILURE": "Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0. "
    "Check the logs with `toolforge build logs {id}`",
    "BUILD_CANCELLED": 'PipelineRun "{id}" was cancelled',
}
_LANGUAGES = (
    ("requirements.txt", "heroku/python"), ("pyproject.toml", "heroku/python"),
    ("setup.py", "heroku/python"), ("package.json", "heroku/nodejs"),
    ("composer.json", "heroku/php"), ("Gemfile", "heroku/ruby"), ("go.mod", "heroku/go"),
    ("pom.xml", "heroku/java"), ("build.gradle", "heroku/gradle"),
    ("Project.toml", "heroku/julia"), ("index.php", "heroku/php"),
)  # fmt: skip
# (url, ref) -> (resolved sha, files) or None when it cannot be resolved; ValueError: no such ref
RepoReader = Callable[[str, str], "tuple[str, dict[str, str]] | None"]


def build_message(status: str, build_id: str) -> str:
    return _MESSAGES.get(status, "").format(id=build_id)


def _language(files: dict[str, str]) -> str | None:
    for name, buildpack in _LANGUAGES:
        if name in files:
            return buildpack
    return None


def _log(
    source_url: str, ref: str, image: str, files: dict[str, str] | None
) -> tuple[str, list[str]]:
    """The final status and the log lines (without timestamps) of a build."""
    lines = [f"[step-clone] Cloning {source_url} at {ref}", "[step-build] ===> DETECTING"]
    buildpack = "heroku/python" if files is None else _language(files)
    if buildpack is None:
        lines += [
            "[step-build] ======== Results ========",
            "[step-build] ERROR: No buildpack groups passed detection.",
            "[step-build] ERROR: Please check that you are running against the correct path.",
            "[step-build] ERROR: failed to detect: no buildpacks participating",
        ]
        return "BUILD_FAILURE", lines
    lines += [f"[step-build] {buildpack} 0.17.0", "[step-build] ===> BUILDING"]
    requirements = (files or {}).get("requirements.txt", "")
    if "fail" in source_url or "sandbox-missing-package" in requirements:
        lines += [
            "[step-build] Installing requirements with pip",
            "[step-build] ERROR: No matching distribution found for sandbox-missing-package==0.0.0",
            "[step-build] ERROR: failed to build: exit status 1",
        ]
        return "BUILD_FAILURE", lines
    if buildpack == "heroku/python":
        lines.append("[step-build] Installing requirements with pip")
    lines += ["[step-build] ===> EXPORTING", f"[step-export] Saving {image}..."]
    return "BUILD_SUCCESS", lines


def start(tool: ToolState, params: dict[str, Any], now: datetime, read: RepoReader) -> BuildRecord:
    """A new pending build, as ``POST /builds`` starts it; raises ApiError like the API."""
    running = [b for b in tool.builds if not b.finished]
    if len(running) >= MAX_PARALLEL:
        raise ApiError(
            409,
            f"Got too many builds running ({len(running)} out of {MAX_PARALLEL} max), "
            "cancel some or wait for them to finish",
        )
    source_url, ref = str(params["source_url"]), str(params.get("ref") or "")
    try:
        found = read(source_url, ref or "HEAD")
    except ValueError as error:
        raise ApiError(
            400,
            f"Failed to resolve ref {ref}, maybe the repository {source_url} is not public? "
            f"Error: failed to resolve ref: {error}",
        ) from None
    resolved, files = found if found is not None else (fake_hex(source_url + ref, 40), None)
    build_id = (
        f"{tool.name}-buildpacks-pipelinerun-{fake_hex(f'{tool.name}{now}{len(tool.builds)}', 5)}"
    )
    image_name = str(params.get("image_name") or f"tool-{tool.name}")
    image = f"{HARBOR}/tool-{tool.name}/{image_name}:latest"
    final, log = _log(source_url, ref or "HEAD", image, files)
    parameters = {
        "source_url": source_url, "ref": ref, "envvars": dict(params.get("envvars") or {}),
        "image_name": image_name,
        "use_latest_versions": bool(params.get("use_latest_versions", False)),
        "use_deprecated_versions": bool(params.get("use_deprecated_versions", False)),
    }  # fmt: skip
    data = {
        "build_id": build_id, "start_time": rfc3339(now), "end_time": "",
        "status": "BUILD_PENDING", "message": build_message("BUILD_PENDING", build_id),
        "parameters": parameters, "destination_image": image, "resolved_ref": resolved,
    }  # fmt: skip
    record = BuildRecord(data, log, started=now, final_status=final)
    record.snapshot = Snapshot(files) if files is not None else None
    _forget_old(tool)
    tool.builds.insert(0, record)
    return record


def _forget_old(tool: ToolState) -> None:
    """The service keeps the last 4 successful and 2 failed builds (and all unfinished)."""
    kept: list[BuildRecord] = []
    ok = failed = 0
    for build in tool.builds:
        if build.status == "BUILD_SUCCESS":
            ok += 1
            if ok > KEEP_OK:
                continue
        elif build.finished:
            failed += 1
            if failed > KEEP_FAILED:
                continue
        kept.append(build)
    tool.builds[:] = kept


def refresh(build: BuildRecord, now: datetime) -> None:
    """Bring a build's status up to ``now``."""
    if build.finished:
        return
    elapsed = (now - build.started).total_seconds()
    if elapsed < PENDING_SECONDS:
        return
    status = "BUILD_RUNNING" if elapsed < PENDING_SECONDS + RUNNING_SECONDS else build.final_status
    build.data["status"] = status
    build.data["message"] = build_message(status, build.build_id)
    if build.finished:
        end = build.started + timedelta(seconds=PENDING_SECONDS + RUNNING_SECONDS)
        build.data["end_time"] = rfc3339(end)
        if status == "BUILD_SUCCESS":
            build.data["destination_image"] += "@sha256:" + fake_hex(build.build_id, 64)


def cancel(build: BuildRecord, now: datetime) -> None:
    if build.status == "BUILD_CANCELLED":
        raise ApiError(
            409, f"Build {build.build_id} cannot be cancelled because it has already been cancelled"
        )
    if build.finished:
        raise ApiError(
            409, f"Build {build.build_id} cannot be cancelled because it has already completed"
        )
    build.data.update(status="BUILD_CANCELLED", end_time=rfc3339(now))
    build.data["message"] = build_message("BUILD_CANCELLED", build.build_id)
    build.final_status = "BUILD_CANCELLED"


def visible_log(build: BuildRecord, now: datetime) -> list[str]:
    """The log lines written by ``now``: none while pending, a share per second while running."""
    elapsed = (now - build.started).total_seconds() - PENDING_SECONDS
    if elapsed < 0:
        return []
    if build.status in ("BUILD_SUCCESS", "BUILD_FAILURE"):
        shown = len(build.log)
    else:
        end = build.data["end_time"] if build.status == "BUILD_CANCELLED" else None
        if end:
            elapsed = min(elapsed, (datetime.fromisoformat(end.replace("Z", "+00:00"))
                                    - build.started).total_seconds() - PENDING_SECONDS)  # fmt: skip
        shown = min(len(build.log), int(elapsed / RUNNING_SECONDS * len(build.log)) + 1)
    step = RUNNING_SECONDS / max(len(build.log), 1)
    lines = []
    for index, line in enumerate(build.log[:shown]):
        moment = build.started + timedelta(seconds=PENDING_SECONDS + index * step)
        container, _, text = line.partition("] ")
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
        lines.append(f"{container}] {stamp} {text}" if text else line)
    return lines


def advance_stages(build: BuildRecord, steps: int, now: datetime) -> None:
    """Move an unfinished build ``steps`` stages on (pending -> running -> done), for tests."""
    for _ in range(steps):
        if build.finished:
            return
        elapsed = (now - build.started).total_seconds()
        target = PENDING_SECONDS if elapsed < PENDING_SECONDS else PENDING_SECONDS + RUNNING_SECONDS
        build.started -= timedelta(seconds=target - elapsed)
        refresh(build, now)
