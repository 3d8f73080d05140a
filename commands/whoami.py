"""whoami: who the bot thinks you are, how it knows, and which tools you maintain."""

from __future__ import annotations

from bot.commands import Invocation, command
from bot.context import Context
from bot.errors import DirectoryUnavailable
from bot.identity import HOW
from bot.reply import Badge, Bullets, Inline, Part, Reply, Strong, Text, Tone


async def _whoami(ctx: Context, inv: Invocation) -> Reply:
    sender = ctx.message.sender
    if not sender.verified:
        seen = Text.of(
            f"You are {sender.display} on {sender.platform}, ",
            Badge("not identified", Tone.WARN),
            ": I only trust what the chat service proves (for IRC, a NickServ account).",
        )
        return Reply((seen,), summary="not identified")
    heading = f"On {sender.platform} you are {sender.key()} ({sender.display})."
    parts: list[Part] = [Text.of(heading)]
    if ctx.account is None:
        if ctx.directory_problem:
            parts.append(Text.of(Badge("unknown", Tone.WARN), " " + ctx.directory_problem))
            return Reply(tuple(parts), summary="directory unavailable")
        how = "say link to me in a direct message" if ctx.services.links else "ask an admin"
        parts.append(
            Text.of(
                Badge("not linked", Tone.WARN),
                " That identity is not linked to a Wikimedia developer account, so you can "
                f"use public commands only ({how} to link it).",
            )
        )
        return Reply(tuple(parts), summary="not linked")
    role = " You are a forgebot admin." if ctx.is_admin else ""
    how = HOW.get(ctx.how or "", "linked")
    parts.append(Text.of("Developer account: ", Strong(ctx.account), f" ({how})." + role))
    links = await ctx.services.store.links(ctx.account)
    if links:
        items: tuple[tuple[Inline, ...], ...] = tuple(
            (Strong(link.chat_key), f": {HOW.get(link.method, link.method)}, "
             f"{link.created_at:%Y-%m-%d}")
            for link in links
        )  # fmt: skip
        parts += [Text.of("Chat identities linked to it:"), Bullets(items)]
    try:
        account = await ctx.services.directory.account(ctx.account)
        tools = await ctx.services.directory.tools_of(ctx.account)
    except DirectoryUnavailable as error:
        parts.append(Text.of(Badge("unknown", Tone.WARN), " " + error.sentence))
        return Reply(tuple(parts), summary=f"{sender.key()} is {ctx.account}")
    if account is not None and account.disabled:
        parts.append(
            Text.of(Badge("disabled", Tone.ERROR), " That developer account is disabled.")
        )
    if tools:
        parts.append(Text.of("You maintain: " + ", ".join(tools) + "."))
    else:
        parts.append(Text.of("You maintain no tools."))
    return Reply(tuple(parts), summary=f"{sender.key()} is {ctx.account}")


COMMAND = command(
    "whoami", summary="who the bot thinks you are, how it knows, and which tools you maintain"
)(_whoami)
