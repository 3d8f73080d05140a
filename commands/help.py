"""help [command]: generated from the command declarations."""

from __future__ import annotations

from bot.commands import Arg, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Bullets, Reply, Strong, Text
from bot.text import quote_user


async def _help(ctx: Context, inv: Invocation) -> Reply:
    name = inv["command"]
    if name is None:
        items = tuple((Strong(c.name), f" — {c.summary}") for c in ctx.registry)
        return Reply(
            (
                Text.of(f"Commands (type {ctx.hint('help <command>')} for details):"),
                Bullets(items),
            ),
            summary="forgebot commands",
        )
    cmd = ctx.registry.get(name.lower())
    if cmd is None:
        near = ctx.registry.suggest(name)
        hint = f"; did you mean {near}?" if near else ""
        raise UsageError(f"there is no command {quote_user(name)}{hint}")
    parts: list[Text | Bullets] = [
        Text.of(Strong(ctx.hint(cmd.usage()))),
        Text.of(cmd.summary + (" " + cmd.details if cmd.details else "")),
    ]
    described = [(f"<{a.name}>", a.help) for a in cmd.args if a.help]
    described += [(f"--{f.name}", f.help) for f in cmd.flags if f.help]
    if described:
        parts.append(Bullets(tuple((Strong(n), f": {h}") for n, h in described)))
    if cmd.permission is not Permission.PUBLIC:
        parts.append(Text.of(f"Who may use it: {cmd.permission.value}."))
    if cmd.confirm is not None:
        parts.append(Text.of("It asks for a confirmation code before acting."))
    return Reply(tuple(parts), summary=f"help for {cmd.name}")


COMMAND = command(
    "help",
    summary="list the commands, or explain one",
    args=(Arg("command", "a command name", required=False),),
)(_help)
