"""The bot's one small HTTP server: health, metrics, plus routes others ask for (Slack
events, links).

``/healthz`` says the process is alive and serving; ``/readyz`` says whether it
can do its job: 503 while any configured chat connection is down, naming which;
``/metrics`` is what the bot counts, in Prometheus's text format.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.metrics import Metrics

RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


Readiness = Callable[[], dict[str, bool]]


class HttpServer:
    def __init__(
        self,
        host: str,
        port: int,
        readiness: Readiness | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.readiness = readiness or dict
        self.metrics = metrics
        self.app = web.Application()
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        if metrics is not None:
            self.app.router.add_get("/metrics", self._metrics)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def add_routes(self, routes: Iterable[tuple[str, str, RouteHandler]]) -> None:
        for method, path, handler in routes:
            self.app.router.add_route(method, path, handler)

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        port = self._runner.addresses[0][1] if self._runner.addresses else self.port
        self.url = f"http://{self.host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, request: web.Request) -> web.Response:
        connections = self.readiness()
        ready = all(connections.values())
        body = {"status": "ready" if ready else "not ready", "connections": connections}
        return web.json_response(body, status=200 if ready else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        from bot.metrics import CONTENT_TYPE

        assert self.metrics is not None
        response = web.Response(body=await self.metrics.scrape())
        # aiohttp refuses a charset inside content_type=; the header as Prometheus sends it.
        response.headers["Content-Type"] = CONTENT_TYPE
        return response
