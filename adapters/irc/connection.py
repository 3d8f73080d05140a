"""One connection to the IRC server: CAP negotiation, SASL, nick fallback, liveness.

Built on ``irc.client_aio`` (jaraco's asyncio client), which parses lines
into events but has no CAP/SASL support: CAP LS is written from the
reactor's ``on_connect`` hook, before the library sends NICK/USER, so the
server holds registration until ``CAP END``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable, Sequence
from typing import Any

import irc.client
import irc.client_aio
import irc.connection

from adapters.irc.chatter import is_chatter
from adapters.irc.config import IrcConfig
from adapters.irc.line_buffer import LineBuffer
from adapters.irc.lines import check_wire
from adapters.irc.sasl import authenticate_lines, offers_mechanism, parse_caps

log = logging.getLogger(__name__)

EventHandler = Callable[["IrcSession", Any], None]
_SASL_FAILURES = {"saslfail", "sasltoolong", "saslaborted", "nicklocked"}
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
_NICK_REFUSED = {"nicknameinuse", "erroneusnickname", "unavailresource"}


class IrcError(Exception):
    """The connection could not be made or was lost."""


class IrcSaslError(IrcError):
    """SASL was refused or not offered while the configuration requires it."""


class _Connection(irc.client_aio.AioConnection):  # type: ignore[misc]
    # Lenient decoding: one Latin-1 line from a user must not kill the
    # connection (the strict default raises inside data_received).
    buffer_class = LineBuffer
    session: IrcSession

    def process_data(self, new_data: bytes) -> None:
        session = self.session
        session.alive()
        _ack_now(self.transport)
        self.buffer.feed(new_data)
        for line in self.buffer:
            if not line:
                continue
            try:
                # Chatter skips the library: it would parse the line and dispatch two
                # events through its reactor only for the adapter to drop them.
                if session.is_chatter(line):
                    continue
                self._process_line(line)
            except Exception:
                log.exception("irc: could not process line %r", line[:200])


def _ack_now(transport: asyncio.BaseTransport | None) -> None:
    """Acknowledge what was just read at once rather than up to 40 ms later (Linux).

    With echo-message the server sends each of our lines back; a delayed ACK of
    that echo holds the server's next line to us (the next command) behind
    Nagle's algorithm on a server that does not set TCP_NODELAY (InspIRCd).
    The kernel clears the flag again by itself, so it is set after every read.
    """
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is not None and _QUICKACK is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        except OSError:  # not TCP (a test's socket pair) or already closing
            pass


class IrcSession:
    """From TCP connect to disconnect. :meth:`open` returns once registered (001)."""

    def __init__(
        self,
        config: IrcConfig,
        on_event: EventHandler,
        may_address: Callable[[str], bool] | None = None,
    ) -> None:
        """``may_address``: the core's test of whether a channel line could be for the bot;
        a line it rules out (see :func:`~adapters.irc.chatter.is_chatter`) is no event."""
        self.config = config
        self._on_event = on_event
        self._may_address = may_address
        self._loop = asyncio.get_running_loop()
        self.registered: asyncio.Future[None] = self._loop.create_future()
        self.closed: asyncio.Future[str] = self._loop.create_future()
        self.caps: set[str] = set()  # acknowledged capabilities
        self.account: str | None = None  # what SASL logged us in as
        self.own_mask: str | None = None  # nick!user@host as others see it
        self.isupport: dict[str, str] = {}  # RPL_ISUPPORT (005) tokens, e.g. MONITOR=100
        self.last_seen = self._loop.time()
        self._offered: dict[str, str] = {}
        self._pending_reqs = 0
        self._cap_done = False
        self._nick_index = 0
        self._mechanism = config.sasl_mechanism.upper()
        self._ping_sent = False
        self.reactor = irc.client_aio.AioReactor(loop=self._loop, on_connect=self._on_tcp)
        self.reactor.add_global_handler("all_events", self._dispatch, -20)
        self.conn: Any = None

    @property
    def nick(self) -> str:
        return str(self.conn.real_nickname) if self.conn is not None else self.config.nick

    @property
    def connected(self) -> bool:
        return self.conn is not None and bool(getattr(self.conn, "connected", False))

    def _factory(self) -> irc.connection.AioFactory:
        if not self.config.tls:
            return irc.connection.AioFactory()
        context = ssl.create_default_context(cafile=self.config.tls_ca_file)
        if not self.config.tls_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.config.tls_certfile:
            context.load_cert_chain(self.config.tls_certfile, self.config.tls_keyfile)
        return irc.connection.AioFactory(ssl=context)

    async def open(self) -> None:
        """Connect, negotiate, authenticate; raise :class:`IrcError` if that fails."""
        self.conn = _Connection(self.reactor)
        self.conn.session = self
        self.reactor.connections.append(self.conn)
        try:
            async with asyncio.timeout(self.config.connect_timeout):
                await self.conn.connect(
                    self.config.server,
                    self.config.port,
                    self.config.nick,
                    username=self.config.username,
                    ircname=self.config.realname,
                    connect_factory=self._factory(),
                )
                waiting: list[asyncio.Future[Any]] = [self.registered, self.closed]
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError:
            self.close("registration timed out")
            raise IrcError(
                f"no welcome from the server in {self.config.connect_timeout} s"
            ) from None
        if not self.registered.done():
            raise IrcError(f"closed during registration: {self.closed.result()}")
        self.registered.result()  # re-raise an IrcSaslError

    def hand_over(self, on_event: EventHandler, may_address: Callable[[str], bool]) -> None:
        """From now on, events go to ``on_event`` (a session opened before its adapter)."""
        self._on_event = on_event
        self._may_address = may_address

    def alive(self) -> None:
        """The server sent something: it is there (see :meth:`watchdog`)."""
        self.last_seen = self._loop.time()
        self._ping_sent = False

    def is_chatter(self, line: str) -> bool:
        """Whether a raw line is channel talk not for the bot, which needs no event."""
        may_address = self._may_address
        return may_address is not None and is_chatter(line, self.nick, may_address)

    def send(self, line: str) -> None:
        """Write one raw line; never a line holding CR, LF or NUL."""
        self.send_lines((line,))

    def send_lines(self, lines: Sequence[str]) -> None:
        """Write raw lines in one write, so that they leave together (a reply's lines,
        one TCP segment, relayed by the server at once); none if any holds CR, LF, NUL."""
        if not self.connected:
            raise IrcError("not connected")
        data = b"".join(self.conn._prep_message(check_wire(line)) for line in lines)
        if self.conn.transport is None:
            raise IrcError("not connected")
        self.conn.transport.write(data)

    def close(self, reason: str) -> None:
        if self.connected:
            try:
                self.conn.disconnect(reason)
            except Exception:  # a half-closed transport: it is going away anyway
                log.debug("irc: error while closing", exc_info=True)
        if not self.closed.done():
            self.closed.set_result(reason)

    async def watchdog(self) -> None:
        """Close the connection when the server has been silent for ``ping_timeout``."""
        interval, timeout = self.config.ping_interval, self.config.ping_timeout
        while not self.closed.done():
            silent = self._loop.time() - self.last_seen
            if silent >= timeout:
                log.warning("irc: no data from the server in %.0f s; reconnecting", silent)
                self.close("ping timeout")
                return
            if silent >= interval and not self._ping_sent:
                self._ping_sent = True
                try:
                    self.send(f"PING :forgebot-{int(self._loop.time())}")
                except IrcError:
                    return  # already closing
            await asyncio.sleep(min(interval, timeout - silent, 1.0) / 2)

    def _on_tcp(self, protocol: Any, transport: asyncio.Transport) -> None:
        transport.write(b"CAP LS 302\r\n")

    def _fail(self, error: IrcError) -> None:
        if not self.registered.done():
            self.registered.set_exception(error)
        self.close(str(error))

    def _dispatch(self, conn: Any, event: Any) -> None:
        try:
            self._handle(event)
            if event.type not in ("all_raw_messages", "cap", "authenticate"):
                self._on_event(self, event)
        except Exception:
            log.exception("irc: error handling %s", event.type)

    def _handle(self, event: Any) -> None:
        kind, args = event.type, event.arguments
        if kind == "cap":
            self._on_cap(args)
        elif kind == "authenticate" and event.target == "+":
            for line in authenticate_lines(
                self._mechanism, self.config.account, self.config.password
            ):
                self.send(line)
        elif kind == "loggedin":
            self.own_mask, self.account = args[0], args[1]
        elif kind in ("saslsuccess", "saslalready"):
            self._end_cap()
        elif kind in _SASL_FAILURES:
            self._sasl_unavailable(f"the server refused SASL {self._mechanism}: {args[-1]}")
        elif kind in _NICK_REFUSED and not self.registered.done():
            self._next_nick()
        elif kind == "welcome":
            self._on_welcome(event)
        elif kind == "featurelist":  # the library drops tokens without a value
            for token in args[:-1]:
                name, _, value = token.partition("=")
                if name.startswith("-"):
                    self.isupport.pop(name[1:].upper(), None)
                else:
                    self.isupport[name.upper()] = value
        elif kind == "join" and event.source.nick == self.nick:
            self.own_mask = str(event.source)
        elif kind == "396":  # RPL_VISIBLEHOST: a cloak was applied
            self.own_mask = f"{self.nick}!{self.conn.username}@{event.arguments[0]}"
        elif kind == "chghost" and event.source.nick == self.nick:
            self.own_mask = f"{self.nick}!{event.target}@{args[0]}"
        elif kind == "error":
            log.warning("irc: the server closed the link: %s", event.target or args)
        elif kind == "disconnect" and not self.closed.done():
            self.closed.set_result("connection lost")

    def _on_cap(self, args: list[str]) -> None:
        sub = args[0].upper()
        if sub == "LS":
            more = len(args) > 2 and args[1] == "*"
            self._offered.update(parse_caps(args[-1]))
            if not more:
                self._request(self._wanted(self._offered), registering=True)
        elif sub == "ACK":
            for cap in args[-1].split():
                if cap.startswith("-"):
                    self.caps.discard(cap[1:])
                else:
                    self.caps.add(cap)
            self._answered()
        elif sub == "NAK":
            names = args[-1].split()
            if len(names) > 1:  # one refused cap sinks the batch: ask one by one
                self._pending_reqs += len(names)
                for name in names:
                    self.send(f"CAP REQ :{name}")
            self._answered()
        elif sub == "NEW":
            offered = parse_caps(args[-1])
            self._offered.update(offered)
            self._request(self._wanted(offered) - {"sasl"}, registering=False)
        elif sub == "DEL":
            for name in parse_caps(args[-1]):
                self.caps.discard(name)
                log.info("irc: the server withdrew capability %s", name)

    def _wanted(self, offered: dict[str, str]) -> set[str]:
        wanted = {cap for cap in self.config.caps if cap in offered}
        if self._mechanism != "NONE" and offers_mechanism(offered, self._mechanism):
            wanted.add("sasl")
        return wanted

    def _request(self, caps: set[str], registering: bool) -> None:
        if caps:
            self._pending_reqs += 1
            self.send("CAP REQ :" + " ".join(sorted(caps)))
        elif registering:
            self._answered()

    def _answered(self) -> None:
        self._pending_reqs = max(0, self._pending_reqs - 1)
        if self._pending_reqs or self._cap_done or self.registered.done():
            return
        if self._mechanism == "NONE":
            self._end_cap()
        elif "sasl" in self.caps:
            self.send(f"AUTHENTICATE {self._mechanism}")
        else:
            self._sasl_unavailable(f"the server does not offer SASL {self._mechanism}")

    def _sasl_unavailable(self, why: str) -> None:
        if self.config.sasl_required:
            log.error("irc: %s; stopping, because irc.sasl_required is set", why)
            self._fail(IrcSaslError(why))
        else:
            log.error("irc: %s; continuing without an account (public commands only)", why)
            self._end_cap()

    def _end_cap(self) -> None:
        if not self._cap_done:
            self._cap_done = True
            self.send("CAP END")

    def _next_nick(self) -> None:
        self._nick_index += 1
        nicks = self.config.nicks
        if self._nick_index < len(nicks):
            nick = nicks[self._nick_index]
        else:
            nick = f"{self.config.nick}{'_' * (self._nick_index - len(nicks) + 1)}"
        log.warning("irc: nick %s is taken; trying %s", self.nick, nick)
        self.conn.real_nickname = nick
        self.send(f"NICK {nick}")

    def _on_welcome(self, event: Any) -> None:
        if self._mechanism != "NONE" and not self._cap_done:
            # Registered without any CAP exchange: the server knows no SASL.
            self._cap_done = True
            self._sasl_unavailable("the server does not support CAP, so no SASL")
        if not self.registered.done():
            log.info("irc: registered as %s (account %s)", event.target, self.account)
            self.registered.set_result(None)
