"""Lines written to the server and not yet seen coming back (IRCv3 ``echo-message``).

A line written into a connection that has silently died is gone, and nothing
says so. With ``echo-message`` the server sends each of our messages back
once it has taken it, so the outbox knows what was delivered: what is still
unconfirmed when the connection dies is sent again on the next one (channel
lines) or reported as lost (private lines, whose nick may be someone else's
by then).
"""

from __future__ import annotations

from collections import deque
from typing import Generic, Protocol, TypeVar

from adapters.irc.identity import irc_lower


class _Written(Protocol):
    target: str
    text: str


L = TypeVar("L", bound=_Written)


class Unconfirmed(Generic[L]):
    def __init__(self) -> None:
        self._lines: deque[L] = deque()

    def __len__(self) -> int:
        return len(self._lines)

    def add(self, line: L) -> None:
        self._lines.append(line)

    def confirm(self, target: str, text: str) -> L | None:
        """The line the server just echoed (the oldest written with that target and text)."""
        key = irc_lower(target)
        for line in self._lines:
            if irc_lower(line.target) == key and line.text == text:
                self._lines.remove(line)
                return line
        return None

    def pending_to(self, target: str) -> bool:
        """Whether a line to ``target`` was written and not yet echoed."""
        key = irc_lower(target)
        return any(irc_lower(line.target) == key for line in self._lines)

    def refused(self, target: str) -> L | None:
        """The oldest line to ``target``, which the server refused (404, 401)."""
        key = irc_lower(target)
        for line in self._lines:
            if irc_lower(line.target) == key:
                self._lines.remove(line)
                return line
        return None

    def take_all(self) -> list[L]:
        lines = list(self._lines)
        self._lines.clear()
        return lines
