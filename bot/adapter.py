"""The one narrow interface every chat adapter implements."""

from __future__ import annotations

from typing import Protocol

from bot.reply import Reply


class Adapter(Protocol):
    """An adapter owns one chat protocol.

    It is constructed with its own config and the :class:`bot.core.Bot`; it
    turns platform events into :class:`bot.message.Message`, awaits
    ``bot.handle(message)`` and renders the returned :class:`Reply` (``None``
    means the message was not for the bot). It decides no policy and calls no
    Toolforge API.
    """

    platform: str

    async def run(self) -> None:
        """Connect and serve until cancelled, reconnecting on its own."""
        ...

    async def send(self, destination: str, reply: Reply) -> None:
        """Deliver an unsolicited reply (announcements) to a platform destination."""
        ...
