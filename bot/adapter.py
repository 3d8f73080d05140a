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
        """Deliver an unsolicited reply (announcements) to a platform destination.

        Raises :class:`SendFailed` (or a subclass) when it was not delivered.
        """
        ...

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        """Deliver an unsolicited reply privately to one person.

        ``user_id`` is the platform's id of the person, as in their chat key
        (``irc:<services account>``, ``zulip:<user id>``, ``slack:<team>:<user>``
        without the platform). Raises :class:`SendFailed` when it was not delivered.
        """
        ...

    def http_routes(self) -> list[Route]:
        """Routes the bot's own HTTP server must serve for this adapter (often none)."""
        ...


class SendFailed(Exception):
    """A reply nobody asked for was not delivered (or may not have been).

    Facts for the caller to decide on, not a decision: ``permanent`` when
    trying again cannot help (no such person or channel), ``retry_after``
    when the platform said how long to wait (a 429).
    """

    def __init__(
        self, sentence: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.permanent = permanent
        self.retry_after = retry_after


def no_routes(*_: Any) -> list[Route]:
    return []
