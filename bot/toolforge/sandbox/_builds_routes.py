"""The builds API (``/builds/v1/...``) of the sandbox (see :mod:`._buildsim` for the lifecycle).

Requests are checked against the vendored OpenAPI document first, as the real
service's request validator does (400 ``{"message": ...}``); the tool is taken
from the gateway's header, and a build id of another tool is a 401.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from bot.toolforge.sandbox import _buildsim, _streams
from bot.toolforge.sandbox._openapi import spec_json
from bot.toolforge.sandbox._state import ApiError, BuildRecord, ToolState
from bot.toolforge.sandbox._world import WORLD

routes = web.RouteTableDef()
_BUILDS = "/builds/v1/tool/{tool}/builds"
_BUILD = "/builds/v1/tool/{tool}/builds/{build_id}"
_ENVVAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z_0-9]{2,}$")
_QUOTA = {"name": "Storage", "limit": "976.56Mi", "used": "212.13Mi", "available": "764.43Mi",
          "capacity": "22%"}  # fmt: skip


def _tool(request: web.Request) -> ToolState:
    world = request.app[WORLD]
    world.now()
    return world.tool(request.match_info["tool"])


def _build(request: web.Request) -> tuple[ToolState, BuildRecord]:
    tool = _tool(request)
    build_id = request.match_info["build_id"]
    if not build_id.startswith(f"{tool.name}-buildpacks-pipelinerun-"):
        raise ApiError(
            401,
            f"Build '{build_id}' does not exist or belong to tool '{tool.name}'. "
            "Use `toolforge build list` to see your builds.",
        )
    for build in tool.builds:
        if build.build_id == build_id:
            return tool, build
    raise ApiError(404, f"Build with id {build_id} not found.")


@routes.post(_BUILDS)
async def start_build(request: web.Request) -> web.Response:
    tool = _tool(request)
    try:
        params: Any = json.loads(await request.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        # (the request validator normally answers first; this is echo's binder)
        return web.json_response(f"Bad parameters passed: {error}", status=400)
    envvars = params.get("envvars") or {}
    for name in envvars:
        if not _ENVVAR_NAME.match(str(name)):
            raise ApiError(
                400,
                "Not valid environment variables passed: not valid environment variable name, "
                f"must match '{_ENVVAR_NAME.pattern}', got '{name}'",
            )
    world = request.app[WORLD]
    build = _buildsim.start(tool, params, world.now(), world.read_repo)
    new_build = {"name": build.build_id, "resolved_ref": build.data["resolved_ref"],
                 "parameters": build.data["parameters"]}  # fmt: skip
    return web.json_response({"new_build": new_build, "messages": {"info": [], "warning": []}})


@routes.get(_BUILDS)
async def list_builds(request: web.Request) -> web.Response:
    tool = _tool(request)
    return web.json_response({"builds": [b.data for b in tool.builds], "messages": {}})


@routes.get(_BUILDS + "/latest")
async def latest_build(request: web.Request) -> web.Response:
    tool = _tool(request)
    if not tool.builds:
        raise ApiError(404, "No builds exist yet.")
    return web.json_response({"build": tool.builds[0].data, "messages": {}})


@routes.get(_BUILD)
async def get_build(request: web.Request) -> web.Response:
    _, build = _build(request)
    return web.json_response({"build": build.data, "messages": {}})


@routes.delete(_BUILD)
async def delete_build(request: web.Request) -> web.Response:
    tool, build = _build(request)
    tool.builds.remove(build)
    return web.json_response({"id": build.build_id, "messages": {}})


@routes.put(_BUILD + "/cancel")
async def cancel_build(request: web.Request) -> web.Response:
    _, build = _build(request)
    _buildsim.cancel(build, request.app[WORLD].now())
    return web.json_response({"id": build.build_id, "messages": {}})


@routes.get(_BUILD + "/logs")
async def build_logs(request: web.Request) -> web.StreamResponse:
    """One ``{"line": ...}`` per line; with ``follow`` the stream lasts until the build ends."""
    _, build = _build(request)
    world = request.app[WORLD]
    follow = request.query.get("follow", "false").lower() in ("true", "1", "t")
    if not follow and build.status == "BUILD_PENDING":
        raise ApiError(
            500, f"Error getting the logs for {build.build_id}: pipelineRun not yet started"
        )
    response = await _streams.open_stream(request, "text/plain; charset=utf-8")
    sent = 0

    def fetch() -> tuple[list[Any], bool]:
        nonlocal sent
        now = world.now()
        lines = _buildsim.visible_log(build, now)
        fresh, sent = lines[sent:], len(lines)
        return [{"line": line} for line in fresh], not follow or build.finished

    return await _streams.follow(request, response, fetch, _streams.ndjson)


@routes.post("/builds/v1/tool/{tool}/clean")
async def clean(request: web.Request) -> web.Response:
    _tool(request)
    return web.json_response({"messages": {"info": ["Nothing to clean up"]}})


@routes.get("/builds/v1/tool/{tool}/quotas")
async def quotas(request: web.Request) -> web.Response:
    _tool(request)
    quota = {"categories": [{"name": "Registry", "items": [dict(_QUOTA)]}]}
    return web.json_response({"quota": quota, "messages": {}})


@routes.get("/builds/v1/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "OK", "messages": {"info": ["All systems normal"]}})


@routes.get("/builds/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.Response(text=spec_json("builds"), content_type="application/json")
