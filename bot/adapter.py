"""The narrow interfaces between the core and the chat adapters, both ways."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from aiohttp import web

    from bot.message import Message
    from bot.reply import Reply

Work = Callable[[], Awaitable[None]]
RouteHandler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]
Route = tuple[str, str, RouteHandler]


class Core(Protocol):
    """What an adapter needs from :class:`bot.core.Bot` (and what test cores imitate)."""

    async def handle(self, message: Message) -> Reply | None:
        """The reply to a message, or ``None`` when it was not for the bot."""
        ...

    def submit(self, speaker: str, work: Work) -> None:
        """Run ``work`` after the earlier work of the same speaker (arrival order)."""
        ...

    def may_address(self, text: str) -> bool:
        """Whether a room message could be for the bot (a cheap test on its start)."""
        ...


class Adapter(Protocol):
    """An adapter owns one chat protocol.

    It is constructed with its own config and the core; it turns platform
    events into :class:`bot.message.Message`, submits each to the core in
    arrival order and renders the returned :class:`Reply` (``None`` means the
    message was not for the bot). It decides no policy and calls no Toolforge API.
    """

    platform: str

    @property
    def ready(self) -> asyncio.Event:
        """Set while connected (and, on IRC, in every configured channel)."""
        ...

    async def run(self) -> None:
        """Connect and serve until cancelled, reconnecting on its own."""
        ...

    async def send(self, destination: str, reply: Reply) -> None:
        """Deliver an unsolicited reply (announcements) to a platform destination."""
        ...

    def http_routes(self) -> list[Route]:
        """Routes the bot's own HTTP server must serve for this adapter (often none)."""
        ...


def no_routes(*_: Any) -> list[Route]:
    return []
