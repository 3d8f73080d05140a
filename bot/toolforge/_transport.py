"""The HTTP plumbing under ``ToolforgeClient``: credentials per tool, retries, errors, JSON.

aiohttp directly. It was httpx over aiohttp (httpx-aiohttp); measured on the
same machine against the sandbox in another process at 200 ms latency, the
extra httpx layer doubled the client's CPU per request (581 -> 279 us for 200
concurrent GETs, 662 -> 295 us for 1000; tests/bench/bench_sandbox_client.py
transports) and every request paid for two response objects. The client
needs nothing of httpx that aiohttp lacks: a request, a status, a body.

This module is imported on the first API call, not when the bot starts: a
bot that only sits in an IRC channel does not load aiohttp for it.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.backoff import Backoff
from bot.connections import connection_limit, origin
from bot.errors import ToolforgeError, ToolforgeUnavailable
from bot.shared_reads import SharedReads
from bot.toolforge._auth import ToolforgeAuth
from bot.toolforge._errors import (
    Failure,
    error_for_failure,
    error_for_response,
    service_of,
    unreadable,
)
from bot.toolforge._response import ApiResponse, Observer

_RETRY_STATUSES = (502, 503)
_RETRY_FAILURES = (Failure.CONNECT, Failure.BROKEN)


def _failure(error: BaseException) -> Failure:
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return Failure.CONNECT_TIMEOUT
    if isinstance(error, aiohttp.ServerTimeoutError | TimeoutError):
        return Failure.READ_TIMEOUT
    if isinstance(error, aiohttp.ClientConnectorError):
        return Failure.CONNECT  # refused, unresolvable, a TLS handshake that failed
    if isinstance(error, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return Failure.BROKEN
    if isinstance(error, aiohttp.ClientOSError):
        return Failure.BROKEN  # reset while the answer was read
    return Failure.OTHER


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
        self._http: aiohttp.ClientSession | None = None
        self._tool_http: dict[str, aiohttp.ClientSession] = {}
        self._reads: SharedReads[tuple[object, ...], ApiResponse] = SharedReads()
        self.last_warnings: tuple[str, ...] = ()

    async def aclose(self) -> None:
        sessions = [*([self._http] if self._http is not None else []), *self._tool_http.values()]
        self._http = None
        self._tool_http.clear()
        for session in sessions:
            await session.close()

    def _session(self, auth: ToolforgeAuth) -> aiohttp.ClientSession:
        headers = {"User-Agent": self._user_agent, "Accept": "application/json"}
        headers.update(auth.headers())
        # Plain http (the sandbox) needs no TLS context, and building one costs ~0.1 s.
        verify: ssl.SSLContext | bool = (
            auth.ssl_context() if self.base_url.startswith("https://") else False
        )
        return aiohttp.ClientSession(
            headers=headers,
            connector=aiohttp.TCPConnector(limit=connection_limit(), ssl=verify),
            timeout=aiohttp.ClientTimeout(
                total=None, connect=self._timeout, sock_read=self._timeout
            ),
            trust_env=False,  # no proxy from the environment between forgebot and the gateway
        )

    def _http_for(
        self, tool: str | None, action: str
    ) -> tuple[aiohttp.ClientSession, ToolforgeAuth]:
        """The shared session, or the one holding this tool's own certificate (self-hosted mode)."""
        if tool is None or tool not in self._tool_auth:
            if self._http is None:
                self._http = self._session(self._auth)
            return self._http, self._auth
        auth = self._tool_auth[tool]
        if tool not in self._tool_http:
            try:
                self._tool_http[tool] = self._session(auth)
            except OSError as error:
                raise ToolforgeError(
                    f"forgebot could not load the certificate for tool {tool} "
                    f"({error.strerror or type(error).__name__}); {action}."
                ) from error
        return self._tool_http[tool], auth

    async def _request(
        self,
        http: aiohttp.ClientSession,
        method: str,
        url: str,
        payload: dict[str, Any] | None,
        params: dict[str, str] | None,
    ) -> ApiResponse:
        async with http.request(method, url, json=payload, params=params) as response:
            content = await response.read()
            return ApiResponse(
                method,
                str(response.url),
                response.status,
                response.headers.get("Content-Type", ""),
                content,
            )

    async def send(
        self,
        method: str,
        url: str,
        tool: str | None,
        action: str,
        *,
        payload: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        not_found_ok: bool = False,
        hide: tuple[str, ...] = (),
    ) -> ApiResponse:
        """A 2xx response (or a 404 when ``not_found_ok``); raises ToolforgeError otherwise.

        ``url``: a path under the gateway, or a whole URL on it (a next page).
        ``hide``: values of this call (an envvar's value) an error sentence must not repeat.
        """
        http, auth = self._http_for(tool, action)
        full = url if "://" in url else self.base_url + url
        if method == "GET" and payload is None:
            # Many commands about one tool at once (an outage): one call in flight per URL.
            key = (full, tool, action, tuple(sorted(params.items())) if params else ())
            response = await self._reads.read(
                key, lambda: self._exchange(http, method, full, action, payload, params)
            )
        else:
            response = await self._exchange(http, method, full, action, payload, params)
        if response.is_success or (not_found_ok and response.status_code == 404):
            return response
        secrets = auth.secrets() + hide
        raise error_for_response(response, tool=tool, action=action, secrets=secrets)

    async def _exchange(
        self,
        http: aiohttp.ClientSession,
        method: str,
        full: str,
        action: str,
        payload: dict[str, Any] | None,
        params: dict[str, str] | None,
    ) -> ApiResponse:
        """The answer to one call, after at most one retry; a network failure raises."""
        path = urlsplit(full).path
        # Only what cannot have acted twice is tried again: GETs.
        attempts = 2 if method == "GET" else 1
        backoff: Backoff | None = None
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            started = time.perf_counter()
            try:
                response = await self._request(http, method, full, payload, params)
            except (TimeoutError, aiohttp.ClientError) as error:
                self._observed(path, "error", started)
                failure = _failure(error)
                if not last and failure in _RETRY_FAILURES:
                    backoff = backoff or self._backoff()
                    await backoff.wait()
                    continue
                raise error_for_failure(
                    failure, path=path, timeout=self._timeout, action=action, method=method,
                    name=type(error).__name__,
                ) from error  # fmt: skip
            self._observed(path, str(response.status_code), started)
            if not last and response.status_code in _RETRY_STATUSES:
                backoff = backoff or self._backoff()
                await backoff.wait()
                continue
            break
        return response

    def _backoff(self) -> Backoff:
        return Backoff(self._retry_backoff, self._retry_backoff * 4)

    def _observed(self, path: str, status: str, started: float) -> None:
        if self._observe is not None:
            self._observe(service_of(path), status, time.perf_counter() - started)

    async def json(
        self,
        method: str,
        url: str,
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
            body = response.document if response.content else {}
        except ValueError:
            raise unreadable(response.path, action) from None
        if not isinstance(body, dict):
            raise unreadable(response.path, action)
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
        timeout = aiohttp.ClientTimeout(total=None, connect=self._timeout, sock_read=None)
        try:
            async with http.get(self.base_url + url, params=params, timeout=timeout) as response:
                if not 200 <= response.status < 300:
                    answer = ApiResponse("GET", str(response.url), response.status,
                                         response.headers.get("Content-Type", ""),
                                         await response.read())  # fmt: skip
                    raise error_for_response(answer, tool=tool, action=action,
                                             secrets=auth.secrets())  # fmt: skip
                pending = b""
                async for chunk in response.content.iter_any():
                    *complete, pending = (pending + chunk).split(b"\n")
                    for raw in complete:
                        yield raw.rstrip(b"\r").decode("utf-8", "replace")
                if pending:
                    yield pending.decode("utf-8", "replace")
        except (TimeoutError, aiohttp.ClientError) as error:
            failure = _failure(error)
            if failure is Failure.BROKEN:
                raise ToolforgeUnavailable(
                    f"the {service_of(url)} service cut the stream; {action}."
                ) from error
            raise error_for_failure(
                failure, path=url, timeout=self._timeout, action=action, name=type(error).__name__
            ) from error

    def same_origin(self, url: str, action: str) -> str:
        """Follow a server-given link only on our own gateway: it would get our credentials."""
        if origin(url) != origin(self.base_url):
            raise ToolforgeError(
                f"the {service_of(urlsplit(url).path)} service pointed to another server "
                f"for the next page; {action}."
            )
        return url
