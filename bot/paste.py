"""Multi-line pastes on platforms that send each line as its own message.

On IRC and the console a pasted crontab arrives line by line. When a command
whose last argument is verbatim text (``migrate grid``) is sent without that
text in a direct conversation, the bot collects the person's next lines,
code fences dropped, until they say ``end``, then runs the command with them
as if they had been one message. The paste lives in the store, so a restart
in the middle loses nothing; it expires after a while without lines.

Every direct message asks whether its sender has a paste in progress; the
answer is kept in memory (who has one is read from the store once, then kept
as pastes start and end here, the only place that writes them), so a message
that is no paste line costs no database read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.services import Services

KIND = "paste"
END_WORDS = frozenset({"end", "done", "."})
CANCEL_WORDS = frozenset({"cancel", "abort"})
IDLE = timedelta(minutes=10)
MAX_LINES = 500
_FENCE = re.compile(r"^\s*(?:`{3,}|~{3,})[\w+.#-]*\s*$")


@dataclass(frozen=True, slots=True)
class Fed:
    """What one message did to a paste in progress."""

    line: str | None = None  # the whole command line, once the paste is finished
    cancelled: bool = False


class Pastes:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._holders: set[str] | None = None  # who has a paste in progress; None: not read yet

    async def start(self, chat_key: str, command_line: str) -> None:
        await self._save(chat_key, command_line, [])

    async def feed(self, chat_key: str, text: str) -> Fed | None:
        """Take ``text`` into the speaker's paste; ``None`` when none is in progress."""
        if chat_key not in await self._in_progress():
            return None
        store = self.services.store
        found = await store.conversation_get(chat_key, KIND)
        if found is None:
            self._holders_discard(chat_key)
            return None
        if found.updated_at + IDLE < self.services.clock():
            await self._drop(chat_key)
            return None
        state = found.load_state()
        command_line, lines = str(state["command"]), list(state["lines"])
        word = text.strip().lower()
        if word in CANCEL_WORDS:
            await self._drop(chat_key)
            return Fed(cancelled=True)
        if word in END_WORDS:
            await self._drop(chat_key)
            return Fed(line="\n".join([command_line, *lines]))
        new = [line for line in text.splitlines() if not _FENCE.match(line)]
        if len(lines) + len(new) > MAX_LINES:
            await self._drop(chat_key)
            raise UsageError(
                f"that is more than {MAX_LINES} lines; the paste is dropped. "
                "Send the lines in smaller parts."
            )
        await self._save(chat_key, command_line, lines + new)
        return Fed()

    async def _in_progress(self) -> set[str]:
        if self._holders is None:
            self._holders = set(await self.services.store.conversation_holders(KIND))
        return self._holders

    def _holders_discard(self, chat_key: str) -> None:
        if self._holders is not None:
            self._holders.discard(chat_key)

    async def _drop(self, chat_key: str) -> None:
        await self.services.store.conversation_delete(chat_key, KIND)
        self._holders_discard(chat_key)

    async def _save(self, chat_key: str, command_line: str, lines: list[str]) -> None:
        (await self._in_progress()).add(chat_key)
        await self.services.store.conversation_put(
            chat_key,
            KIND,
            tool=None,
            step="collecting",
            state={"command": command_line, "lines": lines},
            now=self.services.clock(),
        )
