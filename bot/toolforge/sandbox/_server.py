"""``Sandbox``: an in-process HTTP server that imitates the Toolforge API gateway."""

from __future__ import annotations

import asyncio
import hmac
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiohttp import web

from bot.toolforge.sandbox import _builds_routes, _jobs_routes, _logs_envvars_routes
from bot.toolforge.sandbox._state import STATE, ApiError, load_state, set_stage

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_TOOL_PATH = re.compile(r"^/(?:jobs|builds|envvars|logs|components)/v1/tool/([^/]+)(?:/|$)")
_GATEWAY_PAGES = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


@dataclass
class _Failure:
    status: int
    count: int
    path_prefix: str | None


class Sandbox:
    """The jobs, builds, logs and envvars APIs of a few sample tools, over real HTTP.

    Gateway behaviour: tool-scoped paths need ``Authorization: Bearer <token>``
    when ``require_token`` (any tool, like a superuser certificate) or
    ``tool_tokens`` (one tool each, like tool certificates) is set, else 403.
    With an ``ssl_context`` that asks for client certificates it is the real
    gateway's mTLS: a certificate whose CN is the tool in the path, or one of
    ``superusers``, may act; any other gets 403. ``*/healthz`` is always open.
    An unknown tool answers 404 ``{"error": ["Tool 'x' does not exist"]}``
    (the real gateway's answer for that case is not documented; a 404 with
    the API's error shape is the closest honest imitation).

    Faults for tests and benchmarks: ``latency`` (seconds added to every
    request, without blocking other requests), ``fail_next()``,
    ``hang_next()``; every request is logged in ``requests`` as (method, path).
    """

    def __init__(
        self,
        data_file: Path | None = None,
        *,
        require_token: str | None = None,
        tool_tokens: dict[str, str] | None = None,
        build_step_seconds: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        superusers: tuple[str, ...] = ("forgebot",),
    ) -> None:
        self.state = load_state(data_file)
        self.state.build_step_seconds = build_step_seconds
        self.require_token = require_token
        self.tool_tokens = dict(tool_tokens or {})
        self.ssl_context = ssl_context
        self.superusers = superusers
        self.latency = 0.0
        self.requests: list[tuple[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests it was answering at once
        self.base_url = ""
        self._failures: list[_Failure] = []
        self._hangs = 0
        self._hang_method: str | None = None
        self._hang_path: str | None = None
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------

    def make_app(self) -> web.Application:
        @web.middleware
        async def gateway(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._gateway(request, handler)

        app = web.Application(middlewares=[gateway])
        app[STATE] = self.state
        for module in (_jobs_routes, _builds_routes, _logs_envvars_routes):
            app.add_routes(module.routes)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on the running loop; returns the base URL (with the real port)."""
        self._release = asyncio.Event()
        # handler_cancellation: a hung request ends when its client gives up.
        runner = web.AppRunner(self.make_app(), handler_cancellation=True, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port, ssl_context=self.ssl_context).start()
        self._runner = runner
        real_port = runner.addresses[0][1]
        shown_host = f"[{host}]" if ":" in host else host
        scheme = "https" if self.ssl_context else "http"
        self.base_url = f"{scheme}://{shown_host}:{real_port}"
        return self.base_url

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- the world, for tests ---------------------------------------------

    @property
    def tools(self) -> list[str]:
        return sorted(self.state.tools)

    @property
    def fake_secrets(self) -> tuple[str, ...]:
        """Every fake secret in the sample data; each contains ``SECRET``."""
        return tuple(self.state.secrets)

    def maintainers(self, tool: str) -> list[str]:
        return list(self.state.tools[tool].maintainers)

    def restart_count(self, tool: str, job: str) -> int:
        """How many restarts of this job the sandbox has performed."""
        return self.state.tools[tool].restarts[job]

    def job_state(self, tool: str, job: str) -> str:
        return str(self.state.tools[tool].jobs[job].status.get("short"))

    def append_logs(self, tool: str, job: str, messages: list[str]) -> None:
        self.state.tools[tool].add_logs(job, list(messages))

    def advance_builds(self, steps: int = 1) -> None:
        """Move every unfinished build on: pending -> running -> success/failure."""
        for tool in self.state.tools.values():
            for build in tool.builds:
                set_stage(build, build.stage + steps)

    # -- faults ------------------------------------------------------------

    def fail_next(self, status: int = 500, count: int = 1, path_prefix: str | None = None) -> None:
        """Answer the next ``count`` requests (under ``path_prefix``) with ``status``."""
        self._failures.append(_Failure(status, count, path_prefix))

    def hang_next(
        self, count: int = 1, method: str | None = None, path_prefix: str | None = None
    ) -> None:
        """Never answer the next ``count`` requests (of ``method`` and under
        ``path_prefix``, if given) until the client gives up or the sandbox stops."""
        self._hangs += count
        self._hang_method = method
        self._hang_path = path_prefix

    def _injected_failure(self, path: str) -> web.Response | None:
        for failure in self._failures:
            if failure.count > 0 and path.startswith(failure.path_prefix or ""):
                failure.count -= 1
                if failure.status in _GATEWAY_PAGES:  # nginx in front answers with HTML
                    title = f"{failure.status} {_GATEWAY_PAGES[failure.status]}"
                    page = f"<html><head><title>{title}</title></head><body>{title}</body></html>"
                    return web.Response(text=page, status=failure.status, content_type="text/html")
                body = {"error": [f"sandbox: injected HTTP {failure.status}"]}
                return web.json_response(body, status=failure.status)
        self._failures = [f for f in self._failures if f.count > 0]
        return None

    # -- the gateway -------------------------------------------------------

    def _authorised(self, request: web.Request, tool: str) -> bool:
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        if peer:
            names = [v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"]
            return bool(names) and (names[0] == tool or names[0] in self.superusers)
        if self.require_token is None and not self.tool_tokens:
            return True
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        allowed = [t for t in (self.require_token, self.tool_tokens.get(tool)) if t]
        return bool(token) and any(hmac.compare_digest(token, t) for t in allowed)

    async def _gateway(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request, handler)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if (
            self._hangs > 0
            and self._hang_method in (None, request.method)
            and request.path.startswith(self._hang_path or "")
        ):
            self._hangs -= 1
            await self._release.wait()
            return web.json_response({"error": ["the sandbox stopped"]}, status=504)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        injected = self._injected_failure(request.path)
        if injected is not None:
            return injected
        scoped = _TOOL_PATH.match(request.path)
        try:
            if scoped:
                tool = scoped.group(1)
                if not self._authorised(request, tool):
                    message = f"Forbidden: the credentials presented do not allow tool '{tool}'"
                    raise ApiError(403, message)
                self.state.tool(tool)
            return await handler(request)
        except ApiError as error:
            return error.response()
        except web.HTTPException as error:
            if error.status < 400:
                raise
            return web.json_response({"error": [error.reason]}, status=error.status)
