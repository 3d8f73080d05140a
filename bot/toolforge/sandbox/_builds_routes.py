"""The builds API (``/builds/v1/...``) of the sandbox.

A started build is pending, then running, then finished: it moves one step per
``Sandbox.advance_builds()`` call or per ``build_step_seconds``. A build whose
``source_url`` contains ``fail`` ends in BUILD_FAILURE with a pip error in its log.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from aiohttp import web

from bot.toolforge.sandbox._state import (
    STATE,
    ApiError,
    BuildRecord,
    ToolState,
    build_message,
    fake_hex,
    rfc3339,
    utcnow,
)

routes = web.RouteTableDef()
_BUILDS = "/builds/v1/tool/{tool}/builds"
_BUILD = "/builds/v1/tool/{tool}/builds/{build_id}"
_ENVVAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z_0-9]{2,}$")
_MAX_RUNNING = 4
_RUNNING_STAGE_LINES = 4  # how much of the log a running build has written


def _tool(request: web.Request) -> ToolState:
    state = request.app[STATE]
    state.refresh()
    return state.tool(request.match_info["tool"])


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


def _started_log(source_url: str, ref: str, image: str, fails: bool) -> list[str]:
    lines = [
        f"[step-clone] Cloning {source_url} at {ref}",
        "[step-build] ===> DETECTING",
        "[step-build] heroku/python 0.17.0",
        "[step-build] ===> BUILDING",
        "[step-build] Installing requirements with pip",
    ]
    if fails:
        return lines + [
            "[step-build] ERROR: No matching distribution found for sandbox-missing-package==0.0.0",
            "[step-build] ERROR: failed to build: exit status 1",
        ]
    return lines + [f"[step-export] Saving {image}..."]


def _bad_parameters(reason: str) -> web.Response:
    # The builds API answers a malformed body with a bare JSON string.
    return web.json_response(f"Bad parameters passed: {reason}", status=400)


@routes.post(_BUILDS)
async def start_build(request: web.Request) -> web.Response:
    tool = _tool(request)
    try:
        params: Any = await request.json()
    except json.JSONDecodeError:
        return _bad_parameters("the body is not JSON")
    if not isinstance(params, dict) or not params.get("source_url"):
        return _bad_parameters("source_url is required")
    source_url, ref = str(params["source_url"]), str(params.get("ref") or "HEAD")
    if not source_url.startswith(("https://", "http://")):
        raise ApiError(
            400,
            f"Failed to resolve ref {ref}, maybe the repository {source_url} is not public? "
            "Make sure the repository is reachable over https.",
        )
    envvars = params.get("envvars") or {}
    bad = [name for name in envvars if not _ENVVAR_NAME.match(str(name))]
    if bad:
        raise ApiError(400, f"Invalid environment variable names: {', '.join(bad)}")
    running = [b for b in tool.builds if not b.finished]
    if len(running) >= _MAX_RUNNING:
        raise ApiError(
            409,
            f"Got too many builds running ({len(running)} out of {_MAX_RUNNING} max), "
            "cancel some or wait for them to finish",
        )
    build_id = f"{tool.name}-buildpacks-pipelinerun-{uuid.uuid4().hex[:5]}"
    image_name = str(params.get("image_name") or f"tool-{tool.name}")
    image = f"tools-harbor.wmcloud.org/tool-{tool.name}/{image_name}:latest"
    parameters = {
        "source_url": source_url,
        "ref": ref,
        "envvars": envvars,
        "image_name": image_name,
        "use_latest_versions": bool(params.get("use_latest_versions", False)),
        "use_deprecated_versions": bool(params.get("use_deprecated_versions", False)),
    }
    now = utcnow()
    fails = "fail" in source_url
    data = {
        "build_id": build_id,
        "start_time": rfc3339(now),
        "end_time": "",
        "status": "BUILD_PENDING",
        "message": build_message("BUILD_PENDING", build_id),
        "parameters": parameters,
        "destination_image": image,
        "resolved_ref": fake_hex(source_url + ref, 40),
    }
    log = _started_log(source_url, ref, image, fails)
    final = "BUILD_FAILURE" if fails else "BUILD_SUCCESS"
    tool.builds.insert(0, BuildRecord(data, log, final_status=final, stage=0, started=now))
    new_build = {"name": build_id, "resolved_ref": data["resolved_ref"], "parameters": parameters}
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
    if build.data["status"] == "BUILD_CANCELLED":
        raise ApiError(
            409, f"Build {build.build_id} cannot be cancelled because it has already been cancelled"
        )
    if build.finished:
        raise ApiError(
            409, f"Build {build.build_id} cannot be cancelled because it has already completed"
        )
    build.data.update(status="BUILD_CANCELLED", end_time=rfc3339(utcnow()))
    build.data["message"] = build_message("BUILD_CANCELLED", build.build_id)
    return web.json_response({"id": build.build_id, "messages": {}})


@routes.get(_BUILD + "/logs")
async def build_logs(request: web.Request) -> web.Response:
    _, build = _build(request)
    lines = build.log
    if build.stage == 0:
        lines = []
    elif build.stage == 1 or build.data["status"] == "BUILD_CANCELLED":
        lines = build.log[:_RUNNING_STAGE_LINES]
    text = "".join(json.dumps({"line": line}) + "\n" for line in lines)
    return web.Response(text=text, content_type="application/json")


@routes.post("/builds/v1/tool/{tool}/clean")
async def clean(request: web.Request) -> web.Response:
    _tool(request)
    return web.json_response({"messages": {"info": ["Nothing to clean up"]}})


@routes.get("/builds/v1/tool/{tool}/quotas")
async def quotas(request: web.Request) -> web.Response:
    _tool(request)
    item = {"name": "Storage", "limit": "976.56Mi", "used": "212.13Mi", "available": "764.43Mi"}
    quota: dict[str, Any] = {
        "categories": [{"name": "Registry", "items": [{**item, "capacity": "22%"}]}]
    }
    return web.json_response({"quota": quota, "messages": {}})


@routes.get("/builds/v1/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "OK", "messages": {"info": ["All systems normal"]}})
