"""Multi-line pastes on platforms that send each line as its own message.

On IRC and the console a pasted crontab arrives line by line. When a command
whose last argument is verbatim text (``migrate grid``) is sent without that
text in a direct conversation, the bot collects the person's next lines,
code fences dropped, until they say ``end``, then runs the command with them
as if they had been one message. The paste lives in the store, so a restart
in the middle loses nothing; it expires after a while without lines.
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

    async def start(self, chat_key: str, command_line: str) -> None:
        await self._save(chat_key, command_line, [])

    async def feed(self, chat_key: str, text: str) -> Fed | None:
        """Take ``text`` into the speaker's paste; ``None`` when none is in progress."""
        store = self.services.store
        found = await store.conversation_get(chat_key, KIND)
        if found is None:
            return None
        if found.updated_at + IDLE < self.services.clock():
            await store.conversation_delete(chat_key, KIND)
            return None
        state = found.load_state()
        command_line, lines = str(state["command"]), list(state["lines"])
        word = text.strip().lower()
        if word in CANCEL_WORDS:
            await store.conversation_delete(chat_key, KIND)
            return Fed(cancelled=True)
        if word in END_WORDS:
            await store.conversation_delete(chat_key, KIND)
            return Fed(line="\n".join([command_line, *lines]))
        new = [line for line in text.splitlines() if not _FENCE.match(line)]
        if len(lines) + len(new) > MAX_LINES:
            await store.conversation_delete(chat_key, KIND)
            raise UsageError(
                f"that is more than {MAX_LINES} lines; the paste is dropped. "
                "Send the lines in smaller parts."
            )
        await self._save(chat_key, command_line, lines + new)
        return Fed()

    async def _save(self, chat_key: str, command_line: str, lines: list[str]) -> None:
        await self.services.store.conversation_put(
            chat_key,
            KIND,
            tool=None,
            step="collecting",
            state={"command": command_line, "lines": lines},
            now=self.services.clock(),
        )
