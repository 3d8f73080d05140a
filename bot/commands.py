"""How a chat command is declared: name, typed arguments, sub-commands, help, policy.

A command module builds one :class:`Command` with :func:`command`; the router
parses invocations against the declaration, the pipeline (:mod:`bot.pipeline`)
runs every command and sub-command through the same steps (load -> authorise
-> check -> confirm -> run -> audit), and ``help`` is generated from the same
data. A group such as ``migrate`` declares its sub-commands the same way,
each with its own arguments, permission, confirmation and help.

Nothing here imports the context the handlers receive: handlers are typed
where they are written, so this module sits below everything else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.reply import Reply


class Permission(Enum):
    PUBLIC = "anyone"
    VERIFIED = "anyone the chat service identifies"
    IDENTIFIED = "identified users"
    MAINTAINER = "the tool's maintainers"
    ADMIN = "forgebot admins"


@dataclass(frozen=True, slots=True)
class Arg:
    """A positional argument.

    ``rest`` takes every remaining word (options among them are still parsed);
    ``verbatim`` takes the rest of the message exactly as written: quotes,
    ``--options`` and newlines included (pasted crontabs, grid commands).
    ``secret`` marks a value (an envvar's) that must reach only the handler:
    the pipeline keeps it out of the store, the logs and the audit trail.
    """

    name: str
    help: str = ""
    kind: type = str
    required: bool = True
    choices: tuple[str, ...] = ()
    rest: bool = False
    verbatim: bool = False
    secret: bool = False


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
    """A parsed command line and what the pipeline learned about it.

    ``command`` is the command's full path (``restart``, ``migrate go``);
    ``subject`` is what the command's ``load`` step found (the migration in
    progress), ``checked`` what its ``check`` step found (the jobs to restart).
    """

    command: str
    values: dict[str, Any] = field(default_factory=dict)
    subject: Any = None
    checked: Any = None

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a confirmation code will do, and what must still hold when it is used.

    The code runs only if, when it is used, the command describes the same
    action with the same ``binding`` (say, the version of a conversation that
    went one step back and forward again: same words, another pass). A
    ``preview`` is shown between the description and the code.
    """

    description: str
    binding: str = ""
    # Shown with the code, not compared when it is used (a preview, a sample message).
    preview: Reply | None = None


# Handlers and steps take the bot's Context first; it is typed where they are written.
Handler = Callable[[Any, Invocation], Awaitable["Reply"]]
Step = Callable[[Any, Invocation], Awaitable[Any]]
Describe = Callable[[Invocation], "str | Confirmation | None"]
AuditName = Callable[[Invocation], "str | None"]


