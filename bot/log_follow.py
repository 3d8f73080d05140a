"""``logs --follow``: a job's new log lines, sent privately while they come, for a bounded time.

One follow per asker at a time. Lines are gathered for a couple of seconds
and sent together (an IRC line every two seconds is all a network allows),
redacted with the tool's envvar values like any log line. It ends when the
time is up, when the asker says ``stop``, or, if the logs service cuts the
stream and will not take it back after a few tries with backoff, with a
sentence saying so: never silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.backoff import Backoff
from bot.errors import ToolforgeError
from bot.redact import redact_positions
from bot.reply import Code, Part, Reply, Text
from bot.toolforge import LogEntry, ToolforgeClient

log = logging.getLogger(__name__)

Deliver = Callable[[str, str, Reply], Awaitable[None]]
#: Lines shown from before the follow started, for context.
BACKLOG = 3
#: How often gathered lines are sent.
FLUSH_SECONDS = 2.0
#: Lines per send where a chat has no line limit (Slack, Zulip, the console): their
#: adapters split or attach what is long.
MAX_BATCH = 200
#: How many times a cut stream is taken up again before giving up.
RESUMES = 3


def batch_for(fit_lines: int | None) -> int:
    """Lines per send on a chat that carries ``fit_lines`` comfortably (heading and note aside)."""
    return MAX_BATCH if fit_lines is None else max(1, min(MAX_BATCH, fit_lines - 2))


@dataclass
class Follow:
    """One running follow: whose, of what, where its lines go."""

    tool: str
    job: str
    platform: str
    destination: str
    secrets: list[str]
    seconds: float
    stop_hint: str
    batch: int = 200  # lines at most per send: what the chat carries (the rest is skipped)
    task: asyncio.Task[None] | None = None
    shown: int = 0
    seen: set[tuple[str, str]] = field(default_factory=set)  # (datetime, message) sent
    last: str | None = None  # the newest entry's time: where a resumed stream starts

    @property
    def name(self) -> str:
        return f"{self.tool}/{self.job}"


class LogFollows:
    """The follows running in this process, one per asker."""

    def __init__(self, client: ToolforgeClient, deliver: Deliver, *,
                 backoff: float = 1.0) -> None:  # fmt: skip
        self.client = client
        self.deliver = deliver
        self.backoff = backoff
        self._running: dict[str, Follow] = {}

    def start(self, asker: str, follow: Follow) -> bool:
        """Start ``follow`` for ``asker``; ``True`` if it replaced one already running."""
        replaced = self.stop(asker) is not None
        follow.task = asyncio.create_task(self._run(asker, follow))
        self._running[asker] = follow
        return replaced

    def stop(self, asker: str) -> Follow | None:
        """End ``asker``'s follow, if any; it sends nothing more."""
        follow = self._running.pop(asker, None)
        if follow is not None and follow.task is not None:
            follow.task.cancel()
        return follow

    async def aclose(self) -> None:
        tasks = [f.task for f in self._running.values() if f.task is not None]
        self._running.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, asker: str, follow: Follow) -> None:
        try:
            ending = await self._follow(follow)
        except asyncio.CancelledError:
            raise  # stopped: the stop command said so
        except Exception:
            log.exception("following %s failed", follow.name)
            ending = f"Following {follow.name} failed unexpectedly; I stopped."
        if self._running.get(asker) is follow:
            del self._running[asker]
        with contextlib.suppress(Exception):
            await self.deliver(follow.platform, follow.destination,
                               Reply.text(ending, private=True))  # fmt: skip

    async def _follow(self, follow: Follow) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + follow.seconds
        backoff = Backoff(self.backoff, self.backoff * 8)
        cuts = 0
        while True:
            buffer: list[LogEntry] = []
            reader = asyncio.create_task(self._read(follow, buffer))
            try:
                while not reader.done() and loop.time() < deadline:
                    wait = min(FLUSH_SECONDS, deadline - loop.time())
                    await asyncio.wait({reader}, timeout=max(wait, 0))
                    await self._flush(follow, buffer)
            finally:
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
            await self._flush(follow, buffer)
            if loop.time() >= deadline:
                return (f"Stopped following {follow.name}: the {_span(follow.seconds)} are up "
                        f"({follow.shown} lines sent). {follow.stop_hint}")  # fmt: skip
            problem = reader.exception() if not reader.cancelled() else None
            cuts += 1
            if cuts > RESUMES:
                why = problem.sentence if isinstance(problem, ToolforgeError) else (
                    "the logs service ended the stream")  # fmt: skip
                return (f"Stopped following {follow.name}: {why.rstrip('.')}, and it did not "
                        f"take it back after {RESUMES} tries ({follow.shown} lines "
                        f"shown). {follow.stop_hint}")  # fmt: skip
            await backoff.wait()  # then take it up again where it was cut

    async def _read(self, follow: Follow, buffer: list[LogEntry]) -> None:
        backlog = BACKLOG if follow.last is None else 50
        async for entry in self.client.follow_job_logs(
            follow.tool, follow.job, backlog=backlog, since=follow.last
        ):
            key = (entry.datetime, entry.message)
            if key in follow.seen:
                continue  # already sent before the stream was cut
            follow.seen.add(key)
            follow.last = entry.datetime or follow.last
            buffer.append(entry)

    async def _flush(self, follow: Follow, buffer: list[LogEntry]) -> None:
        """Send what came since the last send: the newest ``follow.batch`` lines, and how
        many earlier ones were skipped (a chatty job outruns what a chat carries)."""
        if not buffer:
            return
        batch, skipped = buffer[-follow.batch :], max(0, len(buffer) - follow.batch)
        buffer.clear()
        clean = await asyncio.to_thread(
            redact_positions, [e.message for e in batch], follow.secrets
        )
        lines = [f"{e.datetime} {text}" for e, text in zip(batch, clean, strict=True)
                 if text is not None]  # fmt: skip
        if not lines:
            return
        follow.shown += len(lines)
        parts: list[Part] = [Text.of(f"{follow.name}:"), Code("\n".join(lines))]
        if skipped:
            parts.append(Text.of(f"({skipped} earlier lines skipped: more than this chat "
                                 "carries; logs --since has them all)"))  # fmt: skip
        reply = Reply(tuple(parts), private=True,
                      summary=f"{len(lines)} new log lines of {follow.name}")  # fmt: skip
        await self.deliver(follow.platform, follow.destination, reply)


def _span(seconds: float) -> str:
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:g} seconds"
