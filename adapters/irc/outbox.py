"""Outgoing PRIVMSG queue: flood-controlled, fair between targets, never silent on loss.

Lines wait here while the bot is disconnected and go out after it has
reconnected; a line that waited longer than ``max_age`` is dropped with a
log entry naming the command it answered, so nothing is lost silently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from adapters.irc.flood import TokenBucket
from adapters.irc.identity import irc_lower
from adapters.irc.render import Outgoing

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """Lines of a reply could not be sent (too old, or the adapter stopped)."""


@dataclass
class _Batch:
    """The lines of one reply; ``done`` resolves when the last one was written."""

    origin: str
    remaining: int
    created: float
    done: asyncio.Future[None] | None = None
    failed: bool = False


@dataclass
class _Line:
    target: str
    text: str
    batch: _Batch


@dataclass
class Outbox:
    bucket: TokenBucket
    max_age: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _queues: OrderedDict[str, deque[_Line]] = field(default_factory=OrderedDict)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def put(self, lines: Iterable[Outgoing], origin: str, track: bool = False) -> _Batch:
        """Queue the lines of one reply; ``origin`` says what they answer (for logs)."""
        items = list(lines)
        done = asyncio.get_running_loop().create_future() if track else None
        batch = _Batch(origin, len(items), self.clock(), done)
        for item in items:
            key = irc_lower(item.target)
            self._queues.setdefault(key, deque()).append(_Line(item.target, item.text, batch))
        if not items and done is not None:
            done.set_result(None)
        self._wakeup.set()
        return batch

    def rename(self, old: str, new: str) -> None:
        """A nick change: queued private lines follow the person."""
        old_key, new_key = irc_lower(old), irc_lower(new)
        if old_key not in self._queues:
            return
        for line in self._queues[old_key]:
            line.target = new
        renamed: OrderedDict[str, deque[_Line]] = OrderedDict()
        for key, queue in self._queues.items():  # keep the queue's turn in the rotation
            key = new_key if key == old_key else key
            renamed.setdefault(key, deque()).extend(queue)
        self._queues = renamed

    def _fail(self, line: _Line, why: str) -> None:
        batch = line.batch
        if not batch.failed:
            batch.failed = True
            log.warning(
                "irc: reply to %s could not be delivered to %s: %s", batch.origin, line.target, why
            )
            if batch.done is not None and not batch.done.done():
                batch.done.set_exception(DeliveryFailed(why))

    def expire(self) -> None:
        """Drop lines older than ``max_age``, logging the reply each belonged to."""
        now = self.clock()
        for key in list(self._queues):
            queue = self._queues[key]
            while queue and now - queue[0].batch.created > self.max_age:
                self._fail(queue.popleft(), f"still undelivered after {self.max_age:.0f} s")
            if not queue:
                del self._queues[key]

    def drop_all(self, why: str) -> None:
        for queue in self._queues.values():
            for line in queue:
                self._fail(line, why)
        self._queues.clear()

    def _pop(self) -> _Line | None:
        # Round robin: one line per target in turn, so one long private
        # answer cannot hold back a short reply in the channel.
        self.expire()
        if not self._queues:
            return None
        key, queue = next(iter(self._queues.items()))
        line = queue.popleft()
        del self._queues[key]
        if queue:
            self._queues[key] = queue
        return line

    def _push_back(self, line: _Line) -> None:
        key = irc_lower(line.target)
        queue = self._queues.pop(key, deque())
        queue.appendleft(line)
        self._queues[key] = queue
        self._queues.move_to_end(key, last=False)

    async def run(self, write: Callable[[str], None]) -> None:
        """Send lines through ``write`` at the bucket's pace until cancelled or it fails."""
        while True:
            line = self._pop()
            if line is None:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            try:
                await self.bucket.take()
            except asyncio.CancelledError:
                self._push_back(line)
                raise
            try:
                write(f"PRIVMSG {line.target} :{line.text}")
            except ValueError as exc:  # an unsafe or oversized line: a bug, never retried
                self._fail(line, str(exc))
                continue
            except Exception as exc:
                self._push_back(line)  # the connection went away: keep it for the next one
                log.info("irc: pausing the outbox: %s", exc)
                return
            line.batch.remaining -= 1
            if line.batch.remaining == 0 and line.batch.done is not None:
                if not line.batch.done.done():
                    line.batch.done.set_result(None)
