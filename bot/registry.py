"""The set of commands the bot knows, with near-miss suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from bot.commands import Command


class CommandRegistry:
    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        for cmd in commands:
            self.register(cmd)

    def register(self, command: Command) -> None:
        if command.name in self._commands:
            raise ValueError(f"command {command.name!r} declared twice")
        self._commands[command.name] = command

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def find(self, path: str) -> Command | None:
        """A command or sub-command by its full path (``migrate go``)."""
        head, *rest = path.split() or [""]
        found = self._commands.get(head)
        for word in rest:
            if found is None:
                return None
            found = found.subcommand(word)
        return found

    def __iter__(self) -> Iterator[Command]:
        return iter(sorted(self._commands.values(), key=lambda c: c.name))

    def names(self) -> list[str]:
        return sorted(self._commands)

    def suggest(self, name: str, among: Iterable[str] | None = None) -> str | None:
        names = list(among) if among is not None else self.names()
        near = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
        return near[0] if near else None
