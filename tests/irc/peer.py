"""A plain IRC client for driving the bot in tests: raw lines, no IRC library.

It deliberately shares no parsing code with the adapter, so a bug in the
adapter's line handling cannot hide behind the same bug in the test client.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.support import PATIENCE


@dataclass(frozen=True)
class Line:
    raw: str
    tags: dict[str, str]
    source: str
    command: str
    params: tuple[str, ...]
    at: float = 0.0  # loop time of arrival

    @property
    def nick(self) -> str:
        return self.source.split("!", 1)[0]

    @property
    def text(self) -> str:
        return self.params[-1] if self.params else ""

    @classmethod
    def parse(cls, raw: str) -> Line:
        rest, tags = raw, {}
        if rest.startswith("@"):
            tag_part, _, rest = rest.partition(" ")
            for item in tag_part[1:].split(";"):
                key, _, value = item.partition("=")
                tags[key] = value
        source = ""
        if rest.startswith(":"):
            source, _, rest = rest[1:].partition(" ")
        head, sep, trailing = rest.partition(" :")
        words = head.split()
        params = tuple(words[1:]) + ((trailing,) if sep else ())
        return cls(raw, tags, source, words[0].upper() if words else "", params)


Predicate = Callable[[Line], bool]


@dataclass
class Peer:
    """One connected user. ``lines`` holds everything the server sent it."""

    nick: str
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    lines: list[Line] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _reader_task: asyncio.Task[None] | None = None
    _syncs: int = 0

    @classmethod
    async def connect(
        cls,
        host: str,
        port: int,
        nick: str,
        account: str | None = None,
        password: str | None = None,
        caps: tuple[str, ...] = ("message-tags",),
        within: float = 10.0,
    ) -> Peer:
        reader, writer = await asyncio.open_connection(host, port)
        peer = cls(nick, reader, writer)
        peer._reader_task = asyncio.create_task(peer._read())
        wanted = list(caps) + (["sasl"] if account else [])
        if wanted:
            await peer.send("CAP REQ :" + " ".join(wanted))
        await peer.send(f"NICK {nick}")
        await peer.send(f"USER {nick} 0 * :test peer {nick}")
        if wanted:
            await peer.expect(lambda ln: ln.command == "CAP", within)
        if account:
            await peer.send("AUTHENTICATE PLAIN")
            await peer.expect(lambda ln: ln.command == "AUTHENTICATE", within)
            token = base64.b64encode(f"{account}\0{account}\0{password}".encode()).decode()
            await peer.send("AUTHENTICATE " + token)
            done = await peer.expect(lambda ln: ln.command in ("903", "904"), within)
            if done.command != "903":
                raise RuntimeError(f"SASL failed for {account}: {done.raw}")
        if wanted:
            await peer.send("CAP END")
        await peer.expect(lambda ln: ln.command == "001", within)
        return peer

    async def _read(self) -> None:
        while True:
            data = await self.reader.readline()
            if not data:
                break
            raw = data.decode("utf-8", "replace").rstrip("\r\n")
            line = dataclasses.replace(Line.parse(raw), at=asyncio.get_running_loop().time())
            if line.command == "PING":
                self.writer.write(f"PONG :{line.text}\r\n".encode())
            async with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        async with self._changed:
            self.lines.append(Line.parse("EOF"))
            self._changed.notify_all()

    async def send(self, raw: str | bytes) -> None:
        data = raw if isinstance(raw, bytes) else raw.encode()
        self.writer.write(data + b"\r\n")
        await self.writer.drain()

    async def say(self, target: str, text: str) -> None:
        await self.send(f"PRIVMSG {target} :{text}")

    def mark(self) -> int:
        """An index into ``lines``; pass it to :meth:`expect` to ignore older lines."""
        return len(self.lines)

    async def expect(self, predicate: Predicate, within: float = PATIENCE, since: int = 0) -> Line:
        """The first line (from index ``since``) matching ``predicate``."""
        deadline = time.monotonic() + within
        async with self._changed:
            while True:
                for line in self.lines[since:]:
                    if predicate(line):
                        return line
                since = max(since, len(self.lines))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = "\n".join(ln.raw for ln in self.lines[-15:])
                    raise TimeoutError(f"{self.nick}: no matching line in {within} s:\n{recent}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    pass

    async def before_answer(
        self, asker: Peer, target: str, text: str, answer: Predicate, since: int
    ) -> list[Line]:
        """Every line this peer got from ``since`` until the answer to a sentinel.

        ``asker`` says ``text`` to ``target`` (the bot answers one person's
        messages in order, and sends one queue's lines in order); once this peer
        has the line matching ``answer``, whatever was to come before it has
        come: "nothing more arrived" without a quiet window to guess.
        """
        await asker.say(target, text)
        sentinel = await self.expect(answer, since=since)
        return self.lines[since : self.lines.index(sentinel)]

    async def sync(self) -> int:
        """Wait until every line the server sent before now has been read; return a mark."""
        self._syncs += 1
        token = f"sync-{self._syncs}"
        await self.send(f"PING :{token}")
        await self.expect(lambda ln: ln.command == "PONG" and ln.text == token, since=self.mark())
        return self.mark()

    async def join(self, channel: str) -> None:
        since = self.mark()
        await self.send(f"JOIN {channel}")
        await self.expect(lambda ln: ln.command == "366" and ln.params[1] == channel, since=since)

    async def change_nick(self, nick: str) -> None:
        since = self.mark()
        await self.send(f"NICK {nick}")
        await self.expect(lambda ln: ln.command == "NICK" and ln.text == nick, since=since)
        self.nick = nick

    async def close(self) -> None:
        if not self.writer.is_closing():
            try:
                await self.send("QUIT :bye")
            except ConnectionError:
                pass
            self.writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()


def privmsgs_from(nick: str, target: str | None = None) -> Predicate:
    """Lines that are PRIVMSGs from ``nick`` (to ``target`` if given)."""

    def match(line: Line) -> bool:
        return (
            line.command == "PRIVMSG"
            and line.nick.lower() == nick.lower()
            and (target is None or line.params[0].lower() == target.lower())
        )

    return match
