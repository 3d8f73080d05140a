"""The IRC connection opened while ``forgebot run`` is still assembling the bot.

Registering on a server takes round trips (CAP, SASL) and whatever the server
makes a new client wait for: InspIRCd holds every registration for about a
second, networks look up the client's host and ident. None of that needs the
bot, so it starts as soon as the configuration is read and goes on while the
bot opens its database and loads its commands. The adapter then takes the
connection over, with the events that arrived in between, in their order.
"""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.irc.config import IrcConfig
from adapters.irc.connection import IrcSession


class EarlyConnection:
    """A session being opened before its adapter exists; see :meth:`IrcAdapter.run`."""

    def __init__(self, config: IrcConfig) -> None:
        self.events: list[Any] = []  # what came before the adapter took over
        self.session = IrcSession(config, lambda _session, event: self.events.append(event))
        self.opened: asyncio.Future[None] = asyncio.ensure_future(self.session.open())

    def close(self) -> None:
        """When run stops: stop opening the connection and close it (an adapter that took
        it over has closed it already)."""
        if self.opened.done() and not self.opened.cancelled():
            self.opened.exception()  # a failure nobody awaited: what stopped run is reported
        self.opened.cancel()
        self.session.close("forgebot stopping")
