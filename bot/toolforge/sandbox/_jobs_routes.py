"""The jobs API (``/jobs/v1/...``) of the sandbox."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.toolforge.sandbox._jobspec import PREBUILT_IMAGES, image_url, render_job, validate_job
from bot.toolforge.sandbox._state import STATE, ApiError, JobRecord, SandboxState, ToolState

routes = web.RouteTableDef()
_JOBS = "/jobs/v1/tool/{tool}/jobs"
_JOB = "/jobs/v1/tool/{tool}/jobs/{name}"
_QUOTA: list[tuple[str, list[tuple[str, str, str | None]]]] = [
    ("Running jobs", [("Total running jobs at once (Kubernetes pods)", "10", "1"),
                      ("Running one-off and cron jobs", "15", "0"),
                      ("CPU", "4.0", "0.5"), ("Memory", "8.0Gi", "0.5Gi")]),
    ("Per-job limits", [("CPU", "1.0", None), ("Memory", "4.0Gi", None)]),
    ("Job definitions", [("Cron jobs", "50", "5"),
                         ("Continuous jobs (including web services)", "3", "1")]),
]  # fmt: skip


def _messages(info: list[str] | None = None, warning: list[str] | None = None) -> dict[str, Any]:
    return {"info": info or [], "warning": warning or [], "error": []}


def _tool(request: web.Request) -> tuple[SandboxState, ToolState]:
    state = request.app[STATE]
    return state, state.tool(request.match_info["tool"])


def _job(tool: ToolState, name: str) -> JobRecord:
    if name not in tool.jobs:
        raise ApiError(404, f"Job '{name}' does not exist")
    return tool.jobs[name]


async def _body(request: web.Request) -> Any:
    try:
        return await request.json()
    except json.JSONDecodeError:
        raise ApiError(422, "the body is not valid JSON") from None


def _known_images(state: SandboxState) -> set[str]:
    images = {str(r.spec.get("imagename")) for t in state.tools.values() for r in t.jobs.values()}
    for tool in state.tools.values():
        for build in tool.builds:
            if build.data["status"] == "BUILD_SUCCESS":
                images.add(f"tool-{tool.name}/{build.data['parameters']['image_name']}:latest")
    return images


def _initial_status(job_type: str) -> dict[str, Any]:
    short = "pending" if job_type == "scheduled" else "running"
    return {"short": short, "duration": "0s", "messages": [], "up_to_date": True}


@routes.get(_JOBS)
@routes.get(_JOBS + "/")
async def list_jobs(request: web.Request) -> web.Response:
    state, tool = _tool(request)
    unset = request.query.get("include_unset", "true").lower() != "false"
    jobs = [render_job(tool.name, record, unset) for record in tool.jobs.values()]
    return web.json_response({"jobs": jobs, "messages": _messages()})


@routes.post(_JOBS)
@routes.post(_JOBS + "/")
@routes.put(_JOBS)
async def create_job(request: web.Request) -> web.Response:
    state, tool = _tool(request)
    spec = validate_job(tool.name, await _body(request), _known_images(state))
    existing = tool.jobs.get(spec["name"])
    finished_one_off = (
        existing is not None
        and existing.spec.get("job_type") == "one-off"
        and (existing.status.get("short") in ("succeeded", "failed"))
    )
    if existing is not None and not finished_one_off:
        raise ApiError(409, f"A job with the name {spec['name']} already exists")
    record = JobRecord(spec, _initial_status(spec["job_type"]))
    tool.jobs[spec["name"]] = record
    # The real API answers with the job *before* resolving defaults (toolforge-api.md §2.3).
    shown = render_job(tool.name, record)
    shown.update(mount="none", filelog=False, filelog_stdout=None, filelog_stderr=None)
    shown.update(status_short="Unknown", status={"short": "unknown", "messages": []})
    return web.json_response({"job": shown, "messages": _messages()}, status=201)


@routes.patch(_JOBS)
@routes.patch(_JOBS + "/")
async def upsert_job(request: web.Request) -> web.Response:
    state, tool = _tool(request)
    spec = validate_job(tool.name, await _body(request), _known_images(state))
    name = spec["name"]
    existing = tool.jobs.get(name)
    if existing is None:
        tool.jobs[name] = JobRecord(spec, _initial_status(spec["job_type"]))
        message, changed = f"Job {name} created in storage and runtime", True
    elif spec["job_type"] == "one-off":
        message, changed = "OneOffJobs can't be updated, delete and recreate it instead", False
    elif existing.spec == spec:
        message, changed = f"Job {name} is already up to date", False
    else:
        existing.spec = spec
        existing.status = _initial_status(spec["job_type"])
        existing.status_short = None
        message, changed = f"Job {name} was updated in storage and runtime", True
    return web.json_response({"job_changed": changed, "messages": _messages([message])})


@routes.delete(_JOBS)
@routes.delete(_JOBS + "/")
async def flush_jobs(request: web.Request) -> web.Response:
    _, tool = _tool(request)
    tool.jobs.clear()
    return web.json_response({"messages": _messages()})


@routes.get(_JOB)
async def get_job(request: web.Request) -> web.Response:
    _, tool = _tool(request)
    name = request.match_info["name"]
    record = _job(tool, name)
    unset = request.query.get("include_unset", "true").lower() != "false"
    warnings = []
    if not record.status.get("up_to_date", True):
        warnings.append(
            f"The running version of job '{name}' is different from what was configured, "
            "please recreate or redeploy."
        )
    body = {"job": render_job(tool.name, record, unset), "messages": _messages(warning=warnings)}
    return web.json_response(body)


@routes.delete(_JOB)
async def delete_job(request: web.Request) -> web.Response:
    _, tool = _tool(request)
    name = request.match_info["name"]
    _job(tool, name)
    del tool.jobs[name]
    return web.json_response({"messages": _messages()})


@routes.post(_JOB + "/restart")
async def restart_job(request: web.Request) -> web.Response:
    _, tool = _tool(request)
    name = request.match_info["name"]
    record = _job(tool, name)
    job_type = record.spec.get("job_type")
    if job_type == "one-off":
        raise ApiError(400, "Unable to restart a one-off job")
    # Continuous: a rolling restart; scheduled: a run is triggered now. Either way it runs.
    record.status = {**_initial_status("continuous"), "up_to_date": True}
    record.status_short = None
    tool.restarts[name] += 1
    return web.json_response({"messages": _messages([f"Job '{name}' has been restarted"])})


@routes.get(_JOB + "/logs")
async def stream_job_logs(request: web.Request) -> web.StreamResponse:
    """The jobs API's own (older) log endpoint: NDJSON as ``text/plain``."""
    _, tool = _tool(request)
    name = request.match_info["name"]
    if name in tool.jobs and render_job(tool.name, tool.jobs[name])["filelog"]:
        raise ApiError(
            404,
            f"Job '{name}' has file logging enabled, which is incompatible with the logs command",
        )
    entries = tool.logs.get(name, [])
    if not entries:
        raise ApiError(404, f"Job '{name}' does not have any logs available")
    lines = int(request.query.get("lines", "500"))
    text = "".join(json.dumps(entry) + "\n" for entry in entries[-lines:])
    return web.Response(text=text, content_type="text/plain", charset="utf-8")


@routes.get("/jobs/v1/tool/{tool}/images")
async def list_images(request: web.Request) -> web.Response:
    state, tool = _tool(request)
    images = [
        {"shortname": short, "image": image_url(short)}
        for short, status in sorted(PREBUILT_IMAGES.items())
        if status == "stable"
    ]
    for build in tool.builds:
        short = f"tool-{tool.name}/{build.data['parameters']['image_name']}:latest"
        if build.data["status"] == "BUILD_SUCCESS" and short not in [
            i["shortname"] for i in images
        ]:
            images.append({"shortname": short, "image": build.data["destination_image"]})
    return web.json_response({"images": images, "messages": _messages()})


@routes.get("/jobs/v1/tool/{tool}/quotas")
async def quotas(request: web.Request) -> web.Response:
    _tool(request)
    categories = [
        {"name": name, "items": [{"name": n, "limit": lim, "used": u} for n, lim, u in items]}
        for name, items in _QUOTA
    ]
    return web.json_response({"quota": {"categories": categories}, "messages": _messages()})


@routes.get("/jobs/v1/healthz")
async def healthz(request: web.Request) -> web.Response:
    body = {"health": {"status": "OK", "message": "OK"}, "messages": _messages()}
    return web.json_response(body)
