"""The tools' Server Admin Log: what forgebot changed, where other maintainers read it.

Toolforge maintainers log what they do to a tool with ``!log tools.<tool>
<what>`` in the channel the SAL bot (stashbot) reads; forgebot writes the
same line for every acting command that succeeded (a confirmed one: restart,
build start, each migration step), naming who asked. It is off unless
``[sal]`` names destinations, and it never holds up or fails the command:
each line is sent in the background and its delivery is audited (``sal``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.redact import redact
from bot.reply import Reply

if TYPE_CHECKING:
    from bot.config import SalSettings
    from bot.store import Store

log = logging.getLogger(__name__)

Deliver = Callable[[str, str, Reply], Awaitable[None]]
#: What fits one IRC line with room for the prefix and the account.
MAX_WHAT = 300


@dataclass(frozen=True, slots=True)
class Acted:
    """One successful acting command: on which tool, what, for whom, from where."""

    tool: str
    what: str
    account: str
    chat_key: str
    platform: str


def sal_line(acted: Acted) -> str:
    """``!log tools.<tool> <what> (via forgebot for <account>)``, one line, redacted."""
    what = " ".join(redact(acted.what).split())
    if len(what) > MAX_WHAT:
        what = what[: MAX_WHAT - 1] + "…"
    return f"!log tools.{acted.tool} {what} (via forgebot for {acted.account})"


class ServerAdminLog:
    """Sends SAL lines to the configured destinations, each in the background."""

    def __init__(self, settings: SalSettings, store: Store, deliver: Deliver) -> None:
        self.settings = settings
        self.store = store
        self.deliver = deliver
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.destinations)

    def note(self, acted: Acted) -> None:
        """Log ``acted`` wherever configured for its tool; returns at once."""
        for destination in self.settings.destinations:
            if destination.tools and acted.tool not in destination.tools:
                continue
            task = asyncio.create_task(self._send(destination.to, acted))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the lines in flight (tests, and a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _send(self, to: str, acted: Acted) -> None:
        platform, _, where = to.partition(":")
        line = sal_line(acted)
        try:
            await self.deliver(platform, where, Reply.text(line))
            result, detail = "sent", to
        except Exception as error:  # a chat being down must not reach the command
            log.warning("SAL line for %s not sent to %s: %r", acted.tool, to, error)
            result, detail = "failed", f"{to}: {error}"
        try:
            await self.store.audit(
                actor_account=acted.account, chat_key=acted.chat_key, platform=acted.platform,
                action="sal", tool=acted.tool, target="", result=result, detail=detail,
            )  # fmt: skip
        except Exception:
            log.exception("the audit log refused the SAL row of %s", acted.tool)
