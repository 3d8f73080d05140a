"""One person's messages in order, different people concurrently.

One worker per active speaker drains that speaker's backlog; a speaker with
nothing pending costs nothing (not one task per message: a busy channel would
pile up thousands of tasks).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


class SpeakerQueues:
    def __init__(self) -> None:
        self._backlogs: dict[str, deque[Work]] = {}
        self._workers: set[asyncio.Task[None]] = set()

    def submit(self, speaker: str, work: Work) -> None:
        backlog = self._backlogs.get(speaker)
        if backlog is not None:
            backlog.append(work)
            return
        self._backlogs[speaker] = deque([work])
        task = asyncio.get_running_loop().create_task(self._drain(speaker))
        self._workers.add(task)
        task.add_done_callback(self._workers.discard)

    @property
    def pending(self) -> int:
        """Messages received and not yet handled."""
        return sum(len(b) for b in self._backlogs.values())

    async def _drain(self, speaker: str) -> None:
        backlog = self._backlogs[speaker]
        try:
            while backlog:
                work = backlog.popleft()
                try:
                    await work()
                except Exception:
                    log.exception("failed to handle a message from %s", speaker)
        finally:
            del self._backlogs[speaker]

    async def close(self) -> None:
        """Stop every worker (what was not handled yet is logged and dropped)."""
        if self.pending:
            log.warning("stopping with %d received messages not yet handled", self.pending)
        for task in list(self._workers):
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
