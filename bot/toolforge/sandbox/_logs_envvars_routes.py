"""The logs API (``/logs/v1/...``) and the envvars API (``/envvars/v1/...``) of the sandbox."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.toolforge.sandbox._state import STATE, ApiError, ToolState

routes = web.RouteTableDef()
_MAX_PAGE = 500
_ENVVAR_NAME = re.compile(r"^[A-Z][A-Z_0-9]{2,}[A-Z0-9]$")
_ENVVARS = "/envvars/v1/tool/{tool}/envvars"


def _tool(request: web.Request) -> ToolState:
    return request.app[STATE].tool(request.match_info["tool"])


def _int(request: web.Request, name: str, default: int) -> int:
    try:
        return int(request.query.get(name, default))
    except ValueError:
        raise ApiError(422, f"{name} must be an integer") from None


def _messages() -> dict[str, Any]:
    return {"info": [], "warning": [], "error": []}


@routes.get("/logs/v1/tool/{tool}/job/{job}/logs")
async def job_logs(request: web.Request) -> web.Response:
    """One page of a job's logs; ``data.next.url`` leads to the following page."""
    tool = _tool(request)
    job = request.match_info["job"]
    entries = tool.logs.get(job, [])
    if not entries:
        raise ApiError(404, f"No logs found for job '{job}'")
    if request.query.get("direction", "oldest_first") == "newest_first":
        entries = entries[::-1]
    wanted = min(_int(request, "lines", len(entries)), len(entries))
    offset = _int(request, "cursor", 0)
    size = min(request.app[STATE].log_page_size, _MAX_PAGE)
    page = entries[offset : min(offset + size, wanted)]
    following = None
    if offset + len(page) < wanted and page:
        query = {**request.query, "cursor": str(offset + len(page))}
        following = {"url": f"{request.path}?{urlencode(query)}"}
    body = {"data": {"logs": page, "next": following}, "messages": _messages()}
    return web.json_response(body)


@routes.get("/logs/v1/tool/{tool}/job/{job}/logs_stream")
async def job_logs_stream(request: web.Request) -> web.Response:
    tool = _tool(request)
    entries = tool.logs.get(request.match_info["job"], [])
    wanted = _int(request, "lines", len(entries))
    text = "".join(json.dumps(e) + "\n" for e in entries[max(0, len(entries) - wanted) :])
    return web.Response(text=text, content_type="application/json")


@routes.get("/logs/v1/healthz")
async def logs_healthz(request: web.Request) -> web.Response:
    return web.json_response({"data": {"status": "OK"}, "messages": _messages()})


def _envvar(tool: ToolState, name: str) -> dict[str, str]:
    if name not in tool.envvars:
        raise ApiError(404, f"Envvar '{name}' does not exist")
    return {"name": name, "value": tool.envvars[name]}


@routes.get(_ENVVARS)
async def list_envvars(request: web.Request) -> web.Response:
    tool = _tool(request)
    envvars = [{"name": k, "value": v} for k, v in sorted(tool.envvars.items())]
    return web.json_response({"envvars": envvars, "messages": _messages()})


@routes.get(_ENVVARS + "/{name}")
async def get_envvar(request: web.Request) -> web.Response:
    envvar = _envvar(_tool(request), request.match_info["name"])
    return web.json_response({"envvar": envvar, "messages": _messages()})


@routes.post(_ENVVARS)
async def set_envvar(request: web.Request) -> web.Response:
    tool = _tool(request)
    try:
        body: Any = await request.json()
    except json.JSONDecodeError:
        raise ApiError(422, "the body is not valid JSON") from None
    if not isinstance(body, dict) or "name" not in body or "value" not in body:
        raise ApiError(422, "name and value are required")
    name = str(body["name"])
    if not _ENVVAR_NAME.match(name):
        raise ApiError(
            400, f"Invalid envvar name '{name}': use upper case letters, digits and _ (4+ chars)"
        )
    tool.envvars[name] = str(body["value"])
    return web.json_response({"envvar": _envvar(tool, name), "messages": _messages()})


@routes.delete(_ENVVARS + "/{name}")
async def delete_envvar(request: web.Request) -> web.Response:
    tool = _tool(request)
    envvar = _envvar(tool, request.match_info["name"])
    del tool.envvars[envvar["name"]]
    return web.json_response({"envvar": envvar, "messages": _messages()})


@routes.get("/envvars/v1/tool/{tool}/quotas")
async def envvar_quotas(request: web.Request) -> web.Response:
    tool = _tool(request)
    quota = {"quota": 100, "used": len(tool.envvars)}
    return web.json_response({"quota": quota, "messages": _messages()})


@routes.get("/envvars/v1/healthz")
async def envvars_healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "OK", "messages": _messages()})
