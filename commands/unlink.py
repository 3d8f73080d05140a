"""unlink: undo the link between your chat identity and a developer account."""

from __future__ import annotations

from bot.commands import Invocation, Permission, command
from bot.context import Context
from bot.errors import UsageError
from bot.reply import Reply, Strong, Text


async def _check(ctx: Context, inv: Invocation) -> None:
    if await ctx.services.store.link_get(ctx.chat_key) is None:
        how = " (your account comes from your verified email)" if ctx.how == "email" else ""
        raise UsageError(f"{ctx.chat_key} is not linked to a developer account{how}")


async def _unlink(ctx: Context, inv: Invocation) -> Reply:
    key = ctx.chat_key
    removed = await ctx.services.store.link_remove(key)
    if removed is None:
        raise UsageError(f"{key} is not linked to a developer account")
    return Reply(
        (
            Text.of(
                "Your identity ", Strong(key), " is no longer linked to ", Strong(removed.account),
                ".",
            ),
        ),
        summary=f"unlinked from {removed.account}",
        meta={"audit": f"was {removed.account} ({removed.method})"},
    )


COMMAND = command(
    "unlink",
    summary="unlink your chat identity from its developer account",
    permission=Permission.VERIFIED,
    check=_check,
    audit_action="unlink",
)(_unlink)
