"""One module per chat command; :func:`all_commands` is what the bot registers."""

from __future__ import annotations

import importlib

from bot.commands import Command

# Module names under commands/; each defines COMMAND.
MODULES = (
    "help",
    "status",
    "diagnose",
    "maintainers",
    "restart",
    "logs",
    "builds",
    "quota",
    "envvars",
    "images",
    "confirm",
    "more",
    "stop",
    "whoami",
    "link",
    "unlink",
    "migrate",
    "products",
    "news",
    "ack",
    "announce",
)


def all_commands() -> list[Command]:
    found: list[Command] = []
    for name in MODULES:
        module = importlib.import_module(f"commands.{name}")
        found.append(module.COMMAND)
    return found
