"""Answers that keep coming: ``follow=true`` on job and build logs.

The sandbox polls its own world a few times a second of wall-clock time and
writes what appeared since; a stream ends when the thing it follows is done
(a build), when the client goes away, or when the sandbox stops.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

STOPPING = web.AppKey("sandbox_stopping", asyncio.Event)
POLL_SECONDS = 0.1


class StreamCuts:
    """Streams to break off (a test's fault): after what they have sent, the next ``count``
    log streams end, ``abrupt`` ones by dropping the connection mid-answer."""

    def __init__(self) -> None:
        self.count = 0
        self.abrupt = False

    def take(self) -> bool:
        if self.count <= 0:
            return False
        self.count -= 1
        return True


CUTS = web.AppKey("sandbox_cuts", StreamCuts)


async def open_stream(request: web.Request, content_type: str) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": content_type, "X-Accel-Buffering": "no"})
    await response.prepare(request)
    return response


async def follow(
    request: web.Request,
    response: web.StreamResponse,
    fetch: Callable[[], tuple[list[Any], bool]],
    render: Callable[[Any], str],
) -> web.StreamResponse:
    """Write what ``fetch`` returns (new items, whether it is over) until it is over."""
    stopping = request.app[STOPPING]
    cuts = request.app.get(CUTS)
    while True:
        items, done = fetch()
        if items:
            await response.write("".join(render(item) for item in items).encode())
        if done or stopping.is_set():
            break
        if cuts is not None and cuts.take():
            if cuts.abrupt and request.transport is not None:
                request.transport.close()  # mid-answer: the client sees the stream broken
                return response
            break
        try:
            async with asyncio.timeout(POLL_SECONDS):  # not wait_for: see adapters/irc/outbox
                await stopping.wait()
        except TimeoutError:
            pass
    await response.write_eof()
    return response


def tail(
    world: Any, entries: Callable[[], list[Any]], backlog: list[Any]
) -> Callable[[], tuple[list[Any], bool]]:
    """``backlog`` first, then whatever is appended to ``entries()`` as the world moves on."""
    known = len(entries())
    sent = False

    def fetch() -> tuple[list[Any], bool]:
        nonlocal known, sent
        if not sent:
            sent = True
            return list(backlog), False
        world.now()
        current = entries()
        fresh = current[known:] if len(current) >= known else current[-1:]
        known = len(current)
        return list(fresh), False

    return fetch


def ndjson(item: Any) -> str:
    return json.dumps(item) + "\n"
