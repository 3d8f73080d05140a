"""The jobs API (``/jobs/v1/...``) of the sandbox; every route also takes a trailing slash."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.toolforge.sandbox import _images, _jobspec, _quota, _streams
from bot.toolforge.sandbox._gateway import CALLER
from bot.toolforge.sandbox._newjob import DetailError, check_name, parse_new_job
from bot.toolforge.sandbox._openapi import spec_json
from bot.toolforge.sandbox._state import ApiError, JobRecord, ToolState
from bot.toolforge.sandbox._world import WORLD, World

routes = web.RouteTableDef()
_JOBS = "/jobs/v1/tool/{tool}/jobs"
_JOB = "/jobs/v1/tool/{tool}/jobs/{name}"
_OUT_OF_SYNC = (
    "The running version of job '{}' is different from what was configured, "
    "please recreate or redeploy."
)
_TRUE = ("true", "1", "yes", "on", "t", "y")


def _route(method: str, path: str):  # type: ignore[no-untyped-def]
    """Register a handler for ``path`` and ``path/`` (the API takes both, without redirect)."""

    def register(handler):  # type: ignore[no-untyped-def]
        routes.route(method, path)(handler)
        routes.route(method, path + "/")(handler)
        return handler

    return register


def _messages(info: list[str] | None = None, warning: list[str] | None = None) -> dict[str, Any]:
    return {"info": info or [], "warning": warning or [], "error": []}


def _context(request: web.Request) -> tuple[World, datetime, ToolState]:
    world = request.app[WORLD]
    now = world.now()
    return world, now, world.tool(request.match_info["tool"])


def _job(tool: ToolState, name: str) -> JobRecord:
    if name not in tool.jobs:
        raise ApiError(404, f"Job '{name}' does not exist")
    return tool.jobs[name]


def _user(request: web.Request, tool: ToolState) -> str:
    return str(request.get(CALLER) or tool.name)


def _include_unset(request: web.Request) -> bool:
    return request.query.get("include_unset", "true").lower() in _TRUE


async def read_json(request: web.Request) -> Any:
    """The body as FastAPI reads it: bad JSON is a 422, undecodable bytes a 400."""
    raw = await request.read()
    if not raw:
        raise DetailError([{"type": "missing", "loc": ["body"], "msg": "Field required",
                            "input": None}])  # fmt: skip
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _ParseError() from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DetailError([{"type": "json_invalid", "loc": ["body", error.pos],
                            "msg": "JSON decode error", "input": {},
                            "ctx": {"error": error.msg}}]) from None  # fmt: skip


class _ParseError(ApiError):
    def __init__(self) -> None:
        super().__init__(400, "There was an error parsing the body")

    def response(self) -> web.Response:
        return web.json_response({"detail": self.message}, status=400)


async def _new_job(request: web.Request, tool: ToolState) -> dict[str, Any]:
    job = _jobspec.normalise(parse_new_job(await read_json(request)))
    _jobspec.check_model(tool.name, job)
    return job


def _start(world: World, tool: ToolState, record: JobRecord, now: datetime) -> None:
    if record.job_type == "scheduled":
        world.runtime.schedule_next(tool, record, now)
    else:
        world.runtime.start_pod(tool, record, now)


def _show(world: World, tool: ToolState, record: JobRecord, now: datetime, unset: bool):
    return _jobspec.render_job(world.state, tool.name, record, now, unset)


@_route("GET", _JOBS)
async def list_jobs(request: web.Request) -> web.Response:
    world, now, tool = _context(request)
    unset = _include_unset(request)
    jobs = [_show(world, tool, record, now, unset) for record in tool.jobs.values()]
    warnings = [_OUT_OF_SYNC.format(r.name) for r in tool.jobs.values() if not r.up_to_date]
    return web.json_response({"jobs": jobs, "messages": _messages(warning=warnings)})


@_route("POST", _JOBS)
@_route("PUT", _JOBS)
async def create_job(request: web.Request) -> web.Response:
    world, now, tool = _context(request)
    job = await _new_job(request, tool)
    existing = tool.jobs.get(job["name"])
    if existing is not None:
        shown = _show(world, tool, existing, now, True)
        if shown["status_short"].lower() != "completed":
            raise ApiError(409, f"A job with the name {job['name']} already exists")
        del tool.jobs[existing.name]  # a completed one-off job makes way
    _jobspec.check_runtime(world.state, tool, job)
    _quota.check_definitions(tool, job)
    record = JobRecord(job, created=now)
    tool.jobs[record.name] = record
    _start(world, tool, record, now)
    tool.event(now, "created", record.name, _user(request, tool), f"Job {record.name} created")
    shown = _jobspec.as_created(_show(world, tool, record, now, True), job)
    return web.json_response({"job": shown, "messages": _messages()}, status=201)


@_route("PATCH", _JOBS)
async def upsert_job(request: web.Request) -> web.Response:
    """``jobs load``: create, update, or leave alone; the answer says which."""
    world, now, tool = _context(request)
    job = await _new_job(request, tool)
    name = str(job["name"])
    existing = tool.jobs.get(name)
    user = _user(request, tool)
    if job["job_type"] == "one-off":
        message, changed = "OneOffJobs can't be updated, delete and recreate it instead", False
    elif existing is None:
        _jobspec.check_runtime(world.state, tool, job)
        _quota.check_definitions(tool, job)
        record = JobRecord(job, created=now)
        tool.jobs[name] = record
        _start(world, tool, record, now)
        message, changed = f"Job {name} created in storage and runtime", True
        tool.event(now, "created", name, user, message)
    elif existing.spec == job and existing.up_to_date:
        message, changed = f"Job {name} is already up to date", False
    else:
        same = existing.spec == job
        if not same:
            _jobspec.check_runtime(world.state, tool, job)
            _quota.check_definitions(tool, job)
        existing.spec, existing.up_to_date = job, True
        if existing.job_type != "scheduled" or not same:
            _start(world, tool, existing, now)
        where = "runtime only" if same else "storage and runtime"
        message, changed = f"Job {name} was updated in {where}", True
        tool.event(now, "updated", name, user, message)
    return web.json_response({"job_changed": changed, "messages": _messages([message])})


@_route("DELETE", _JOBS)
async def flush_jobs(request: web.Request) -> web.Response:
    _, now, tool = _context(request)
    for name in list(tool.jobs):
        tool.event(now, "deleted", name, _user(request, tool), f"Job {name} deleted")
    tool.jobs.clear()
    return web.json_response({"messages": _messages()})


@_route("GET", _JOB)
async def get_job(request: web.Request) -> web.Response:
    world, now, tool = _context(request)
    record = _job(tool, request.match_info["name"])
    warnings = [] if record.up_to_date else [_OUT_OF_SYNC.format(record.name)]
    body = {"job": _show(world, tool, record, now, _include_unset(request)),
            "messages": _messages(warning=warnings)}  # fmt: skip
    return web.json_response(body)


@_route("DELETE", _JOB)
async def delete_job(request: web.Request) -> web.Response:
    _, now, tool = _context(request)
    record = _job(tool, request.match_info["name"])
    del tool.jobs[record.name]
    tool.event(now, "deleted", record.name, _user(request, tool), f"Job {record.name} deleted")
    return web.json_response({"messages": _messages()})


@_route("POST", _JOB + "/restart")
async def restart_job(request: web.Request) -> web.Response:
    """Continuous: a new pod from the same definition (a crash's cause stays); scheduled: a
    run now. Either way the image is looked up again, so a new build is picked up."""
    world, now, tool = _context(request)
    record = _job(tool, request.match_info["name"])
    if record.job_type == "one-off":
        raise ApiError(400, "Unable to restart a one-off job")
    if record.job_type == "scheduled":
        record.last_schedule = now
    world.runtime.start_pod(tool, record, now)
    tool.restarts[record.name] += 1
    tool.event(now, "restarted", record.name, _user(request, tool))
    return web.json_response({"messages": _messages()})


@_route("GET", _JOB + "/logs")
async def stream_job_logs(request: web.Request) -> web.StreamResponse:
    """The jobs API's own (older) log endpoint: NDJSON as ``text/plain``, live with follow."""
    _, _, tool = _context(request)
    name = check_name(request.match_info["name"])
    if name in tool.jobs and _jobspec.resolved_filelog(tool.jobs[name].spec):
        raise ApiError(
            404,
            f"Job '{name}' has file logging enabled, which is incompatible with the logs command",
        )
    try:
        lines = int(request.query.get("lines", "500"))
    except ValueError:
        raise ApiError(400, "Unable to parse lines as integer") from None
    if lines > 5000:
        raise ApiError(400, f"Requested number of {lines} lines is over limit of 5000")
    entries = tool.logs.get(name, [])
    if not entries:
        raise ApiError(404, f"Job '{name}' does not have any logs available")
    backlog = list(entries[-lines:])
    response = await _streams.open_stream(request, "text/plain; charset=utf8")
    if request.query.get("follow", "") != "true":
        return await _streams.follow(request, response, lambda: (backlog, True), _streams.ndjson)
    fetch = _streams.tail(request.app[WORLD], lambda: tool.logs.get(name, []), backlog)
    return await _streams.follow(request, response, fetch, _streams.ndjson)


@_route("GET", "/jobs/v1/tool/{tool}/images")
async def list_images(request: web.Request) -> web.Response:
    _, _, tool = _context(request)
    images = [
        {"shortname": short, "image": _images.prebuilt_url(short)}
        for short, status in sorted(_images.PREBUILT_IMAGES.items())
        if status == "stable"
    ]
    seen: set[str] = set()
    for build in tool.builds:
        short = f"tool-{tool.name}/{build.image_name}:latest"
        if build.status == "BUILD_SUCCESS" and short not in seen:
            seen.add(short)
            images.append({"shortname": short, "image": build.data["destination_image"]})
    return web.json_response({"images": images, "messages": _messages()})


@_route("GET", "/jobs/v1/tool/{tool}/quotas")
async def quotas(request: web.Request) -> web.Response:
    _, _, tool = _context(request)
    quota = {"categories": _quota.categories(tool)}
    return web.json_response({"quota": quota, "messages": _messages()})


@routes.get("/jobs/v1/healthz")
async def healthz(request: web.Request) -> web.Response:
    body = {"health": {"status": "OK", "message": "OK"}, "messages": _messages()}
    return web.json_response(body)


@routes.get("/jobs/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.Response(text=spec_json("jobs"), content_type="application/json")
