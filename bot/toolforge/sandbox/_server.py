"""``Sandbox``: an in-process imitation of the Toolforge API gateway, its services and GitLab."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiohttp import web

from bot.toolforge.sandbox import (
    _builds_routes,
    _envvars_routes,
    _front,
    _jobs_routes,
    _kube_routes,
    _logs_routes,
    _streams,
)
from bot.toolforge.sandbox._clock import SimClock
from bot.toolforge.sandbox._controls import Controls
from bot.toolforge.sandbox._gateway import CALLER, Gateway
from bot.toolforge.sandbox._gitlab import GitLab
from bot.toolforge.sandbox._repos import seed_repositories
from bot.toolforge.sandbox._samples import load_state
from bot.toolforge.sandbox._state import ApiError
from bot.toolforge.sandbox._world import WORLD, World

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class _Failure:
    status: int
    count: int
    path_prefix: str | None


class Sandbox(Controls):
    """The jobs, builds, logs and envvars APIs of a few sample tools, over real HTTP.

    Time is simulated (:class:`SimClock`): tests move it with :meth:`advance`;
    ``clock.run_in_real_time(speed)`` lets it follow the wall clock. Jobs and
    builds live on it (see ``_runtime`` and ``_buildsim``). A small GitLab
    (``gitlab``) holds the sample tools' repositories; builds read from it.

    Gateway behaviour: tool-scoped paths need ``Authorization: Bearer <token>``
    when ``require_token`` (any tool, like a superuser certificate) or
    ``tool_tokens`` (one tool each, like tool certificates) is set, else 403.
    With an ``ssl_context`` that asks for client certificates it is the real
    gateway's mTLS: a certificate whose CN is the tool in the path, or one of
    ``superusers``, may act; any other gets 403. Health and OpenAPI documents
    are always open. An unknown tool answers 404 ``{"error": ["Tool 'x' does
    not exist"]}`` (the real gateway's answer is not documented).

    Faults for tests and benchmarks: ``latency`` (seconds added to every
    request, without blocking other requests), ``hold`` (an event every
    request waits for while it is set: tests prove requests overlap by
    counting them in flight, not by timing them), ``fail_next()``,
    ``hang_next()``; every request is logged in ``requests`` as (method, path).
    ``spec_violations`` lists answers that did not match the OpenAPI documents.
    """

    def __init__(
        self,
        data_file: Path | None = None,
        *,
        require_token: str | None = None,
        tool_tokens: dict[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        superusers: tuple[str, ...] = ("forgebot",),
        clock: SimClock | None = None,
        validate: bool = True,
        gitlab: bool = True,
    ) -> None:
        self.clock = clock or SimClock()
        self.gitlab = GitLab() if gitlab else None
        if self.gitlab is not None:
            seed_repositories(self.gitlab)
        state, runtime = load_state(data_file, self.clock.now())
        self.world = World(state, runtime, self.clock, self._read_repository)
        self.state = state
        self.gateway = Gateway(require_token, dict(tool_tokens or {}), superusers, validate)
        self.ssl_context = ssl_context
        self.latency = 0.0
        self.hold: asyncio.Event | None = None
        self.requests: list[tuple[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests it was answering at once
        self.base_url = ""
        self._failures: list[_Failure] = []
        self._cuts = _streams.StreamCuts()
        self._hangs = 0
        self._hang_method: str | None = None
        self._hang_path: str | None = None
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def _read_repository(self, url: str, ref: str) -> tuple[str, dict[str, str]] | None:
        """What a build's ``git ls-remote`` and clone find (None: a host it cannot reach)."""
        if not url.startswith(("https://", "http://")):
            raise ValueError("exit status 128")  # no ssh keys in the build service
        return self.gitlab.read_repository(url, ref) if self.gitlab else None

    @property
    def spec_violations(self) -> list[str]:
        return self.gateway.violations

    # -- lifecycle ---------------------------------------------------------

    def make_app(self) -> web.Application:
        @web.middleware
        async def gateway(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._gateway(request, handler)

        app = web.Application(middlewares=[gateway])
        app[WORLD] = self.world
        app[_kube_routes.GATEWAY] = self.gateway
        app[_streams.STOPPING] = self._release
        app[_streams.CUTS] = self._cuts
        modules = (_jobs_routes, _builds_routes, _logs_routes, _envvars_routes, _kube_routes)
        for module in (*modules, _front):
            app.add_routes(module.routes)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on the running loop; returns the base URL (with the real port)."""
        self._release = asyncio.Event()
        if self.gateway.validate:
            # off the loop, so a first request is not held up a second by spec loading
            from bot.toolforge.sandbox import _openapi

            await asyncio.to_thread(_openapi.warm)
        if self.gitlab is not None:
            await self.gitlab.start(host)
        # handler_cancellation: a hung request ends when its client gives up.
        runner = web.AppRunner(
            self.make_app(), handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
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
        if self.gitlab is not None:
            await self.gitlab.stop()

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

    def cut_streams(self, count: int = 1, *, abrupt: bool = False) -> None:
        """End the next ``count`` followed streams (job and build logs) once they have sent
        what they had: cleanly, or ``abrupt``ly by dropping the connection."""
        self._cuts.count += count
        self._cuts.abrupt = abrupt

    def _injected_failure(self, path: str) -> web.Response | None:
        for failure in self._failures:
            if failure.count > 0 and path.startswith(failure.path_prefix or ""):
                failure.count -= 1
                if _front.is_nginx_status(failure.status):  # nginx in front answers with HTML
                    return _front.nginx_page(failure.status)
                body = {"error": [f"sandbox: injected HTTP {failure.status}"]}
                return web.json_response(body, status=failure.status)
        self._failures = [f for f in self._failures if f.count > 0]
        return None

    # -- the gateway -------------------------------------------------------

    async def _gateway(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request, handler)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if _front.is_front(request):
            return await _front.answer(request)
        if (
            self._hangs > 0
            and self._hang_method in (None, request.method)
            and request.path.startswith(self._hang_path or "")
        ):
            self._hangs -= 1
            await self._release.wait()
            return web.json_response({"error": ["the sandbox stopped"]}, status=504)
        if self.hold is not None:
            await self.hold.wait()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        injected = self._injected_failure(request.path)
        if injected is not None:
            return injected
        try:
            self.gateway.authorise(request)
            scoped = request.get(CALLER)
            if scoped is not None:
                self.state.tool(request.path.split("/")[4])
            refused = await self.gateway.check_request(request)
            if refused is not None:
                return refused
            response = await handler(request)
        except ApiError as error:
            return error.response()
        except web.HTTPException as error:
            if error.status < 400:
                raise
            return web.json_response({"error": [error.reason]}, status=error.status)
        return await self.gateway.check_response(request, response)
