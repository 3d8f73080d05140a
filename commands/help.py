"""help [command [sub-command]]: generated from the command declarations."""

from __future__ import annotations

from bot.commands import Arg, Command, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Bullets, Part, Reply, Strong, Text
from bot.text import quote_user


async def _help(ctx: Context, inv: Invocation) -> Reply:
    path = " ".join((inv["command"] or "").lower().split())
    if not path:
        items = tuple((Strong(c.name), f" — {c.summary}") for c in ctx.registry)
        return Reply(
            (
                Text.of(f"Commands (type {ctx.hint('help <command>')} for details):"),
                Bullets(items),
                Text.of(ctx.limits),
            ),
            summary="forgebot commands",
        )
    cmd = ctx.registry.find(path)
    if cmd is None:
        near = ctx.registry.suggest(path.split()[0])
        hint = f"; did you mean {near}?" if near else ""
        raise UsageError(f"there is no command {quote_user(path)}{hint}")
    return Reply(tuple(_describe(ctx, cmd)), summary=f"help for {cmd.path}")


def _describe(ctx: Context, cmd: Command) -> list[Part]:
    parts: list[Part] = []
    if cmd.handler is not None:
        parts.append(Text.of(Strong(ctx.hint(cmd.usage()))))
    parts.append(Text.of(cmd.summary + "." + (" " + cmd.details if cmd.details else "")))
    described = [(f"<{a.name}>", a.help) for a in cmd.args if a.help]
    described += [(f"--{f.name}", f.help) for f in cmd.flags if f.help]
    if described:
        parts.append(Bullets(tuple((Strong(n), f": {h}") for n, h in described)))
    if cmd.subcommands:
        more = ctx.hint(f"help {cmd.path} <sub-command>")
        parts.append(Text.of(f"Sub-commands (type {more} for details):"))
        subs = tuple((Strong(ctx.hint(s.usage())), f" — {s.summary}") for s in cmd.subcommands)
        parts.append(Bullets(subs))
    if cmd.permission is not Permission.PUBLIC:
        parts.append(Text.of(f"Who may use it: {cmd.permission.value}."))
    if cmd.confirm is not None:
        parts.append(Text.of("It asks for a confirmation code before acting."))
    return parts


COMMAND = command(
    "help",
    summary="list the commands, or explain one (help migrate, help migrate go)",
    args=(Arg("command", "a command, and a sub-command", required=False, rest=True),),
)(_help)
