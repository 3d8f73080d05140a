"""The envvars API (``/envvars/v1/...``) of the sandbox: POST creates or replaces."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from bot.toolforge.sandbox._jobs_routes import read_json
from bot.toolforge.sandbox._state import ApiError, ToolState
from bot.toolforge.sandbox._world import WORLD

routes = web.RouteTableDef()
_ENVVAR_NAME = re.compile(r"^[A-Z][A-Z_0-9]{2,}[A-Z0-9]$")
_ENVVARS = "/envvars/v1/tool/{tool}/envvars"
QUOTA = 100


def _tool(request: web.Request) -> ToolState:
    return request.app[WORLD].tool(request.match_info["tool"])


def _messages() -> dict[str, Any]:
    return {"info": [], "warning": [], "error": []}


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
    body = await read_json(request)
    if not isinstance(body, dict) or "name" not in body or "value" not in body:
        raise ApiError(422, "name and value are required")
    name = str(body["name"])
    if not _ENVVAR_NAME.match(name):
        raise ApiError(
            400, f"Invalid envvar name '{name}': use upper case letters, digits and _ (4+ chars)"
        )
    if name not in tool.envvars and len(tool.envvars) >= QUOTA:
        raise ApiError(400, f"Quota exceeded: this tool already has {QUOTA} envvars")
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
    quota = {"quota": QUOTA, "used": len(tool.envvars)}
    return web.json_response({"quota": quota, "messages": _messages()})


@routes.get("/envvars/v1/healthz")
async def envvars_healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "OK", "messages": _messages()})
