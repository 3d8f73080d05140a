"""The HTTP plumbing under ``ToolforgeClient``: credentials per tool, retries, errors, JSON."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from bot.backoff import Backoff
from bot.errors import ToolforgeError, ToolforgeUnavailable
from bot.jsontext import parse_json
from bot.toolforge._auth import ToolforgeAuth
from bot.toolforge._errors import (
    error_for_exception,
    error_for_response,
    service_of,
    unreadable,
)

_RETRY_STATUSES = (502, 503)
_RETRY_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError)
# At most this many requests in flight per client. Waiting here rather than in
# httpcore's pool matters: its queue costs O(queued x connections) per request.
_MAX_IN_FLIGHT = 256

#: Told of every call: (service, HTTP status or "error", seconds); the bot's metrics.
Observer = Callable[[str, str, float], None]


class _AiohttpTransport(AiohttpTransport):
    """httpx over aiohttp, with the two errors httpx-aiohttp maps too broadly made precise.

    It reports a refused connection and a dropped one as ``ConnectTimeout``;
    the client needs "could not connect" and "the connection broke off"
    (which it may retry) to tell users what happened.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as error:
            cause = error.__cause__
            if isinstance(cause, aiohttp.ClientConnectorError) and not isinstance(
                cause, aiohttp.ServerTimeoutError
            ):
                raise httpx.ConnectError(str(cause), request=request) from cause
            if isinstance(cause, aiohttp.ServerDisconnectedError):
                raise httpx.RemoteProtocolError(str(cause), request=request) from cause
            raise


