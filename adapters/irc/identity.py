"""Who is speaking: the services account behind a nick, never the nick itself.

Three sources, most trusted first:

1. the ``account`` message tag (IRCv3 ``account-tag``): the server stamps it
   on each message, and its absence means "not logged in";
2. live state from ``extended-join`` + ``account-notify`` for nicks that
   share a channel with the bot (the server keeps us told of changes);
3. ``WHOIS`` (numeric 330), cached briefly, and only believed when the
   user@host it reports is the one that sent the message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.chat_keys import irc_lower

log = logging.getLogger(__name__)

__all__ = ["AccountTracker", "irc_lower"]


def same_account(a: str | None, b: str | None) -> bool:
    """Whether two services account names are one account (the server's casemapping)."""
    return a is not None and b is not None and irc_lower(a) == irc_lower(b)


@dataclass
class _Whois:
    future: asyncio.Future[tuple[str | None, str | None, str | None]]
    user: str | None = None
    host: str | None = None
    account: str | None = None


@dataclass
class _Cached:
    account: str | None
    user: str | None
    host: str | None
    expires: float


@dataclass
class AccountTracker:
    """Nick -> services account, kept current from the server's events."""

    whois_ttl: float = 30.0
    whois_timeout: float = 5.0
    clock: Callable[[], float] = time.monotonic
    _live: dict[str, str | None] = field(default_factory=dict)
    _channels: dict[str, set[str]] = field(default_factory=dict)
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _whois: dict[str, _Whois] = field(default_factory=dict)

    # --- live state (extended-join + account-notify) -------------------------

    def live(self, nick: str) -> tuple[bool, str | None]:
        """(known, account) for a nick sharing a channel with us."""
        key = irc_lower(nick)
        if key in self._live and self._channels.get(key):
            return True, self._live[key]
        return False, None

    def nicks_of(self, account: str) -> list[str]:
        """The nicks sharing a channel with us that are logged in as ``account`` now."""
        return [
            nick
            for nick, live in self._live.items()
            if self._channels.get(nick) and same_account(live, account)
        ]

    def sees(self, nick: str) -> bool:
        """Whether ``nick`` shares a channel with us, so that its QUIT and NICK reach us."""
        return bool(self._channels.get(irc_lower(nick)))

    def joined(self, nick: str, channel: str, account: str | None, known: bool) -> None:
        key = irc_lower(nick)
        self._channels.setdefault(key, set()).add(irc_lower(channel))
        if known:
            self._live[key] = account

    def left(self, nick: str, channel: str) -> None:
        key = irc_lower(nick)
        channels = self._channels.get(key, set())
        channels.discard(irc_lower(channel))
        if not channels:
            self.quit(nick)

    def quit(self, nick: str) -> None:
        """Gone (QUIT, netsplit, or no channel left in common): forget everything."""
        key = irc_lower(nick)
        self._channels.pop(key, None)
        self._live.pop(key, None)
        self._cache.pop(key, None)

    def renamed(self, old: str, new: str) -> None:
        # The account follows the person; a WHOIS answer about the old nick does not.
        old_key, new_key = irc_lower(old), irc_lower(new)
        self._cache.pop(old_key, None)
        self._cache.pop(new_key, None)
        if old_key in self._channels:
            self._channels[new_key] = self._channels.pop(old_key)
        if old_key in self._live:
            self._live[new_key] = self._live.pop(old_key)
        else:
            self._live.pop(new_key, None)

    def account_changed(self, nick: str, account: str | None) -> None:
        key = irc_lower(nick)
        self._cache.pop(key, None)
        if key in self._channels:
            self._live[key] = account

    def channel_lost(self, channel: str) -> None:
        """We left or were kicked from ``channel``: its members are no longer watched."""
        folded = irc_lower(channel)
        for nick in [n for n, chans in self._channels.items() if folded in chans]:
            self.left(nick, channel)

    def reset(self) -> None:
        """A new connection knows nothing about anyone."""
        self._live.clear()
        self._channels.clear()
        self._cache.clear()
        for pending in self._whois.values():
            if not pending.future.done():
                pending.future.set_result((None, None, None))
        self._whois.clear()

    # --- WHOIS fallback ---------------------------------------------------------

    async def whois(
        self, nick: str, user: str, host: str, send: Callable[[str], None]
    ) -> str | None:
        """The account of ``nick``, if WHOIS shows the same user@host logged in."""
        key = irc_lower(nick)
        cached = self._cache.get(key)
        if cached is None or cached.expires <= self.clock():
            pending = self._whois.get(key)
            if pending is None:
                loop = asyncio.get_running_loop()
                pending = self._whois[key] = _Whois(loop.create_future())
                send(f"WHOIS {nick}")
            try:
                async with asyncio.timeout(self.whois_timeout):  # not wait_for: see outbox
                    account, w_user, w_host = await asyncio.shield(pending.future)
            except TimeoutError:
                log.warning("irc: WHOIS %s got no answer; treating as not logged in", nick)
                self._whois.pop(key, None)
                return None
            cached = _Cached(account, w_user, w_host, self.clock() + self.whois_ttl)
            # Kept only for nicks in a channel with us: their QUIT, NICK and ACCOUNT
            # reach us and drop it. Anyone else may be gone, and the nick taken, by then.
            if self.sees(nick):
                self._cache[key] = cached
        if (cached.user, cached.host) != (user, host):
            return None  # another person holds the nick now
        return cached.account

    def whois_user(self, nick: str, user: str, host: str) -> None:
        pending = self._whois.get(irc_lower(nick))
        if pending is not None:
            pending.user, pending.host = user, host

    def whois_account(self, nick: str, account: str) -> None:
        pending = self._whois.get(irc_lower(nick))
        if pending is not None:
            pending.account = account

    def whois_end(self, nick: str) -> None:
        pending = self._whois.pop(irc_lower(nick), None)
        if pending is not None and not pending.future.done():
            pending.future.set_result((pending.account, pending.user, pending.host))
