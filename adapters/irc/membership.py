"""Channel and user state from server events: where the bot is, who the others are.

Keeps the account tracker current (joins, parts, quits, nick and account
changes, WHOIS answers), gets the bot back into a channel it was kicked
from, takes its configured nick back when the holder leaves, and logs what
the server refused to deliver.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from adapters.irc.config import IrcConfig
from adapters.irc.connection import IrcSession
from adapters.irc.identity import AccountTracker, irc_lower
from adapters.irc.outbox import Outbox

log = logging.getLogger(__name__)


class Membership:
    def __init__(self, config: IrcConfig, tracker: AccountTracker, outbox: Outbox) -> None:
        self.config = config
        self.tracker = tracker
        self.outbox = outbox
        self.ready = asyncio.Event()  # in every configured channel
        self.joined: set[str] = set()
        self.channels = {irc_lower(c): c for c in (*config.channels, *config.owner_channels)}
        self._session: IrcSession | None = None
        self._rejoins: list[asyncio.TimerHandle] = []

    def start(self, session: IrcSession) -> None:
        """A new registered connection: join every configured channel."""
        self._session = session
        for channel in self.channels.values():
            session.send(f"JOIN {channel}")

    def stop(self) -> None:
        """The connection is gone; nothing we knew about it still holds."""
        self._session = None
        self.ready.clear()
        self.joined.clear()
        self.tracker.reset()
        for handle in self._rejoins:
            handle.cancel()
        self._rejoins.clear()

    def handle(self, session: IrcSession, event: Any) -> None:
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(session, event)

    def _is_me(self, session: IrcSession, nick: str) -> bool:
        return irc_lower(nick) == irc_lower(session.nick)

    def _join(self, channel: str) -> None:
        if self._session is not None and self._session.connected:
            self._session.send(f"JOIN {channel}")

    def _on_join(self, session: IrcSession, event: Any) -> None:
        nick, channel = event.source.nick, event.target
        if self._is_me(session, nick):
            self.joined.add(irc_lower(channel))
            log.info("irc: joined %s", channel)
            if set(self.channels) <= self.joined:
                self.ready.set()
            return
        extended = "extended-join" in session.caps and bool(event.arguments)
        account = event.arguments[0] if extended else None
        self.tracker.joined(nick, channel, None if account == "*" else account, extended)

    def _lost_channel(self, channel: str, why: str) -> None:
        self.joined.discard(irc_lower(channel))
        self.ready.clear()
        self.tracker.channel_lost(channel)
        delay = self.config.rejoin_delay
        if irc_lower(channel) in self.channels and delay >= 0:
            log.warning("irc: %s from %s; rejoining in %.1f s", why, channel, delay)
            loop = asyncio.get_running_loop()
            self._rejoins.append(loop.call_later(delay, self._join, channel))
        else:
            log.warning("irc: %s from %s; not rejoining", why, channel)

    def _on_kick(self, session: IrcSession, event: Any) -> None:
        kicked = event.arguments[0]
        if self._is_me(session, kicked):
            reason = event.arguments[1] if len(event.arguments) > 1 else ""
            self._lost_channel(event.target, f"kicked by {event.source.nick} ({reason})")
        else:
            self.tracker.left(kicked, event.target)

    def _on_part(self, session: IrcSession, event: Any) -> None:
        if self._is_me(session, event.source.nick):
            self.joined.discard(irc_lower(event.target))
            self.tracker.channel_lost(event.target)
        else:
            self.tracker.left(event.source.nick, event.target)

    def _on_quit(self, session: IrcSession, event: Any) -> None:
        # Netsplits arrive as QUITs ("irc.a irc.b"); the users come back with JOINs.
        self.tracker.quit(event.source.nick)
        self._reclaim_nick(session, event.source.nick)

    def _on_nick(self, session: IrcSession, event: Any) -> None:
        old, new = event.source.nick, event.target
        if self._is_me(session, new):
            return  # our own change (the library already updated our nick)
        self.tracker.renamed(old, new)
        self.outbox.rename(old, new)
        self._reclaim_nick(session, old)

    def _reclaim_nick(self, session: IrcSession, freed: str) -> None:
        primary = self.config.nick
        if irc_lower(freed) == irc_lower(primary) and not self._is_me(session, primary):
            log.info("irc: %s is free again; taking it back", primary)
            session.send(f"NICK {primary}")

    def _on_account(self, session: IrcSession, event: Any) -> None:
        account = event.target
        self.tracker.account_changed(event.source.nick, None if account in ("*", None) else account)

    def _on_whoisuser(self, session: IrcSession, event: Any) -> None:
        self.tracker.whois_user(*event.arguments[:3])

    def _on_whoisaccount(self, session: IrcSession, event: Any) -> None:
        self.tracker.whois_account(*event.arguments[:2])

    def _on_endofwhois(self, session: IrcSession, event: Any) -> None:
        self.tracker.whois_end(event.arguments[0])

    def _on_cannotsendtochan(self, session: IrcSession, event: Any) -> None:
        log.warning("irc: could not deliver a line to %s: %s", *event.arguments[:2])

    def _on_nosuchnick(self, session: IrcSession, event: Any) -> None:
        log.warning("irc: could not deliver a line to %s: %s", *event.arguments[:2])

    def _on_bannedfromchan(self, session: IrcSession, event: Any) -> None:
        log.error("irc: cannot join %s: %s", *event.arguments[:2])

    _on_inviteonlychan = _on_badchannelkey = _on_channelisfull = _on_bannedfromchan
