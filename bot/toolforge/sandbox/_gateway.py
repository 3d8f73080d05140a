"""The API gateway in front of the sandbox's services: who may call, and spec checks.

Tool-scoped paths need a credential for the tool (see :class:`Sandbox`); the
gateway then passes the tool on as ``X-Toolforge-Tool``, as the real one does.
Builds requests are validated against the builds document before they are
handled; every JSON answer of the jobs and builds APIs is validated against
its document, and an answer that does not fit is recorded and turned into a
500, so a sandbox bug cannot pass for the real API's behaviour.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.toolforge.sandbox import _openapi
from bot.toolforge.sandbox._state import ApiError

TOOL_PATH = re.compile(r"^/(?:jobs|builds|envvars|logs|components)/v1/tool/([^/]+)(?:/|$)")
_SERVICE_PATH = re.compile(r"^/(jobs|builds)(/v1/.*|/openapi\.json)$")
LOG = logging.getLogger("forgebot.sandbox")
# Who called, for the job events of the logs API (aiohttp >= 3.12 wants a typed key).
CALLER: Any = web.RequestKey("sandbox_user", str) if hasattr(web, "RequestKey") else "sandbox_user"


@dataclass
class Gateway:
    require_token: str | None = None
    tool_tokens: dict[str, str] = field(default_factory=dict)
    superusers: tuple[str, ...] = ("forgebot",)
    validate: bool = True
    violations: list[str] = field(default_factory=list)

    def caller(self, request: web.Request, tool: str) -> str | None:
        """Who is calling for ``tool`` (None: not allowed)."""
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        if peer:
            names = [v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"]
            if names and (names[0] == tool or names[0] in self.superusers):
                return str(names[0])
            return None
        if self.require_token is None and not self.tool_tokens:
            return tool
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        if (
            token
            and self.tool_tokens.get(tool)
            and hmac.compare_digest(token, self.tool_tokens[tool])
        ):
            return tool
        if token and self.require_token and hmac.compare_digest(token, self.require_token):
            return self.superusers[0] if self.superusers else tool
        return None

    def authorise(self, request: web.Request) -> None:
        scoped = TOOL_PATH.match(request.path)
        if not scoped:
            return
        tool = scoped.group(1)
        caller = self.caller(request, tool)
        if caller is None:
            raise ApiError(403, f"Forbidden: the credentials presented do not allow tool '{tool}'")
        request[CALLER] = caller

    def _call(self, request: web.Request, body: bytes | None) -> tuple[str, _openapi.Call] | None:
        found = _SERVICE_PATH.match(request.path)
        if not self.validate or not found:
            return None
        path = found.group(2)
        path = path.rstrip("/") or path
        scoped = TOOL_PATH.match(request.path)
        headers = {k: v for k, v in request.headers.items()}
        if scoped:
            headers["X-Toolforge-Tool"] = scoped.group(1)
        call = _openapi.Call(
            path=path, method=request.method.lower(), body=body,
            content_type=request.content_type, query=dict(request.query), headers=headers,
        )  # fmt: skip
        return found.group(1), call

    async def check_request(self, request: web.Request) -> web.Response | None:
        """The builds service's request validator: 400 ``{"message": ...}`` when refused."""
        if not request.path.startswith("/builds/") or request.method not in ("POST", "PUT"):
            return None
        body = await request.read() or None
        found = self._call(request, body)
        if found is None:
            return None
        try:
            json.loads(body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            message = f"request body has an error: failed to decode request body: {error}"
            return web.json_response({"message": message}, status=400)
        problem = _openapi.check_request(*found)
        if problem is None:
            return None
        return web.json_response({"message": f"request body has an error: {problem}"}, status=400)

    async def check_response(
        self, request: web.Request, response: web.StreamResponse
    ) -> web.StreamResponse:
        if not isinstance(response, web.Response) or not 200 <= response.status < 300:
            return response
        if response.content_type != "application/json":
            return response
        found = self._call(request, await request.read() or None)
        if found is None:
            return response
        body = response.body if isinstance(response.body, bytes) else b""
        answer = _openapi.Answer(response.status, body, response.content_type)
        problem = _openapi.check_response(found[0], found[1], answer)
        if problem is None:
            return response
        message = f"{request.method} {request.path}: {problem}"
        self.violations.append(message)
        LOG.error("sandbox answer does not match the OpenAPI document: %s", message)
        return web.json_response(
            {"error": [f"sandbox: answer does not match the API's OpenAPI document: {problem}"]},
            status=500,
        )