class GatewayTransport:
    """Sends one API call through the gateway and turns every failure into a ToolforgeError.

    Only GET is retried (once, after a connect error or a 502/503, with a short
    pause): a POST that timed out may still have restarted the job, so
    anything that changes a tool is sent exactly once.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: ToolforgeAuth,
        tool_auth: dict[str, ToolforgeAuth],
        timeout: float,
        user_agent: str,
        retry_backoff: float,
        observe: Observer | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._observe = observe
        self._auth = auth
        self._tool_auth = tool_auth
        self._timeout = timeout
        self._user_agent = user_agent
        self._retry_backoff = retry_backoff
        self._http = self._make_http(auth)
        self._tool_http: dict[str, httpx.AsyncClient] = {}
        self.last_warnings: tuple[str, ...] = ()
        self._in_flight = asyncio.Semaphore(_MAX_IN_FLIGHT)

    async def aclose(self) -> None:
        clients = [self._http, *self._tool_http.values()]
        self._tool_http.clear()
        for client in clients:
            await client.aclose()

    def _make_http(self, auth: ToolforgeAuth) -> httpx.AsyncClient:
        headers = {"User-Agent": self._user_agent, "Accept": "application/json"}
        headers.update(auth.headers())
        # Plain http (the sandbox) needs no TLS context, and building one costs ~0.1 s.
        verify = auth.ssl_context() if self.base_url.startswith("https://") else False
        limits = httpx.Limits(
            max_connections=_MAX_IN_FLIGHT, max_keepalive_connections=_MAX_IN_FLIGHT
        )
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self._timeout),
            # httpcore's pool slows down badly with many concurrent requests
            # (encode/httpx#3215); aiohttp's does not. httpx stays the API.
            transport=_AiohttpTransport(verify=verify, limits=limits, trust_env=False),
        )

    def _http_for(self, tool: str | None, action: str) -> tuple[httpx.AsyncClient, ToolforgeAuth]:
        """The shared client, or the one holding this tool's own certificate (self-hosted mode)."""
        if tool is None or tool not in self._tool_auth:
            return self._http, self._auth
        auth = self._tool_auth[tool]
        if tool not in self._tool_http:
            try:
                self._tool_http[tool] = self._make_http(auth)
            except OSError as error:
                raise ToolforgeError(
                    f"forgebot could not load the certificate for tool {tool} "
                    f"({error.strerror or type(error).__name__}); {action}."
                ) from error
        return self._tool_http[tool], auth

    async def send(
        self,
        method: str,
        url: str | httpx.URL,
        tool: str | None,
        action: str,
        *,
        payload: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        not_found_ok: bool = False,
        hide: tuple[str, ...] = (),
    ) -> httpx.Response:
        """A 2xx response (or a 404 when ``not_found_ok``); raises ToolforgeError otherwise.

        ``hide``: values of this call (an envvar's value) an error sentence must not repeat.
        """
        http, auth = self._http_for(tool, action)
        path = url.path if isinstance(url, httpx.URL) else url
        # Only what cannot have acted twice is tried again: GETs.
        attempts = 2 if method == "GET" else 1
        backoff = Backoff(self._retry_backoff, self._retry_backoff * 4)
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            started = time.perf_counter()
            try:
                async with self._in_flight:
                    response = await http.request(method, url, json=payload, params=params)
            except httpx.HTTPError as error:
                self._observed(path, "error", started)
                if not last and isinstance(error, _RETRY_ERRORS):
                    await backoff.wait()
                    continue
                raise error_for_exception(
                    error, path=path, timeout=self._timeout, action=action, method=method
                ) from error
            self._observed(path, str(response.status_code), started)
            if not last and response.status_code in _RETRY_STATUSES:
                await backoff.wait()
                continue
            break
        if response.is_success or (not_found_ok and response.status_code == 404):
            return response
        secrets = auth.secrets() + hide
        raise error_for_response(response, tool=tool, action=action, secrets=secrets)

    def _observed(self, path: str, status: str, started: float) -> None:
        if self._observe is not None:
            self._observe(service_of(path), status, time.perf_counter() - started)

    async def json(
        self,
        method: str,
        url: str | httpx.URL,
        tool: str | None,
        action: str,
        *,
        payload: dict[str, Any] | None = None,
        not_found_ok: bool = False,
        hide: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Send, then parse a JSON object; a tolerated 404 reads as ``{}``."""
        response = await self.send(
            method, url, tool, action, payload=payload, not_found_ok=not_found_ok, hide=hide
        )
        if response.status_code == 404:
            return {}
        try:
            body = parse_json(response.content) if response.content else {}
        except ValueError:
            raise unreadable(response.request.url.path, action) from None
        if not isinstance(body, dict):
            raise unreadable(response.request.url.path, action)
        messages = body.get("messages")
        warnings = messages.get("warning") if isinstance(messages, dict) else None
        self.last_warnings = tuple(str(w) for w in warnings) if isinstance(warnings, list) else ()
        return body

    async def lines(
        self, url: str, tool: str, action: str, params: dict[str, str]
    ) -> AsyncIterator[str]:
        """The lines of a streamed answer as they come (``follow``); no read timeout, since
        quiet is normal there: the caller bounds how long it listens. Ends when the service
        ends the stream; a broken one raises :class:`ToolforgeUnavailable`."""
        http, auth = self._http_for(tool, action)
        timeout = httpx.Timeout(self._timeout, read=None)
        try:
            async with http.stream("GET", url, params=params, timeout=timeout) as response:
                if not response.is_success:
                    await response.aread()
                    raise error_for_response(response, tool=tool, action=action,
                                             secrets=auth.secrets())  # fmt: skip
                async for line in response.aiter_lines():
                    yield line
        except httpx.HTTPError as error:
            if isinstance(error, httpx.TransportError) and not isinstance(
                error, httpx.ConnectError | httpx.TimeoutException
            ):
                raise ToolforgeUnavailable(
                    f"the {service_of(url)} service cut the stream; {action}."
                ) from error
            raise error_for_exception(
                error, path=url, timeout=self._timeout, action=action
            ) from error

    def same_origin(self, url: httpx.URL, action: str) -> httpx.URL:
        """Follow a server-given link only on our own gateway: it would get our credentials."""
        base = httpx.URL(self.base_url)
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            raise ToolforgeError(
                f"the {service_of(url.path)} service pointed to another server for the next "
                f"page; {action}."
            )
        return url
