"""whoami: who the bot thinks you are and which tools you maintain."""

from __future__ import annotations

from bot.commands import Invocation, command
from bot.context import Context
from bot.reply import Badge, Reply, Strong, Text, Tone


async def _whoami(ctx: Context, inv: Invocation) -> Reply:
    sender = ctx.message.sender
    if not sender.verified:
        seen = Text.of(
            f"You are {sender.display} on {sender.platform}, ",
            Badge("not identified", Tone.WARN),
            ": I only trust what the chat service proves (for IRC, a NickServ account).",
        )
        return Reply((seen,), summary="not identified")
    parts = [Text.of(f"On {sender.platform} you are {sender.key()} ({sender.display}).")]
    if ctx.account is None:
        parts.append(
            Text.of(
                Badge("not linked", Tone.WARN),
                " That identity is not linked to a Wikimedia developer account, so you can "
                "use public commands only.",
            )
        )
        return Reply(tuple(parts), summary="not linked")
    tools = await ctx.services.directory.tools_of(ctx.account)
    role = " You are a forgebot admin." if ctx.is_admin else ""
    parts.append(Text.of("Developer account: ", Strong(ctx.account), "." + role))
    if tools:
        parts.append(Text.of("You maintain: " + ", ".join(tools) + "."))
    else:
        parts.append(Text.of("You maintain no tools."))
    return Reply(tuple(parts), summary=f"{sender.key()} is {ctx.account}")


COMMAND = command("whoami", summary="who the bot thinks you are, and which tools you maintain")(
    _whoami
)
