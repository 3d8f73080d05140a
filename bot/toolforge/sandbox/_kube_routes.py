"""The few Kubernetes API endpoints forgebot uses for classic web services.

List and get Deployments and Pods in a tool's namespace (by label selector),
and delete a Pod. Errors are Kubernetes ``Status`` objects. Who may call is
the gateway's rule: a tool's own credential for its namespace ``tool-<tool>``,
a superuser's (forgebot's service account) for any; no credential is 401,
another tool's is 403, as the real API server answers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.toolforge.sandbox import _classic
from bot.toolforge.sandbox._gateway import Gateway
from bot.toolforge.sandbox._state import ToolState, rfc3339
from bot.toolforge.sandbox._world import WORLD

routes = web.RouteTableDef()
GATEWAY = web.AppKey("sandbox_gateway", Gateway)
_KINDS = {"deployments": ("apps", "Deployment"), "pods": ("", "Pod")}


def status(code: int, reason: str, message: str, **details: Any) -> web.Response:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}  # fmt: skip
    if details:
        body["details"] = details
    return web.json_response(body, status=code)


def _selected(selector: str, labels: dict[str, str]) -> bool:
    """Equality-based label selectors (``a=b,c==d,e!=f``), the only kind webservice uses."""
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
            continue
        key, _, value = term.replace("==", "=").partition("=")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


Scope = tuple[ToolState | None, web.Response | None]


def _scope(request: web.Request, verb: str, kind: str) -> Scope:
    """The tool whose namespace is asked about (None: no such namespace), or a refusal."""
    namespace = request.match_info["namespace"]
    tool_name = namespace.removeprefix("tool-") if namespace.startswith("tool-") else ""
    gateway = request.app[GATEWAY]
    header = request.headers.get("Authorization", "")
    anonymous = (gateway.require_token or gateway.tool_tokens) and not header
    peer = request.transport.get_extra_info("peercert") if request.transport else None
    if anonymous and not peer:
        return None, status(401, "Unauthorized", "Unauthorized")
    if gateway.caller(request, tool_name or namespace) is None:
        group = _KINDS[kind][0]
        return None, status(
            403, "Forbidden",
            f'{kind} is forbidden: User "{_who(request)}" cannot {verb} resource "{kind}" '
            f'in API group "{group}" in the namespace "{namespace}"',
            kind=kind,
        )  # fmt: skip
    return request.app[WORLD].state.tools.get(tool_name), None


def _who(request: web.Request) -> str:
    peer = request.transport.get_extra_info("peercert") if request.transport else None
    if peer:
        names = [v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"]
        return str(names[0]) if names else "unknown"
    return "system:serviceaccount:unknown"


def _list(kind: str, items: list[dict[str, Any]]) -> web.Response:
    group, name = _KINDS[kind]
    version = f"{group}/v1" if group else "v1"
    body = {"kind": f"{name}List", "apiVersion": version,
            "metadata": {"resourceVersion": "1"}, "items": items}  # fmt: skip
    return web.json_response(body)


def _objects(request: web.Request, tool: ToolState | None, kind: str) -> list[dict[str, Any]]:
    web_service = tool.classic if tool is not None else None
    if web_service is None:
        return []
    now = request.app[WORLD].now()
    if kind == "deployments":
        return [_classic.deployment(web_service, now)]
    return [_classic.pod(web_service, item, now) for item in web_service.pods]


async def _list_kind(request: web.Request, kind: str) -> web.Response:
    tool, refused = _scope(request, "list", kind)
    if refused is not None:
        return refused
    selector = request.query.get("labelSelector", "")
    objects = _objects(request, tool, kind)
    return _list(kind, [o for o in objects if _selected(selector, o["metadata"]["labels"])])


async def _get_kind(request: web.Request, kind: str) -> web.Response:
    tool, refused = _scope(request, "get", kind)
    if refused is not None:
        return refused
    name = request.match_info["name"]
    for item in _objects(request, tool, kind):
        if item["metadata"]["name"] == name:
            return web.json_response(item)
    return _not_found(kind, name)


def _not_found(kind: str, name: str) -> web.Response:
    return status(404, "NotFound", f'{kind}.{_KINDS[kind][0] or ""}'.rstrip(".")
                  + f' "{name}" not found', name=name, kind=kind)  # fmt: skip


@routes.get("/apis/apps/v1/namespaces/{namespace}/deployments")
async def list_deployments(request: web.Request) -> web.Response:
    return await _list_kind(request, "deployments")


@routes.get("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
async def get_deployment(request: web.Request) -> web.Response:
    return await _get_kind(request, "deployments")


@routes.get("/api/v1/namespaces/{namespace}/pods")
async def list_pods(request: web.Request) -> web.Response:
    return await _list_kind(request, "pods")


@routes.get("/api/v1/namespaces/{namespace}/pods/{name}")
async def get_pod(request: web.Request) -> web.Response:
    return await _get_kind(request, "pods")


@routes.delete("/api/v1/namespaces/{namespace}/pods/{name}")
async def delete_pod(request: web.Request) -> web.Response:
    tool, refused = _scope(request, "delete", "pods")
    if refused is not None:
        return refused
    name = request.match_info["name"]
    web_service = tool.classic if tool is not None else None
    now = request.app[WORLD].now()
    gone = web_service.delete_pod(name, now) if web_service is not None else None
    if web_service is None or gone is None:
        return _not_found("pods", name)
    shown = _classic.pod(web_service, gone, now)
    shown["metadata"]["deletionTimestamp"] = rfc3339(now)
    shown["metadata"]["deletionGracePeriodSeconds"] = 30
    return web.json_response(shown)
