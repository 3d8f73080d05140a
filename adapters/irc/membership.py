"""Channel and user state from server events: where the bot is, who the others are.

Keeps the account tracker current (joins, parts, quits, nick and account
changes, WHOIS answers), gets the bot back into a channel it was kicked
from, takes its configured nick back when the holder leaves, and logs what
the server refused to deliver.

It also keeps private replies with the person they are for. A nick is not a
person: once its holder quits, anyone can take it. So the outbox drops what
is still queued for a nick when its holder quits, logs out, or when the bot
loses the connection, and follows a nick change. Those events reach us
through the channels we share with the person; for anyone else (someone who
only messaged the bot) the server is asked to ``MONITOR`` the nick while
lines are queued for it, and the lines wait until it has said the nick is
still held by the same user@host. Without MONITOR, lines for someone we
cannot follow go out only in the first seconds after the question.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from adapters.irc.config import IrcConfig
from adapters.irc.connection import IrcSession
from adapters.irc.identity import AccountTracker, irc_lower, same_account
from adapters.irc.outbox import HOLD, Hold, Outbox, Recipient

log = logging.getLogger(__name__)

#: Lines for someone we cannot follow (no shared channel, no MONITOR) go out
#: only this long after they were queued: about the flood-control burst.
UNFOLLOWED_GRACE = 2.0
#: Held lines wait at most this long for the server's answer to MONITOR.
MONITOR_ANSWER_TIMEOUT = 10.0
#: Departures remembered, for replies still being computed when the asker left.
MAX_DEPARTURES = 4096
#: Tags our WHOX queries (WHO #channel %tna,<token>), so that their replies are known.
WHOX_TOKEN = "142"


@dataclass
class _Watch:
    """A nick we asked the server to MONITOR; ``online`` is None until we know who holds it
    (the server said it is online, and a WHOIS said as whom)."""

    nick: str
    asked: float
    online: bool | None = None
    user: str | None = None
    host: str | None = None
    account: str | None = None  # of the current holder, from the WHOIS
    available: bool = True  # False: the server's MONITOR list was full
    whois: tuple[str | None, str | None, str | None] | None = None  # being answered


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
        self._monitor: dict[str, _Watch] = {}
        self._departures: OrderedDict[str, int] = OrderedDict()  # nick -> event number
        self._events = 0
        self._forgotten_before = 0  # departures older than this were not kept
        outbox.guard = self.check
        outbox.on_idle = self._unwatch

    def start(self, session: IrcSession) -> None:
        """A new registered connection: join every configured channel."""
        self._session = session
        self._monitor.clear()
        for channel in self.channels.values():
            session.send(f"JOIN {channel}")

    def stop(self) -> None:
        """The connection is gone; nothing we knew about it still holds."""
        self._session = None
        self.ready.clear()
        self.joined.clear()
        self.tracker.reset()
        self._monitor.clear()
        # Whoever holds those nicks after we are back may be someone else.
        self.outbox.connection_lost("the bot lost its connection to the server")
        self._depart_all()
        for handle in self._rejoins:
            handle.cancel()
        self._rejoins.clear()

    # --- who is still there: for replies being computed or queued -------------

    def mark(self) -> int:
        """A point in the event stream; see :meth:`left_since`."""
        return self._events

    def left_since(self, nick: str, mark: int) -> bool:
        """Whether the holder of ``nick`` at ``mark`` has (or may have) left since."""
        if mark < self._forgotten_before:
            return True
        return self._departures.get(irc_lower(nick), -1) >= mark

    def _depart(self, nick: str, why: str) -> None:
        key = irc_lower(nick)
        self._departures.pop(key, None)
        self._departures[key] = self._events
        self._events += 1
        while len(self._departures) > MAX_DEPARTURES:
            _, number = self._departures.popitem(last=False)
            self._forgotten_before = number + 1
        self.outbox.forget(nick, why)

    def _depart_all(self) -> None:
        # After a reconnect every nick may have changed hands.
        self._departures.clear()
        self._events += 1
        self._forgotten_before = self._events

    def watch(self, nick: str) -> None:
        """Lines are queued for ``nick``: have the server tell us when its holder goes."""
        key = irc_lower(nick)
        session = self._session
        if key in self._monitor or session is None or not session.connected:
            return
        limit = getattr(session, "isupport", {}).get("MONITOR")
        if limit is None:
            return  # the server has no MONITOR: channels are all we see
        if limit.isdigit() and len(self._monitor) >= int(limit):
            self._monitor[key] = _Watch(nick, asyncio.get_running_loop().time(), available=False)
            return
        self._monitor[key] = _Watch(nick, asyncio.get_running_loop().time())
        session.send(f"MONITOR + {nick}")

    def _unwatch(self, nick: str) -> None:
        key = irc_lower(nick)
        watch = self._monitor.get(key)
        if watch is None or self.outbox.pending_for(nick):
            return
        del self._monitor[key]
        session = self._session
        if watch.available and session is not None and session.connected:
            session.send(f"MONITOR - {watch.nick}")

    def check(self, nick: str, recipient: Recipient, age: float) -> str | Hold | None:
        """The outbox's guard: is ``nick`` still held by ``recipient``? (None: yes, send)"""
        known, account = self.tracker.live(nick)
        if known and recipient.account is not None and not same_account(account, recipient.account):
            return f"{nick} is no longer logged in as {recipient.account}"
        watch = self._monitor.get(irc_lower(nick))
        if watch is not None and watch.available:
            if watch.online is None:
                if asyncio.get_running_loop().time() - watch.asked < MONITOR_ANSWER_TIMEOUT:
                    return HOLD
                return f"the server did not say whether {nick} is still there"
            if not watch.online:
                return f"{nick} left"
            if recipient.account is not None:
                # someone logged in: the same account, whatever host they come from
                if not same_account(watch.account, recipient.account):
                    return f"{nick} is held by someone not logged in as {recipient.account}"
                return None
            if (watch.user, watch.host) != (recipient.user, recipient.host):
                return f"{nick} is held by {watch.user}@{watch.host} now, someone else"
            return None
        if self.tracker.sees(nick):
            return None  # in a channel with us: its QUIT or NICK would reach us
        if age <= UNFOLLOWED_GRACE:
            return None
        return f"{nick} shares no channel with the bot, so it cannot tell whether {nick} left"

    def _on_730(self, session: IrcSession, event: Any) -> None:  # RPL_MONONLINE
        # Online, but as whom? (InspIRCd does not even say user@host.) A WHOIS tells
        # the user, the host and the services account of whoever holds the nick now.
        for mask in event.arguments[-1].split(","):
            nick = mask.partition("!")[0]
            watch = self._monitor.get(irc_lower(nick))
            if watch is None or not nick:
                continue
            watch.online, watch.whois = None, (None, None, None)
            session.send(f"WHOIS {nick}")
        self.outbox.wake()

    def _on_731(self, session: IrcSession, event: Any) -> None:  # RPL_MONOFFLINE
        for mask in event.arguments[-1].split(","):
            nick = mask.partition("!")[0]
            watch = self._monitor.get(irc_lower(nick))
            self.tracker.quit(nick)  # whatever we knew of it is about someone gone
            if watch is not None and nick:
                watch.online = False
                self._depart(nick, f"{nick} left")
                self._unwatch(nick)
        self.outbox.wake()

    def _on_734(self, session: IrcSession, event: Any) -> None:  # ERR_MONLISTFULL
        for nick in event.arguments[1].split(",") if len(event.arguments) > 1 else ():
            watch = self._monitor.get(irc_lower(nick))
            if watch is not None:
                watch.available = False
        log.warning("irc: the server's MONITOR list is full: %s", " ".join(event.arguments))
        self.outbox.wake()

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
            if "WHOX" in getattr(session, "isupport", {}):
                # Who was there before us, and as which account: NAMES does not say, and
                # a direct message to an account (announcements) needs the nick holding it.
                session.send(f"WHO {channel} %tna,{WHOX_TOKEN}")
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

    def _on_namreply(self, session: IrcSession, event: Any) -> None:
        # Who was there before us: their QUITs and NICKs will reach us too.
        channel, names = event.arguments[1], event.arguments[2]
        for name in names.split():
            nick = name.lstrip("~&@%+!").partition("!")[0]
            if nick and not self._is_me(session, nick):
                self.tracker.joined(nick, channel, None, known=False)

    def _on_quit(self, session: IrcSession, event: Any) -> None:
        # Netsplits arrive as QUITs ("irc.a irc.b"); the users come back with JOINs.
        nick = event.source.nick
        reason = event.arguments[0] if event.arguments else ""
        self.tracker.quit(nick)
        self._depart(nick, f"{nick} left ({reason})" if reason else f"{nick} left")
        self._reclaim_nick(session, nick)

    def _on_nick(self, session: IrcSession, event: Any) -> None:
        old, new = event.source.nick, event.target
        if self._is_me(session, new):
            return  # our own change (the library already updated our nick)
        self.tracker.renamed(old, new)
        if irc_lower(old) == irc_lower(new):
            self.outbox.rename(old, new)  # only the case changed
            return
        # Queued lines follow the person. Whatever was queued for the new nick
        # was for an earlier holder, and a reply still being computed for the
        # old nick is dropped when it is ready (see left_since).
        self._depart(new, f"{new} is now held by {old}")
        self.outbox.rename(old, new)
        self._depart(old, f"{old} is now {new}")
        self._unwatch(old)
        if self.outbox.pending_for(new):
            self.watch(new)
        self._reclaim_nick(session, old)

    def _reclaim_nick(self, session: IrcSession, freed: str) -> None:
        primary = self.config.nick
        if irc_lower(freed) == irc_lower(primary) and not self._is_me(session, primary):
            log.info("irc: %s is free again; taking it back", primary)
            session.send(f"NICK {primary}")

    def _on_account(self, session: IrcSession, event: Any) -> None:
        nick, account = event.source.nick, event.target
        account = None if account in ("*", None) else account
        self.tracker.account_changed(nick, account)
        self.outbox.account_changed(nick, account)

    def _on_whospcrpl(self, session: IrcSession, event: Any) -> None:  # RPL_WHOSPCRPL
        token, nick, account = (list(event.arguments) + ["", "", ""])[:3]
        if token == WHOX_TOKEN and self.tracker.sees(nick):
            self.tracker.account_changed(nick, None if account in ("0", "*", "") else account)

    def _on_whoisuser(self, session: IrcSession, event: Any) -> None:
        nick, user, host = event.arguments[:3]
        self.tracker.whois_user(nick, user, host)
        watch = self._monitor.get(irc_lower(nick))
        if watch is not None and watch.whois is not None:
            watch.whois = (user, host, watch.whois[2])

    def _on_whoisaccount(self, session: IrcSession, event: Any) -> None:
        nick, account = event.arguments[:2]
        self.tracker.whois_account(nick, account)
        watch = self._monitor.get(irc_lower(nick))
        if watch is not None and watch.whois is not None:
            watch.whois = (watch.whois[0], watch.whois[1], account)

    def _on_endofwhois(self, session: IrcSession, event: Any) -> None:
        nick = event.arguments[0]
        self.tracker.whois_end(nick)
        watch = self._monitor.get(irc_lower(nick))
        if watch is not None and watch.whois is not None:
            user, host, account = watch.whois
            watch.whois = None
            watch.online = bool(user and host)
            watch.user, watch.host, watch.account = user, host, account
            if not watch.online:
                self._depart(nick, f"{nick} left")
            self.outbox.wake()

    def _on_cannotsendtochan(self, session: IrcSession, event: Any) -> None:
        target, why = event.arguments[:2]
        log.warning("irc: could not deliver a line to %s: %s", target, why)
        self.outbox.refused(target, why)

    def _on_nosuchnick(self, session: IrcSession, event: Any) -> None:
        target, why = event.arguments[:2]
        log.warning("irc: could not deliver a line to %s: %s", target, why)
        self.outbox.refused(target, why)

    def _on_bannedfromchan(self, session: IrcSession, event: Any) -> None:
        log.error("irc: cannot join %s: %s", *event.arguments[:2])

    _on_inviteonlychan = _on_badchannelkey = _on_channelisfull = _on_bannedfromchan
