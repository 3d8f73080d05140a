"""The logs API (``/logs/v1/...``): a job's logs, the tool-wide logs, and their live tail.

Only what the runtime wrote reaches it: jobs that log to files have no entries
here, as in Toolforge. Pages hold at most 500 entries and ``data.next.url``
leads on; ``since``/``until`` bound the window (default: the last hour).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.toolforge.sandbox import _streams
from bot.toolforge.sandbox._state import ApiError, ToolState
from bot.toolforge.sandbox._window import inside, window
from bot.toolforge.sandbox._world import WORLD

routes = web.RouteTableDef()
_MAX_PAGE = 500


def _int(request: web.Request, name: str, default: int) -> int:
    try:
        return int(request.query.get(name, default))
    except ValueError:
        raise ApiError(422, f"{name} must be an integer") from None


def _messages() -> dict[str, Any]:
    return {"info": [], "warning": [], "error": []}


def _page(request: web.Request, entries: list[dict[str, Any]]) -> web.Response:
    """One page of ``entries`` (in the order asked for) and the URL of the next one."""
    wanted = _int(request, "lines", 0) or len(entries)
    if request.query.get("direction", "oldest_first") == "newest_first":
        entries = entries[::-1]
    entries = entries[:wanted]
    offset = _int(request, "cursor", 0)
    size = min(request.app[WORLD].state.log_page_size, _MAX_PAGE)
    page = entries[offset : offset + size]
    following = None
    if offset + len(page) < len(entries) and page:
        query = {**request.query, "cursor": str(offset + len(page))}
        following = {"url": f"{request.path}?{urlencode(query)}"}
    body = {"data": {"logs": page, "next": following}, "messages": _messages()}
    return web.json_response(body)


def _job_entries(request: web.Request, until: str | None) -> tuple[Any, ToolState, str, list]:
    """The world, the tool, the job and its entries inside the asked window."""
    world = request.app[WORLD]
    now = world.now()
    tool = world.tool(request.match_info["tool"])
    job = request.match_info["job"]
    start, end = window(request.query.get("since"), until, now)
    return world, tool, job, [e for e in tool.logs.get(job, []) if inside(e, start, end)]


@routes.get("/logs/v1/tool/{tool}/job/{job}/logs")
async def job_logs(request: web.Request) -> web.Response:
    _, _, job, entries = _job_entries(request, request.query.get("until"))
    if not entries:
        raise ApiError(404, f"No logs found for job '{job}'")
    return _page(request, entries)


@routes.get("/logs/v1/tool/{tool}/job/{job}/logs_stream")
async def job_logs_stream(request: web.Request) -> web.StreamResponse:
    """``toolforge jobs logs -f``: the last lines, then new ones as the job writes them."""
    world, tool, job, entries = _job_entries(request, None)
    wanted = _int(request, "lines", len(entries))
    backlog = entries[max(0, len(entries) - wanted) :]
    response = await _streams.open_stream(request, "application/x-ndjson")
    fetch = _streams.tail(world, lambda: tool.logs.get(job, []), backlog)
    return await _streams.follow(request, response, fetch, _streams.ndjson)


def _run_log(job: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {"source": "run-logs", "job_name": job, **entry}


def _csv(request: web.Request, name: str) -> set[str]:
    return {part for part in request.query.get(name, "").split(",") if part}


@routes.get("/logs/v1/tool/{tool}/logs")
async def tool_logs(request: web.Request) -> web.Response:
    """All of a tool's logs (``toolforge-logs``): job output and job events, by time."""
    world = request.app[WORLD]
    now = world.now()
    tool = world.tool(request.match_info["tool"])
    start, end = window(request.query.get("since"), request.query.get("until"), now)
    sources = _csv(request, "sources") or {"run-logs", "jobs", "deployments"}
    names = _csv(request, "job_names")
    merged: list[dict[str, Any]] = []
    if "run-logs" in sources:
        for job, entries in tool.logs.items():
            if not names or job in names:
                merged += [_run_log(job, e) for e in entries if inside(e, start, end)]
    if "jobs" in sources:
        merged += [e for e in tool.events if (not names or e["job_name"] in names)
                   and inside(e, start, end)]  # fmt: skip
    merged.sort(key=lambda e: e["datetime"])
    return _page(request, merged)


@routes.get("/logs/v1/healthz")
async def logs_healthz(request: web.Request) -> web.Response:
    return web.json_response({"data": {"status": "OK"}, "messages": _messages()})


@routes.get("/logs/openapi.json")
async def logs_openapi(request: web.Request) -> web.Response:
    # The logs API's own document is not public; the sandbox names what it serves.
    paths = ["/v1/tool/{tool}/job/{job}/logs", "/v1/tool/{tool}/job/{job}/logs_stream",
             "/v1/tool/{tool}/logs", "/v1/healthz"]  # fmt: skip
    body = {"openapi": "3.1.0", "info": {"title": "Toolforge logs API (sandbox)", "version": "0"},
            "paths": {path: {"get": {}} for path in paths}}  # fmt: skip
    return web.Response(text=json.dumps(body), content_type="application/json")
