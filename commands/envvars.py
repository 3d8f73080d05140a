"""envvars <tool> | set | delete: a tool's envvars, by name only.

Names are for the tool's maintainers (they say what the tool holds), so the
list goes to the asker privately unless ``--here``. Values are never shown.
Setting or deleting one happens only in a direct conversation, after a
confirmation; the value is given once, on the ``set`` line, reaches the
envvars API and nothing else: it is not echoed, not logged, not audited and
not stored with the confirmation (:mod:`bot.held_secrets`).
"""

from __future__ import annotations

import re

from bot.commands import Arg, Flag, Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Bullets, Reply, Strong, Text
from bot.text import quote_user

# The envvars API's name schema (toolforge-api.md §5).
NAME = re.compile(r"^[A-Z][A-Z_0-9]{2,}[A-Z0-9]$")
_GUIDE = "https://wikitech.wikimedia.org/wiki/Help:Toolforge/Envvars_Service"


async def _list(ctx: Context, inv: Invocation) -> Reply:
    tool: str = inv["tool"]
    names = await ctx.services.toolforge.list_envvar_names(tool)
    private = not inv["here"]
    if not names:
        return Reply.text(f"{tool} has no envvars.", private=private)
    heading = f"{tool} has {len(names)} envvars (names only; values are never shown):"
    return Reply(
        (Text.of(Strong(heading)), Bullets(tuple((n,) for n in names))),
        private=private,
        summary=f"{len(names)} envvars of {tool}",
        meta={"audit": f"listed {len(names)} names"},
    )


async def _direct_only(ctx: Context, inv: Invocation) -> None:
    """Refuse a change asked in a channel, before anything else happens."""
    if ctx.message.direct:
        return None
    action = f"{inv.command} {inv['tool']} {inv['name'] or '<NAME>'}"
    told = ""
    # A slash command's words are not posted to the channel; a message's are.
    if inv["value"] and not ctx.message.extra.get("slash_command"):
        told = (
            " The value you typed is now visible to everyone here: treat it as leaked, "
            "change it where it came from, and send me the new one privately."
        )
    raise UsageError(
        f"I change envvars only in a direct conversation: send me '{action} ...' in a "
        f"private message.{told}"
    )


async def _check_name(ctx: Context, inv: Invocation) -> None:
    name: str = inv["name"]
    if not NAME.fullmatch(name):
        raise UsageError(
            f"{quote_user(name)} is not an envvar name: upper case letters, digits and _, "
            "4 characters at least, starting with a letter"
        )
    if inv.command == "envvars delete":
        names = await ctx.services.toolforge.list_envvar_names(inv["tool"])
        if name not in names:
            raise UsageError(f"{inv['tool']} has no envvar {name}; nothing to delete")
    elif inv["value"] is None:
        line = ctx.hint(f"envvars set {inv['tool']} {name} <value>")
        raise UsageError(
            f"I have no value for {name}: send {line} with the value on the same line (the rest "
            "of the line, exactly as typed). A value waits for its confirmation in my memory "
            "only, so a restart of mine forgets it."
        )
    return None


async def _set(ctx: Context, inv: Invocation) -> Reply:
    tool, name, value = inv["tool"], inv["name"], inv["value"]
    await ctx.services.toolforge.set_envvar(tool, name, value)
    done = f"{name} of {tool} is set"
    restart = ctx.hint(f"restart {tool}")
    return Reply(
        (
            Text.of(
                f"{done}. Jobs and web services that start from now on get the new value; "
                f"restart the running ones ({restart}) to give it to them."
            ),
        ),  # fmt: skip
        summary=done,
        meta={"audit": f"set {name}"},
    )


async def _delete(ctx: Context, inv: Invocation) -> Reply:
    tool, name = inv["tool"], inv["name"]
    await ctx.services.toolforge.delete_envvar(tool, name)
    done = f"{name} of {tool} is deleted"
    return Reply((Text.of(f"{done}."),), summary=done, meta={"audit": f"deleted {name}"})


_TOOL = Arg("tool", "the Toolforge tool name")
_NAME = Arg("name", "the envvar's name (upper case, e.g. BOT_PASSWORD)")

SET = command(
    "set",
    summary="set (create or replace) an envvar, in a direct conversation only",
    args=(
        _TOOL,
        _NAME,
        Arg(
            "value",
            "the value: the rest of the line, exactly as typed",
            required=False,
            verbatim=True,
            secret=True,
        ),
    ),  # fmt: skip
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    target_arg="name",
    load=_direct_only,
    check=_check_name,
    confirm=lambda inv: f"set the envvar {inv['name']} of {inv['tool']} to the value you sent",
    audit_action="envvars set",
    details="The value is never shown, logged or audited; only the name is.",
    acts="change its envvars",
)(_set)

DELETE = command(
    "delete",
    summary="delete an envvar, in a direct conversation only",
    args=(_TOOL, _NAME),
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    target_arg="name",
    load=_direct_only,
    check=_check_name,
    confirm=lambda inv: f"delete the envvar {inv['name']} of {inv['tool']}",
    audit_action="envvars delete",
    acts="change its envvars",
)(_delete)

COMMAND = command(
    "envvars",
    summary="list a tool's envvar names (privately unless --here); set or delete one",
    args=(_TOOL,),
    flags=(Flag("here", "post the names in this channel instead of privately"),),
    permission=Permission.MAINTAINER,
    tool_arg="tool",
    audit_action="envvars",
    details=f"Values are never shown. Guide: {_GUIDE}",
    subcommands=(SET, DELETE),
    acts="see its envvars",
)(_list)
