"""The IRC adapter: one connection kept alive, messages in, replies out."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from adapters.irc.config import IrcConfig
from adapters.irc.connection import IrcError, IrcSaslError, IrcSession
from adapters.irc.early import EarlyConnection
from adapters.irc.flood import TokenBucket
from adapters.irc.identity import AccountTracker, irc_lower
from adapters.irc.lines import payload_budget
from adapters.irc.membership import Membership
from adapters.irc.outbox import Outbox, Recipient, is_channel
from adapters.irc.render import Limits, Outgoing, plan_announcement, plan_reply
from bot.adapter import Core, Route, SendFailed
from bot.backoff import Backoff
from bot.message import ChatIdentity, Fit, Message
from bot.reply import Reply

log = logging.getLogger(__name__)

#: A connection that stayed up this long resets the reconnect backoff.
STABLE_AFTER = 60.0
_FORBIDDEN_TARGET = set(" ,:\r\n\x00\x07")


class IrcAdapter:
    """Serves one IRC network for :class:`bot.core.Bot`; see :class:`IrcConfig`."""

    platform = "irc"

    def __init__(self, config: IrcConfig, bot: Core, early: EarlyConnection | None = None) -> None:
        """``early``: a connection already being opened, to take over (see its module)."""
        self.config = config
        self.bot = bot
        self._early = early
        self.tracker = AccountTracker(whois_ttl=config.whois_cache_seconds)
        self.outbox = Outbox(
            TokenBucket(config.flood_burst, config.flood_rate), max_age=config.reply_max_age
        )
        self.limits = Limits(
            max_channel_lines=config.max_channel_lines,
            max_private_lines=config.max_private_lines,
            overflow=config.overflow,
            formatting=config.formatting,
            address_replies=config.address_replies,
        )
        self.membership = Membership(config, self.tracker, self.outbox)
        self.session: IrcSession | None = None
        self.registrations = 0
        self._owner_channels = {irc_lower(c) for c in config.owner_channels}

    @property
    def ready(self) -> asyncio.Event:
        """Set while registered and in every configured channel."""
        return self.membership.ready

    # --- lifecycle --------------------------------------------------------------

    async def run(self) -> None:
        """Connect and serve until cancelled, reconnecting with backoff."""
        loop = asyncio.get_running_loop()
        backoff = Backoff(self.config.reconnect_min, self.config.reconnect_max)
        try:
            while True:
                started = loop.time()
                try:
                    await self._serve_once()
                except IrcSaslError:
                    raise
                except (OSError, IrcError) as exc:
                    log.warning("irc: %s:%d: %s", self.config.server, self.config.port, exc)
                if loop.time() - started >= STABLE_AFTER:
                    backoff.reset()
                log.info("irc: reconnecting in %.1f s", await backoff.wait())
        finally:
            self.outbox.drop_all("the IRC adapter stopped")

    async def _serve_once(self) -> None:
        early, self._early = self._early, None
        if early is None:
            session = IrcSession(self.config, self._on_event, self.bot.may_address)
        else:
            session = early.session
        self.session = session
        try:
            if early is None:
                await session.open()
            else:
                await self._take_over(early)
            self.registrations += 1
            self.outbox.confirm_writes = "echo-message" in session.caps
            if not self.outbox.confirm_writes:
                log.info("irc: no echo-message: a line written just before a silent "
                         "disconnection cannot be told from a delivered one")  # fmt: skip
            self.membership.start(session)
            helpers = [
                asyncio.create_task(self.outbox.run(session.send_lines)),
                asyncio.create_task(session.watchdog()),
            ]
            try:
                reason = await session.closed
            finally:
                for task in helpers:
                    task.cancel()
                await asyncio.gather(*helpers, return_exceptions=True)
            raise IrcError(f"disconnected ({reason})")
        finally:
            session.close("forgebot stopping")
            self.session = None
            self.membership.stop()

    async def _take_over(self, early: EarlyConnection) -> None:
        """Serve the connection opened while the bot was starting, from its first event."""
        early.session.hand_over(self._on_event, self.bot.may_address)
        for event in early.events:
            self._on_event(early.session, event)
        await early.opened

    def http_routes(self) -> list[Route]:
        return []

    async def send(self, destination: str, reply: Reply) -> None:
        """Deliver an unsolicited reply to a channel or nick; raises if it could not be."""
        if not destination or _FORBIDDEN_TARGET & set(destination):
            raise ValueError(f"not an IRC channel or nick: {destination!r}")
        outgoing = plan_announcement(reply, destination, self._budget, self.limits)
        batch = self.outbox.put(outgoing, f"an announcement to {destination}", track=True)
        assert batch.done is not None
        await batch.done

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        """Deliver privately to whoever is logged in as the services account ``user_id``.

        An account cannot be messaged, only a nick: one in a channel with the
        bot and logged in as that account now. The lines are for that person,
        not the nick: dropped (and this raises) if the nick's holder changes.
        """
        nicks = self.tracker.nicks_of(user_id)
        if not nicks or self.session is None:
            raise SendFailed(f"nobody logged in as {user_id} is in a channel with the bot")
        nick = min(nicks)
        outgoing = plan_announcement(reply, nick, self._budget, self.limits)
        recipient = Recipient(nick, "", "", user_id)
        self.membership.watch(nick)
        batch = self.outbox.put(outgoing, f"a direct message to {user_id}", track=True,
                                recipient=recipient)  # fmt: skip
        assert batch.done is not None
        await batch.done

    # --- incoming ---------------------------------------------------------------

    def _on_event(self, session: IrcSession, event: Any) -> None:
        if event.type == "pubmsg":
            self._on_message(session, event, channel=event.target)
        elif event.type == "privmsg":
            self._on_message(session, event, channel=None)
        else:  # notices, CTCP and /me are never commands
            self.membership.handle(session, event)

    def _on_message(self, session: IrcSession, event: Any, channel: str | None) -> None:
        source = event.source
        if not getattr(source, "user", None):
            return  # from a server
        if irc_lower(source.nick) == irc_lower(session.nick):
            self.outbox.confirmed(event.target, event.arguments[0])  # our own, echoed
            return
        tags = {t["key"]: t["value"] for t in event.tags or []}
        text = event.arguments[0]
        mark = self.membership.mark()  # to tell whether the speaker left before the reply
        self.bot.submit(
            "irc:" + irc_lower(source.nick),
            lambda: self._handle_message(session, source, tags, channel, text, mark),
        )

    def _may_be_command(self, text: str, channel: str | None, nick: str) -> bool:
        """Whether a line could be for the bot, so that a WHOIS is worth sending.

        Only a cost saving for servers without account-tag: a line judged not
        worth it still reaches the core, as from a sender not logged in.
        """
        if channel is None:
            return True
        return self.bot.may_address(text) or irc_lower(text).startswith(irc_lower(nick))

    async def _account(
        self,
        session: IrcSession,
        source: Any,
        tags: dict[str, str | None],
        text: str,
        channel: str | None,
    ) -> str | None:
        if "account-tag" in session.caps:
            return tags.get("account") or None  # no tag: not logged in
        if {"account-notify", "extended-join"} <= session.caps:
            known, account = self.tracker.live(source.nick)
            if known:
                return account
        if not self._may_be_command(text, channel, session.nick):
            return None
        try:
            return await self.tracker.whois(source.nick, source.user, source.host, session.send)
        except IrcError:
            return None

    def _strip_mention(self, text: str, nick: str) -> tuple[str, bool]:
        head, sep, rest = text.partition(" ")
        if sep and head[-1:] in (":", ",") and irc_lower(head[:-1]) == irc_lower(nick):
            return rest.lstrip(), True
        return text, False

    async def _handle_message(
        self,
        session: IrcSession,
        source: Any,
        tags: dict[str, str | None],
        channel: str | None,
        text: str,
        mark: int,
    ) -> None:
        account = await self._account(session, source, tags, text, channel)
        if channel is not None and irc_lower(channel) in self._owner_channels:
            if account not in self.config.owners:
                return
        mentioned = False
        if channel is not None:
            text, mentioned = self._strip_mention(text, session.nick)
        message = Message(
            platform="irc",
            sender=ChatIdentity("irc", user_id=account, display=source.nick),
            text=text,
            room=channel,
            direct=channel is None,
            mentioned=mentioned,
            extra={
                k: v for k, v in (("msgid", tags.get("msgid")), ("time", tags.get("time"))) if v
            },
            fit=Fit(lines=self.config.comfortable_lines),
        )
        try:
            reply = await self.bot.handle(message)
        except Exception:
            log.exception("irc: the bot failed on %r from %s", text[:60], source.nick)
            return
        if reply is not None:
            origin = f"{source.nick} in {channel or 'a private message'} ({text[:60]!r})"
            recipient = Recipient(source.nick, source.user, source.host, account)
            outgoing = plan_reply(reply, source.nick, channel, self._budget, self.limits)
            self._deliver(session, outgoing, origin, recipient, mark)

    def _deliver(
        self,
        session: IrcSession,
        outgoing: list[Outgoing],
        origin: str,
        recipient: Recipient,
        mark: int,
    ) -> None:
        if not outgoing:
            return
        if not all(is_channel(o.target) for o in outgoing):
            # Private lines are for the person who asked, not for the nick.
            nick = recipient.nick
            if session is not self.session:
                why = "the bot reconnected since the question"
            elif self.membership.left_since(nick, mark):
                why = f"{nick} left or changed nick before the answer was ready"
            else:
                self.membership.watch(nick)
                self.outbox.put(outgoing, origin, recipient=recipient)
                return
            log.warning(
                "irc: %d lines for %s not delivered: %s (the reply to %s)",
                len(outgoing),
                recipient.label(),
                why,
                origin,
            )
            return
        self.outbox.put(outgoing, origin, recipient=recipient)

    def _budget(self, target: str) -> int:
        session = self.session
        nick = session.nick if session else self.config.nick
        mask = session.own_mask if session else None
        # Unknown host: assume the longest user (10 + "~") and host (63) a server allows.
        userhost = (
            mask.split("!", 1)[1] if mask and "!" in mask else "~" + "u" * 10 + "@" + "h" * 63
        )
        return payload_budget(f"{nick}!{userhost}", "PRIVMSG", target)
