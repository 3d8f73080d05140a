"""The set of commands the bot knows, with near-miss suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

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

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._commands.values(), key=lambda c: c.name))

    def names(self) -> list[str]:
        return sorted(self._commands)

    def suggest(self, name: str) -> str | None:
        near = difflib.get_close_matches(name.lower(), self.names(), n=1, cutoff=0.6)
        return near[0] if near else None