@dataclass(frozen=True)
class Command:
    """A declared command or sub-command; see :func:`command` for the fields."""

    name: str
    summary: str
    handler: Handler | None
    args: tuple[Arg, ...] = ()
    flags: tuple[Flag, ...] = ()
    permission: Permission = Permission.PUBLIC
    tool_arg: str | None = None
    target_arg: str | None = None
    load: Step | None = None
    check: Step | None = None
    confirm: Describe | None = None
    audit_action: str | AuditName | None = None
    details: str = ""
    subcommands: tuple[Command, ...] = ()
    path: str = ""
    acts: str = ""

    def __post_init__(self) -> None:
        if not self.path:
            object.__setattr__(self, "path", self.name)
        verbatim = [a for a in self.args if a.verbatim or a.rest]
        if verbatim and verbatim[0] is not self.args[-1]:
            raise ValueError(f"{self.path}: a rest or verbatim argument must come last")

    @property
    def pasted(self) -> Arg | None:
        """The verbatim argument that may come as a multi-line paste, if there is one."""
        last = self.args[-1] if self.args else None
        return last if last is not None and last.verbatim and last.required else None

    @property
    def secret_args(self) -> frozenset[str]:
        """The names of the arguments whose values only the handler may see."""
        return frozenset(a.name for a in self.args if a.secret)

    def carries_secrets(self) -> bool:
        """Whether this command or one of its sub-commands takes a secret argument."""
        return bool(self.secret_args) or any(s.carries_secrets() for s in self.subcommands)

    def subcommand(self, word: str) -> Command | None:
        for sub in self.subcommands:
            if sub.name == word:
                return sub
        return None

    def what_it_does(self) -> str:
        """What the command does to its tool, for refusals ("restart it", "read its logs")."""
        return self.acts or f"use {self.path} on it"

    def audit_name(self, invocation: Invocation) -> str | None:
        """The audit action for this run, or ``None`` when it is not audited."""
        if callable(self.audit_action):
            return self.audit_action(invocation)
        return self.audit_action

    def usage(self) -> str:
        if self.handler is None and self.subcommands:
            return f"{self.path} <{'|'.join(s.name for s in self.subcommands)}>"
        words = [self.path]
        for arg in self.args:
            label = f"{arg.name}..." if arg.rest or arg.verbatim else arg.name
            if arg.choices:
                label = "|".join(arg.choices)
            words.append(f"<{label}>" if arg.required else f"[{label}]")
        for flag in self.flags:
            if flag.kind is bool:
                words.append(f"[--{flag.name}]")
            else:
                words.append(f"[--{flag.name} {flag.kind.__name__.upper()}]")
        if self.subcommands:
            words.append(f"(or {self.path} {'|'.join(s.name for s in self.subcommands)})")
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
    load: Step | None = None,
    check: Step | None = None,
    confirm: Describe | None = None,
    audit_action: str | AuditName | None = None,
    details: str = "",
    subcommands: tuple[Command, ...] = (),
    acts: str = "",
) -> Callable[[Handler | None], Command]:
    """Declare a command; the decorated coroutine becomes its handler.

    - ``tool_arg`` names the argument holding the tool; a MAINTAINER command
      without one must ``load`` a subject that has a ``tool`` attribute.
    - ``load`` finds what the command is about (no side effects), before
      authorisation; ``check`` validates against the world (no side effects:
      does the job exist?), after authorisation and before any code is issued.
    - ``confirm`` describes the action (``None``: nothing to confirm this
      time); when it does, the bot asks for ``confirm <code>`` first, and the
      code runs only if the description (and the :class:`Confirmation`'s
      binding) is still the same when it is used.
    - ``audit_action`` (a name, or a function of the invocation) makes every
      attempt write an audit row: refused, invalid, failed or done.
    - ``subcommands`` are declared with this same function; the group's own
      handler (if any) runs when the next word is not one of them.
    - ``acts`` says what it does to the tool, for refusals ("restart it").
    """
    if permission is Permission.MAINTAINER and tool_arg is None and load is None:
        raise ValueError(f"{name}: a maintainer command must name its tool argument or load it")
    if permission is Permission.MAINTAINER and not acts:
        # The refusal reads "only maintainers of X may <acts>": a verb phrase, never the
        # command's name ("may logs it").
        raise ValueError(f"{name}: a maintainer command must say what it does (acts=...)")

    def wrap(handler: Handler | None) -> Command:
        return Command(
            name=name,
            summary=summary,
            handler=handler,
            args=args,
            flags=flags,
            permission=permission,
            tool_arg=tool_arg,
            target_arg=target_arg,
            load=load,
            check=check,
            confirm=confirm,
            audit_action=audit_action,
            details=details,
            subcommands=tuple(_under(name, sub) for sub in subcommands),
            acts=acts,
        )

    return wrap


def _under(parent: str, sub: Command) -> Command:
    path = f"{parent} {sub.name}"
    return dataclasses.replace(
        sub, path=path, subcommands=tuple(_under(path, s) for s in sub.subcommands)
    )


def walk(commands: Any) -> list[Command]:
    """Every command and sub-command below ``commands``, depth first."""
    found: list[Command] = []
    for cmd in commands:
        found.append(cmd)
        found.extend(walk(cmd.subcommands))
    return found
