"""How a chat command is declared: name, typed arguments, help, permission.

A command module builds one :class:`Command` with :func:`command`; the router
parses invocations against the declaration, policy checks the declared
permission and confirmation, and ``help`` is generated from the same data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import Context
    from bot.reply import Reply


class Permission(Enum):
    PUBLIC = "anyone"
    IDENTIFIED = "identified users"
    MAINTAINER = "the tool's maintainers"
    ADMIN = "forgebot admins"


@dataclass(frozen=True, slots=True)
class Arg:
    """A positional argument. ``rest`` takes every remaining word."""

    name: str
    help: str = ""
    kind: type = str
    required: bool = True
    choices: tuple[str, ...] = ()
    rest: bool = False


@dataclass(frozen=True, slots=True)
class Flag:
    """An option: ``--lines 50`` (kind int/str) or a switch ``--here`` (kind bool)."""

    name: str
    help: str = ""
    kind: type = bool
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Invocation:
    """A parsed command line: the command's name and its typed values."""

    command: str
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)


Handler = Callable[["Context", Invocation], Awaitable["Reply"]]
Describe = Callable[[Invocation], str]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    summary: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    flags: tuple[Flag, ...] = ()
    permission: Permission = Permission.PUBLIC
    tool_arg: str | None = None
    target_arg: str | None = None
    confirm: Describe | None = None
    audit_action: str | None = None
    details: str = ""

    def usage(self) -> str:
        words = [self.name]
        for arg in self.args:
            label = f"{arg.name}..." if arg.rest else arg.name
            if arg.choices:
                label = "|".join(arg.choices)
            words.append(f"<{label}>" if arg.required else f"[{label}]")
        for flag in self.flags:
            if flag.kind is bool:
                words.append(f"[--{flag.name}]")
            else:
                words.append(f"[--{flag.name} {flag.kind.__name__.upper()}]")
        return " ".join(words)


def command(
    name: str,
    *,
    summary: str,
    args: tuple[Arg, ...] = (),
    flags: tuple[Flag, ...] = (),
    permission: Permission = Permission.PUBLIC,
    tool_arg: str | None = None,
    target_arg: str | None = None,
    confirm: Describe | None = None,
    audit_action: str | None = None,
    details: str = "",
) -> Callable[[Handler], Command]:
    """Declare a command; the decorated coroutine becomes its handler.

    ``tool_arg`` names the argument holding the tool (required for
    MAINTAINER commands). ``confirm`` describes the action; when given, the
    bot asks for ``confirm <code>`` before the handler runs.
    ``audit_action`` makes every run (and refusal) write an audit row.
    """
    if permission is Permission.MAINTAINER and tool_arg is None:
        raise ValueError(f"{name}: a maintainer command must name its tool argument")

    def wrap(handler: Handler) -> Command:
        return Command(
            name=name,
            summary=summary,
            handler=handler,
            args=args,
            flags=flags,
            permission=permission,
            tool_arg=tool_arg,
            target_arg=target_arg,
            confirm=confirm,
            audit_action=audit_action,
            details=details,
        )

    return wrap
