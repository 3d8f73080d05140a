"""A TCP relay between the bot and the ircd, to make connections die in chosen ways.

``freeze()`` stops relaying while keeping every socket open (a dead link
that no RST reveals: only a PING timeout can notice it); ``sever()`` closes
the current connections at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field


@dataclass
class _Pair:
    writers: tuple[asyncio.StreamWriter, asyncio.StreamWriter]
    frozen: bool = False


@dataclass
class TcpRelay:
    upstream_host: str
    upstream_port: int
    port: int = 0
    accepted: int = 0
    _server: asyncio.Server | None = None
    _pairs: list[_Pair] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> TcpRelay:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        pair = _Pair((writer, up_writer))
        self._pairs.append(pair)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(pair, src, dst))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(
        self, pair: _Pair, src: asyncio.StreamReader, dst: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await src.read(65536):
                if not pair.frozen:
                    dst.write(data)
                    await dst.drain()
        if not pair.frozen:
            dst.close()

    def freeze(self) -> None:
        for pair in self._pairs:
            pair.frozen = True

    def sever(self, only_frozen: bool = False) -> None:
        """Close relayed connections (only the frozen ones: the server sees its ghost go)."""
        for pair in [p for p in self._pairs if p.frozen or not only_frozen]:
            for writer in pair.writers:
                writer.close()
            self._pairs.remove(pair)

    async def stop(self) -> None:
        self.sever()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
